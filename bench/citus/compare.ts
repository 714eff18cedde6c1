/**
 * Single PostgreSQL node beside the local 2-worker Citus cluster (issue 21), in one run, same data:
 * bulk episode writes per second, the book summary's SQL (book summaryRows, one person with 300
 * episodes) p50/p95, storage per episode and per person, and on the cluster the time to move the
 * largest episode shard with its co-located shards to the other worker and back (what a rebalance
 * costs per byte; blocking writes to that shard group, the mode that needs no logical replication).
 * Data is generated with SQL generate_series, fast enough for large scales; ingest through the API on
 * both sides is bench/citus/ingest.ts. Usage:
 *   scripts/citus-cluster up
 *   npx tsx bench/citus/compare.ts [--persons 20000] [--episodes 100000] [--iterations 200]
 * SINGLE_DATABASE_URL (default the local 5432) and CITUS_DATABASE_URL (default the cluster's) are
 * admin URLs; each side gets a scratch database that is dropped afterwards.
 */
import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { summaryRows } from '@openhssk/server/book';
import { migrate, openDatabase } from '@openhssk/server/db';
import { createScratchPostgres, DEFAULT_ADMIN_URL } from '@openhssk/server/test-support';
import { sql } from 'kysely';

const { values } = parseArgs({
  options: {
    persons: { type: 'string', default: '20000' },
    episodes: { type: 'string', default: '100000' },
    iterations: { type: 'string', default: '200' },
  },
});
const persons = Number(values.persons);
const episodes = Number(values.episodes);
const iterations = Number(values.iterations);
const PER_TARGET = 300;
const TARGET = 'P0000000001';
const citusUrl =
  process.env.CITUS_DATABASE_URL ?? execFileSync(new URL('../../scripts/citus-cluster', import.meta.url).pathname, ['url'], { encoding: 'utf8' }).trim();
const sides = [
  { name: 'single node (PostgreSQL 15)', url: process.env.SINGLE_DATABASE_URL ?? DEFAULT_ADMIN_URL },
  { name: 'Citus: coordinator + 2 workers', url: citusUrl },
];

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const rows: string[] = [];
const moves: string[] = [];

/**
 * Moves the largest `episode` shard, with every shard co-located with it (person, episode_row, …),
 * to the other worker and back; answers a line with the bytes moved and the rate each way.
 */
