-- Citus only (issue 21): run by db/migrate.ts after the plain migrations, and only when the database
-- has the citus extension. Plain PostgreSQL and PGlite never see this folder.
--
-- Code sets, facilities, administrative units and staff become reference tables (a copy on every
-- node, so joins to them stay on the shard). Personal data is hash-distributed by person_id and
-- co-located with person, so everything about one person lives on one shard and the book, check-in,
-- clinician summary and FHIR $everything route to it. Three personal tables without person_id are
-- distributed by their own key (submission_raw by submission, bhyt_card_observation by the card's
-- social-insurance number, person_identifier by the CCCD/BHXH number the check-in looks up). What
-- stays on the coordinator is listed with its reason in
-- packages/server/src/db/citus-tables.ts, which the cluster test compares with pg_dist_partition.
--
-- Citus enforces a unique key or a foreign key between distributed tables only when it includes the
-- distribution column, so on the cluster (only here, not on a province's single node):
--   * every primary key and unique index of a distributed table gets the distribution column first
--     (global uniqueness of e.g. episode(facility_code, ma_lk, version) becomes per-person);
--   * foreign keys between distributed tables are kept only when they are exactly person_id →
--     person(id) (re-created once every table is distributed); the others (episode_row → episode, visit → episode, …) are dropped;
--   * foreign keys from a reference table to a distributed one are dropped (not supported).

-- Sequential: DDL on many co-located shards inside one transaction, on a 2-core machine.
set local citus.multi_shard_modify_mode to 'sequential';
-- staff_account's password_set_at trigger only rewrites NEW, which is safe on a shard.
set local citus.enable_unsafe_triggers to on;

do $$
begin
  if not exists (select 1 from pg_dist_node where groupid = 0) then
    raise exception 'the coordinator is not in its own node list'
      using hint = 'select citus_set_coordinator_host(''<host>'', <port>) first: local tables that reference reference tables need it';
  end if;
end $$;

create temporary table citus_plan (ord int, tbl text, kind text, col text, colocate text) on commit drop;
insert into citus_plan values
  -- reference tables, parents before the tables that reference them
  (1, 'admin_unit', 'reference', null, null),
  (2, 'facility', 'reference', null, null),
  (3, 'facility_credential', 'reference', null, null),
  (4, 'facility_certificate', 'reference', null, null),
  (5, 'staff_account', 'reference', null, null),
  (6, 'imm_session', 'reference', null, null),
  (7, 'report_target', 'reference', null, null),
  (8, 'mpi_model', 'reference', null, null),
  (9, 'station_household', 'reference', null, null),
  (10, 'mpi_review', 'reference', null, null),
  (11, 'mpi_merge', 'reference', null, null),
  (12, 'citizen_account', 'reference', null, null),
  (13, 'correction_holiday', 'reference', null, null),
  (14, 'relay_setting', 'reference', null, null),
  (15, 'smart_app', 'reference', null, null),
  (16, 'smart_authorization', 'reference', null, null),
  -- one person's data, co-located with person
  (20, 'person', 'distributed', 'id', 'none'),
  (21, 'person_relation', 'distributed', 'person_id', 'person'),
  (22, 'source_record', 'distributed', 'person_id', 'person'),
  (23, 'episode', 'distributed', 'person_id', 'person'),
  (24, 'episode_row', 'distributed', 'person_id', 'person'),
  (25, 'visit', 'distributed', 'person_id', 'person'),
  (26, 'citizen_declaration', 'distributed', 'person_id', 'person'),
  (27, 'book_share', 'distributed', 'person_id', 'person'),
  (28, 'vaccination', 'distributed', 'person_id', 'person'),
  (29, 'imm_reaction_report', 'distributed', 'person_id', 'person'),
  (30, 'imm_slot_request', 'distributed', 'person_id', 'person'),
  (31, 'break_glass_grant', 'distributed', 'person_id', 'person'),
  (32, 'mpi_correction', 'distributed', 'person_id', 'person'),
  (33, 'pc_entry', 'distributed', 'person_id', 'person'),
  (34, 'pc_record_field', 'distributed', 'person_id', 'person'),
  (35, 'pc_record_field_history', 'distributed', 'person_id', 'person'),
  (36, 'pc_person_summary', 'distributed', 'person_id', 'person'),
  (37, 'pc_checkup', 'distributed', 'person_id', 'person'),
  (38, 'pc_enrolment', 'distributed', 'person_id', 'person'),
  (39, 'pc_followup', 'distributed', 'person_id', 'person'),
  (40, 'station_member', 'distributed', 'person_id', 'person'),
  (41, 'station_event', 'distributed', 'person_id', 'person'),
  (42, 'report_person_state', 'distributed', 'person_id', 'person'),
  (43, 'correction_request', 'distributed', 'person_id', 'person'),
  (44, 'correction_event', 'distributed', 'person_id', 'person'),
  (45, 'citizen_contact', 'distributed', 'person_id', 'person'),
  (46, 'citizen_notification', 'distributed', 'person_id', 'person'),
  (47, 'notification_preference', 'distributed', 'person_id', 'person'),
  (48, 'vital_sign', 'distributed', 'person_id', 'person'),
  (49, 'imm_due', 'distributed', 'person_id', 'person'),
  -- personal data keyed otherwise: their own co-location groups
  (50, 'submission_raw', 'distributed', 'submission_id', 'none'),
  (51, 'bhyt_card_observation', 'distributed', 'bhxh', 'none'),
  (52, 'relay_message', 'distributed', 'facility_code', 'none'),
  (53, 'appointment_reminder', 'distributed', 'facility_code', 'relay_message'),
  (54, 'appointment_plan_queue', 'distributed', 'person_id', 'person'),
  (55, 'person_identifier', 'distributed', 'identifier', 'none');

do $$
declare
  p record;
  f record;
  i record;
  cols text;
  pk_name text;
  col_not_null boolean;
  keep text[] := '{}';
begin
  -- 1. Foreign keys Citus cannot enforce.
  for f in
    select k.oid, k.conname, k.conrelid::regclass::text as src, k.confrelid::regclass::text as dst,
           (select array_agg(a.attname::text order by a.attnum) from pg_attribute a where a.attrelid = k.conrelid and a.attnum = any (k.conkey)) as src_cols,
           (select array_agg(a.attname::text order by a.attnum) from pg_attribute a where a.attrelid = k.confrelid and a.attnum = any (k.confkey)) as dst_cols
    from pg_constraint k where k.contype = 'f' and k.connamespace = 'public'::regnamespace
  loop
    declare
      s citus_plan;
      d citus_plan;
    begin
      select * into s from citus_plan where tbl = f.src;
      select * into d from citus_plan where tbl = f.dst;
      if (s.kind = 'distributed' and d.kind = 'distributed'
            and not (d.tbl = 'person' and s.colocate = 'person' and f.src_cols = array[s.col] and f.dst_cols = array['id']))
         or (s.kind = 'distributed' and d.kind is null)
         or (s.kind = 'reference' and d.kind = 'distributed')
         or (s.kind is null and d.kind = 'distributed') then
        execute format('alter table %I drop constraint %I', f.src, f.conname);
      elsif s.kind = 'distributed' and d.kind = 'distributed' then
        -- person_id → person(id) is kept, but a local table may not reference a distributed one, so
        -- it is added back once every table is in place.
        keep := keep || format('alter table %I add constraint %I %s', f.src, f.conname, pg_get_constraintdef(f.oid));
        execute format('alter table %I drop constraint %I', f.src, f.conname);
      end if;
    end;
  end loop;

  -- 2. Unique keys of distributed tables lead with the distribution column.
  for p in select * from citus_plan where kind = 'distributed' order by ord loop
    select a.attnotnull into col_not_null from pg_attribute a where a.attrelid = p.tbl::regclass and a.attname = p.col;
    for i in
      select x.indexrelid, x.indisprimary, c.relname as idx, k.conname,
             (select array_agg(pg_get_indexdef(x.indexrelid, n, true) order by n) from generate_series(1, x.indnkeyatts) n) as keys,
             pg_get_expr(x.indpred, x.indrelid, true) as pred,
             am.amname
      from pg_index x join pg_class c on c.oid = x.indexrelid join pg_am am on am.oid = c.relam
      left join pg_constraint k on k.conindid = x.indexrelid and k.conrelid = x.indrelid
      where x.indrelid = p.tbl::regclass and x.indisunique
    loop
      continue when p.col = any (i.keys);
      cols := array_to_string(array_prepend(quote_ident(p.col), i.keys), ', ');
      if i.conname is not null then
        execute format('alter table %I drop constraint %I', p.tbl, i.conname);
      else
        execute format('drop index %I', i.idx);
      end if;
      if i.indisprimary and col_not_null then
        execute format('alter table %I add primary key (%s)', p.tbl, cols);
      elsif i.indisprimary then
        -- A nullable distribution column cannot be in a primary key: the same key as a unique index.
        execute format('create unique index %I on %I (%s)', p.tbl || '_dist_key', p.tbl, cols);
      else
        execute format('create unique index %I on %I using %s (%s)%s', i.idx, p.tbl, i.amname, cols,
          coalesce(' where ' || i.pred, ''));
      end if;
    end loop;
  end loop;

  -- 3. Distribute, references first, then person, then the tables co-located with it.
  for p in select * from citus_plan order by ord loop
    if p.kind = 'reference' then
      perform create_reference_table(p.tbl::regclass);
    else
      perform create_distributed_table(p.tbl::regclass, p.col, colocate_with => p.colocate);
    end if;
  end loop;

  -- 4. The co-located foreign keys to person.
  for i in select unnest(keep) as ddl loop
    execute i.ddl;
  end loop;
end $$;
