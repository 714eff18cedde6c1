import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createTestDatabase } from '../../test-support/database.ts';
import { CITUS_TABLES } from './citus-tables.ts';
import { hasCitus } from './migrate.ts';

// Runs on every database: the placement list must cover the schema the plain migrations build, so a
// new table fails here (on PGlite already) until someone decides where it lives on a cluster.
describe(`table placement on a Citus cluster (${process.env.HSSK_TEST_DB ?? 'pglite'})`, () => {
  let h: Awaited<ReturnType<typeof createTestDatabase>>;
  let tables: { table_name: string; columns: string[] }[];
  before(async () => {
    h = await createTestDatabase();
    tables = (
      await sql<{ table_name: string; columns: string[] }>`
        select t.table_name, array_agg(c.column_name::text order by c.ordinal_position) as columns
        from information_schema.tables t join information_schema.columns c using (table_schema, table_name)
        where t.table_schema = 'public' and t.table_type = 'BASE TABLE'
        group by t.table_name order by t.table_name`.execute(h.db)
    ).rows;
  });
  after(async () => h.drop());

  it('every table of the schema has a placement, and every placement a table', () => {
    const names = tables.map((t) => t.table_name);
    assert.deepEqual(names.filter((n) => !(n in CITUS_TABLES)), [], 'tables without a placement in db/citus-tables.ts');
    assert.deepEqual(Object.keys(CITUS_TABLES).filter((n) => !names.includes(n)).sort(), [], 'placements of tables that do not exist');
  });

  it('a table with a person column is marked personal', () => {
    const personColumn = /(^|_)person(_id)?$|^from_person$|^to_person$/;
    const unmarked = tables
      .filter((t) => t.columns.some((c) => personColumn.test(c)) || t.table_name === 'person')
      .filter((t) => !CITUS_TABLES[t.table_name]?.personal)
      .map((t) => t.table_name);
    assert.deepEqual(unmarked, []);
  });

  it('every personal-data table is distributed or a reference table', () => {
    const misplaced = Object.entries(CITUS_TABLES)
      .filter(([, p]) => p.personal && p.kind !== 'distributed' && p.kind !== 'reference' && p.kind !== 'pending')
      .map(([t]) => t);
    assert.deepEqual(misplaced, []);
  });

  for (const [table, p] of Object.entries(CITUS_TABLES)) {
    if (p.kind === 'pending') it(`personal table ${table} still on the coordinator: ${p.why}`, { todo: true }, () => assert.fail(p.why));
  }

  it('distributed tables carry their distribution column', () => {
    const missing = Object.entries(CITUS_TABLES).flatMap(([t, p]) =>
      p.kind === 'distributed' && !tables.find((x) => x.table_name === t)?.columns.includes(p.column) ? [`${t}.${p.column}`] : [],
    );
    assert.deepEqual(missing, []);
  });

  it('on a Citus coordinator, pg_dist_partition places each table as listed', async (t) => {
    if (!(await hasCitus(h))) return t.skip('not a Citus database (scripts/citus-cluster up; npm run test:citus)');
    const rows = (
      await sql<{ table_name: string; method: string; repmodel: string; column: string | null; colocation: number }>`
        select logicalrelid::text as table_name, partmethod as method, repmodel,
               case when partmethod = 'h' then column_to_column_name(logicalrelid, partkey) end as column,
               colocationid as colocation
        from pg_dist_partition`.execute(h.db)
    ).rows;
    const actual = new Map(rows.map((r) => [r.table_name, r]));
    const colocationOf = (table: string) => actual.get(table)?.colocation;
    const wrong: string[] = [];
    for (const [table, p] of Object.entries(CITUS_TABLES)) {
      const r = actual.get(table);
      if (p.kind === 'distributed') {
        if (r?.method !== 'h' || r.column !== p.column) wrong.push(`${table}: not distributed by ${p.column}`);
        else if (p.colocate !== table && colocationOf(p.colocate) !== r.colocation) wrong.push(`${table}: not co-located with ${p.colocate}`);
      } else if (p.kind === 'reference') {
        if (r?.method !== 'n' || r.repmodel !== 't') wrong.push(`${table}: not a reference table`);
      } else if (r && r.method !== 'n') {
        wrong.push(`${table}: expected on the coordinator, found partition method ${r.method}`);
      }
    }
    assert.deepEqual(wrong, []);
    // The cluster has workers holding the shards, not only the coordinator.
    const shards = await sql<{ n: number }>`
      select count(distinct nodeport)::int as n from pg_dist_shard_placement p join pg_dist_shard s using (shardid)
      where s.logicalrelid = 'episode'::regclass`.execute(h.db);
    assert.ok((shards.rows[0]?.n ?? 0) >= 2, 'episode shards spread over at least two workers');
  });
});
