-- The access-log chain head moves once per INSERT statement, not once per row (issue 17, $export).
--
-- Migration 010 updated audit_chain_head for every inserted row. A bulk export writes one access-log
-- row per exported person, so a 1,000-row insert left 1,000 dead versions of the one head row; under
-- load each update took milliseconds as they piled up between autovacuum visits. Now:
--
--   BEFORE STATEMENT  audit_event_chain_begin: locks the head row FOR UPDATE (held to the end of the
--                     transaction, as before) and copies its hash into the transaction-local setting
--                     hssk.audit_chain_hash;
--   BEFORE ROW        audit_event_chain (same name as in 010): draws the id, chains the row to the
--                     setting's hash, stores the row's own hash in the setting;
--   AFTER STATEMENT   audit_event_chain_end: checks that the statement's rows, in id order, link to the
--                     head as locked and to each other, then writes the last id and hash to the head.
--
-- What migration 010 guaranteed still holds:
-- - Chain order equals id order under concurrency: ids are drawn only in the row trigger, after the
--   statement took the head lock, and no other transaction can take it before this one ends.
-- - The setting is only a running value between rows of one statement; it is never trusted alone.
--   Any code in the transaction can call set_config, so the AFTER STATEMENT check walks the
--   statement's own rows (transition table) and refuses the statement if a link does not follow the
--   locked head (a setting changed mid-statement, a nested insert): the insert fails, nothing forks.
-- - The head moves only from inside these trigger functions (the guard of 010 allows an update at
--   trigger depth > 1 only); the application role still has no privilege on audit_chain_head.
-- - SECURITY DEFINER with the migration's search_path, as in 010.
-- - Append-only triggers, canonical text and hash are unchanged: `hssk audit verify` reads the chain
--   exactly as before, and a tampered row is found at the same row.
-- A later chain per Citus shard can key the head row and the setting by a chain key column; nothing
-- here assumes there is one head other than the `where id = 1`.

create function audit_event_chain_begin() returns trigger language plpgsql security definer set search_path from current as $$
declare
  head text;
begin
  select last_hash into head from audit_chain_head where id = 1 for update;
  perform set_config('hssk.audit_chain_hash', head, true);
  return null;
end $$;

create or replace function audit_event_chain() returns trigger language plpgsql security definer set search_path from current as $$
declare
  head text := current_setting('hssk.audit_chain_hash', true);
begin
  if head is null or head = '' then
    raise exception 'audit_event insert outside its own statement''s chain triggers (triggers disabled, or an insert nested in another audit insert)'
      using errcode = 'insufficient_privilege', hint = 'The triggers of migration 085 must all be enabled.';
  end if;
  -- The id is drawn only now, after the statement took the head lock, so id order is chain order for
  -- concurrent inserts (a column default would number them in arrival order, before the lock).
  new.id := nextval('audit_event_id_seq');
  new.prev_hash := head;
  new.hash := audit_event_hash(new);
  perform set_config('hssk.audit_chain_hash', new.hash, true);
  return new;
end $$;

create function audit_event_chain_end() returns trigger language plpgsql security definer set search_path from current as $$
declare
  prev text;
  last bigint;
  r record;
begin
  -- Still locked by audit_event_chain_begin; FOR UPDATE reads the newest version whatever the snapshot.
  select last_hash into prev from audit_chain_head where id = 1 for update;
  for r in select n.id, n.prev_hash, n.hash from audit_event_new n order by n.id loop
    if r.prev_hash is distinct from prev then
      raise exception 'audit row % does not follow the chain head (expected prev_hash %, found %)', r.id, prev, r.prev_hash
        using errcode = 'insufficient_privilege', hint = 'hssk.audit_chain_hash is set by the audit triggers only.';
    end if;
    prev := r.hash;
    last := r.id;
  end loop;
  if last is not null then
    update audit_chain_head set last_id = last, last_hash = prev where id = 1;
  end if;
  perform set_config('hssk.audit_chain_hash', '', true);
  return null;
end $$;

create trigger audit_event_chain_begin before insert on audit_event
  for each statement execute function audit_event_chain_begin();
create trigger audit_event_chain_end after insert on audit_event
  referencing new table as audit_event_new
  for each statement execute function audit_event_chain_end();
