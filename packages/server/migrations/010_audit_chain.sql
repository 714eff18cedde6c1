-- Tamper-evident access log (issue 13).
--
-- Every audit_event row carries the SHA-256 of its predecessor (prev_hash) and its own (hash) over a
-- canonical text of the row, so editing or deleting a row breaks the chain at that row
-- (`hssk audit verify`, packages/server/src/audit/verify.ts, recomputes it independently in Node).
-- The application cannot UPDATE, DELETE or TRUNCATE rows: a trigger refuses it for every role, the
-- table owner included; only a superuser who disables triggers can, and the chain then shows it.
--
-- Canonical text, version 1 (must match audit/verify.ts canonicalText):
--   'hssk-audit-v1' then, each preceded by '|':
--   id, at as UTC epoch microseconds, actor_type, actor_id, actor_name, actor_role, facility_code,
--   person_id, action, resource, break_glass ('t'/'f'), request_id, detail as jsonb text, prev_hash.
--   Text fields are written as <UTF-8 byte length>:<value>, NULL as '~', so no value can imitate a
--   separator. Nothing depends on the session (TimeZone, DateStyle, client_encoding, extra_float_digits).

alter table audit_event add column prev_hash text, add column hash text;

create function audit_field(v text) returns text language sql immutable parallel safe
  as $$ select case when v is null then '~' else octet_length(convert_to(v, 'UTF8'))::text || ':' || v end $$;

create function audit_event_canonical(e audit_event) returns text language sql stable parallel safe as $$
  select concat_ws('|',
    'hssk-audit-v1',
    e.id::text,
    (extract(epoch from e.at) * 1000000)::bigint::text,
    audit_field(e.actor_type),
    audit_field(e.actor_id),
    audit_field(e.actor_name),
    audit_field(e.actor_role),
    audit_field(e.facility_code),
    audit_field(e.person_id),
    audit_field(e.action),
    audit_field(e.resource),
    case when e.break_glass then 't' else 'f' end,
    audit_field(e.request_id),
    audit_field(e.detail::text),
    audit_field(e.prev_hash))
$$;

create function audit_event_hash(e audit_event) returns text language sql stable parallel safe
  as $$ select encode(sha256(convert_to(audit_event_canonical(e), 'UTF8')), 'hex') $$;

-- The head of the chain: one row, locked FOR UPDATE by each insert until its transaction ends. A row
-- lock (rather than an advisory lock plus "read the newest row") is used because a waiting READ
-- COMMITTED transaction then reads the head as committed by the one before it, and a REPEATABLE READ
-- or SERIALIZABLE one fails with a serialization error instead of forking the chain silently.
create table audit_chain_head (
  id int primary key check (id = 1),
  last_id bigint,
  last_hash text not null
);

-- Existing rows are chained in id order; the first row follows the genesis hash (64 zeros).
do $$
declare
  r audit_event;
  h text := repeat('0', 64);
  last bigint;
begin
  for r in select * from audit_event order by id loop
    r.prev_hash := h;
    h := audit_event_hash(r);
    update audit_event set prev_hash = r.prev_hash, hash = h where id = r.id;
    last := r.id;
  end loop;
  insert into audit_chain_head (id, last_id, last_hash) values (1, last, h);
end $$;

alter table audit_event alter column prev_hash set not null, alter column hash set not null;

-- SECURITY DEFINER: the application role needs no privilege on audit_chain_head; search_path is fixed
-- to the migration's so a caller's search_path cannot substitute the functions used here.
create function audit_event_chain() returns trigger language plpgsql security definer set search_path from current as $$
declare
  head text;
begin
  select last_hash into head from audit_chain_head where id = 1 for update;
  -- The id is drawn only now, under the head lock, so id order is chain order for concurrent inserts
  -- (a column default would number them in arrival order, before the lock).
  new.id := nextval('audit_event_id_seq');
  new.prev_hash := head;
  new.hash := audit_event_hash(new);
  update audit_chain_head set last_id = new.id, last_hash = new.hash where id = 1;
  return new;
end $$;

-- The trigger numbers the rows (above); a row inserted with triggers disabled gets no id and fails.
alter table audit_event alter column id drop default;

create trigger audit_event_chain before insert on audit_event for each row execute function audit_event_chain();

create function audit_append_only() returns trigger language plpgsql as $$
begin
  raise exception '% on % is refused: the audit log is append-only', tg_op, tg_table_name
    using errcode = 'insufficient_privilege',
          hint = 'Audit rows are hash-chained; run "hssk audit verify" to check the chain.';
end $$;

create trigger audit_event_no_change before update or delete on audit_event
  for each row execute function audit_append_only();
create trigger audit_event_no_truncate before truncate on audit_event
  for each statement execute function audit_append_only();

-- The head moves only from inside audit_event_chain (trigger depth 2); a direct write is refused.
create function audit_chain_head_guard() returns trigger language plpgsql as $$
begin
  if tg_op = 'UPDATE' and pg_trigger_depth() > 1 then return new; end if;
  raise exception '% on % is refused: the chain head moves only with an audit insert', tg_op, tg_table_name
    using errcode = 'insufficient_privilege';
end $$;

create trigger audit_chain_head_guard before insert or update or delete on audit_chain_head
  for each row execute function audit_chain_head_guard();
create trigger audit_chain_head_no_truncate before truncate on audit_chain_head
  for each statement execute function audit_append_only();

-- Where the application connects as its own role (recommended: docs/operations.md), take away any
-- UPDATE/DELETE/TRUNCATE it was granted on these tables, e.g. through ALTER DEFAULT PRIVILEGES. The
-- owner keeps its privileges (the triggers stop it); on PGlite, or where the app is the owner, this
-- finds nobody and does nothing.
do $$
declare
  g record;
begin
  for g in
    select distinct c.relname, a.grantee
    from pg_class c, aclexplode(c.relacl) a
    where c.oid in ('audit_event'::regclass, 'audit_chain_head'::regclass)
      and a.grantee <> c.relowner
      and a.privilege_type in ('INSERT', 'UPDATE', 'DELETE', 'TRUNCATE')
  loop
    -- The application keeps INSERT (and SELECT) on audit_event: that is how it writes the log.
    execute format('revoke %s on %I from %s',
      case when g.relname = 'audit_event' then 'update, delete, truncate' else 'insert, update, delete, truncate' end,
      g.relname,
      case when g.grantee = 0 then 'public' else quote_ident(pg_get_userbyid(g.grantee)) end);
  end loop;
end $$;