async function moveLargestShard(db: Parameters<typeof summaryRows>[0]) {
  const largest = (await sql<{ shardid: string; nodename: string; nodeport: number }>`
    select shardid::text, nodename, nodeport from citus_shards where table_name = 'episode'::regclass order by shard_size desc limit 1`.execute(db)).rows[0];
  const other = (await sql<{ nodename: string; nodeport: number }>`
    select nodename, nodeport from pg_dist_node where noderole = 'primary' and groupid > 0 and not (nodename = ${largest!.nodename} and nodeport = ${largest!.nodeport}) limit 1`.execute(db)).rows[0];
  if (!largest || !other) return null;
  // The shard group: every shard holding the same hash range of the same co-location group.
  const group = (await sql<{ bytes: string; shards: number }>`
    select sum(s.shard_size)::text as bytes, count(*)::int as shards from citus_shards s
      join pg_dist_shard d on d.shardid = s.shardid
      join pg_dist_shard e on e.shardid = ${largest.shardid}::bigint
     where s.colocation_id = (select colocation_id from citus_shards where shardid = ${largest.shardid}::bigint limit 1)
       and d.shardminvalue = e.shardminvalue`.execute(db)).rows[0]!;
  const timed = async (from: { nodename: string; nodeport: number }, to: { nodename: string; nodeport: number }) => {
    const t = performance.now();
    await sql`select citus_move_shard_placement(${largest.shardid}::bigint, ${from.nodename}, ${from.nodeport}, ${to.nodename}, ${to.nodeport}, shard_transfer_mode := 'block_writes')`.execute(db);
    return (performance.now() - t) / 1000;
  };
  const there = await timed(largest, other);
  const back = await timed(other, largest);
  const mb = Number(group.bytes) / 1e6;
  return `shard move (${group.shards} co-located shards, ${mb.toFixed(1)} MB): ${there.toFixed(1)} s there (${(mb / there).toFixed(1)} MB/s), ${back.toFixed(1)} s back (${(mb / back).toFixed(1)} MB/s)`;
}
for (const side of sides) {
  const scratch = await createScratchPostgres('hssk_bench_citus', side.url);
  const handle = await openDatabase({ url: scratch.url, poolSize: 4 });
  try {
    await migrate(handle);
    const citus = (await sql<{ n: number }>`select count(*)::int as n from pg_extension where extname = 'citus'`.execute(handle.db)).rows[0]!.n > 0;
    const db = handle.db;
    await sql`insert into facility(code, name) select lpad((79000 + g)::text, 5, '0'), 'Bệnh viện ' || g from generate_series(1, 20) g`.execute(db);
    await sql`insert into submission(id, facility_code, channel, sha256, size_bytes, status, episode_count, accepted_count, warning_count, rejected_count, receipt)
      values ('bench', '79001', 'bench', 'x', 0, 'accepted', 0, 0, 0, 0, '{}')`.execute(db);
    const t0 = performance.now();
    await sql`insert into person(id, ho_ten, name_key, ngay_sinh, birth_year, gioi_tinh, so_cccd)
      select 'P' || lpad(g::text, 10, '0'), 'Nguyễn Văn ' || g, 'NGUYEN VAN ' || g, (1940 + g % 80)::text || '-06-15', 1940 + g % 80, 1 + g % 2, lpad(g::text, 12, '0')
      from generate_series(1, ${persons}::int) g`.execute(db);
    const t1 = performance.now();
    // Episodes in statements of 1,000 rows (like ingest's batches), each with two XML2 rows.
    const batch = 1000;
    for (let from = 0; from < episodes; from += batch) {
      const n = Math.min(batch, episodes - from);
      await db.transaction().execute(async (tx) => {
        await sql`
          insert into episode(id, facility_code, ma_lk, version, is_current, submission_id, person_id, patient_source_id, status, ma_bn, ho_ten,
                              ma_loai_kcb, ngay_vao, ngay_ra, ma_benh_chinh, chan_doan_rv, sensitivity, content_sha256, xml1)
          select ${from}::int + g, lpad((79001 + g % 20)::text, 5, '0'), 'LK' || (${from}::int + g), 1, true, 'bench',
                 case when ${from}::int + g <= ${PER_TARGET}::int then ${TARGET} else 'P' || lpad((2 + ((${from}::int8 + g) * 7919) % (${persons}::int - 1))::text, 10, '0') end,
                 'src' || g, 'accepted', 'BN' || g, 'Nguyễn Văn', (array['01','02','03'])[1 + g % 3],
                 timestamp '2015-01-01' + (g % 3650) * interval '1 day', timestamp '2015-01-01' + (g % 3650) * interval '1 day' + interval '3 hours',
                 (array['I10','E11.9','J18.9','K29.7','J20.9'])[1 + g % 5], 'Chẩn đoán ra viện', '{}'::text[], md5(g::text), '{"fields":{}}'::jsonb
          from generate_series(1, ${n}::int) g`.execute(tx);
        await sql`
          insert into episode_row(episode_id, person_id, tbl, row_no, fields)
          select e.id, e.person_id, 'XML2', r, jsonb_build_object('TEN_THUOC', 'Thuốc ' || r, 'LIEU_DUNG', '1 viên x 2 lần/ngày')
          from episode e, generate_series(1, 2) r where e.id > ${from}::int and e.id <= ${from + n}::int`.execute(tx);
      });
    }
    const t2 = performance.now();
    await sql`analyze`.execute(db);
    const size = async (table: string) =>
      Number((await sql<{ b: string }>`select ${sql.raw(citus ? 'citus_total_relation_size' : 'pg_total_relation_size')}(${table}::regclass)::text as b`.execute(db)).rows[0]!.b);
    const episodeBytes = (await size('episode')) + (await size('episode_row'));
    const personBytes = await size('person');
    const call = async () => {
      const r = await summaryRows(db, TARGET);
      if (r.episodes.length !== PER_TARGET) throw new Error(`expected ${PER_TARGET} episodes, got ${r.episodes.length}`);
    };
    for (let i = 0; i < 20; i++) await call();
    const times: number[] = [];
    for (let i = 0; i < iterations; i++) {
      const s = performance.now();
      await call();
      times.push(performance.now() - s);
    }
    const move = citus ? await moveLargestShard(db) : null;
    if (move) moves.push(move);
    rows.push(
      `| ${side.name} | ${Math.round(episodes / ((t2 - t1) / 1000)).toLocaleString('en')} | ${Math.round(persons / ((t1 - t0) / 1000)).toLocaleString('en')} | ${pct(times, 50).toFixed(1)} | ${pct(times, 95).toFixed(1)} | ${Math.round(episodeBytes / episodes).toLocaleString('en')} | ${Math.round(personBytes / persons).toLocaleString('en')} |`,
    );
    console.log(rows.at(-1), `load ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
  } finally {
    await handle.close();
    await scratch.drop();
  }
}
console.log(`\n${persons.toLocaleString('en')} persons, ${episodes.toLocaleString('en')} episodes (2 XML2 rows each); load average at the end ${loadavg().map((x) => x.toFixed(1)).join(' ')}`);
console.log('| side | episodes/s written (1,000 per statement, with rows) | persons/s written | book summary SQL p50 ms | p95 ms | bytes per episode (with rows, indexes) | bytes per person |');
console.log('|---|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
for (const m of moves) console.log(m);
