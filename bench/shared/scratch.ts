/**
 * Bench-local helpers for benches that generate a province in their own PostgreSQL database and can
 * keep it for a later run (--keep, then --reuse NAME measures the same data after a code change).
 * Not test support: nothing here is used by the server's tests.
 */
import { randomBytes } from 'node:crypto';
import { type DatabaseHandle, type Db, openDatabase } from '@openhssk/server/db';
import { type RawBuilder, sql } from 'kysely';
import pg from 'pg';

export interface BenchDatabase {
  handle: DatabaseHandle;
  db: Db;
  /** The database's name: printed so a kept one can be reused. */
  name: string;
  /** True when --reuse named a database an earlier --keep run left (its data is already there). */
  reused: boolean;
  /** Closes the handle and drops the database unless it is kept or was reused. */
  close(keep: boolean): Promise<void>;
}

/**
 * A new database `hssk_bench_<prefix>_<8 hex>` on BENCH_DATABASE_URL's server (default the local
 * postgres), or the one `reuse` names, which must be such a name (nothing else is ever opened or dropped).
 */
export async function benchDatabase(prefix: string, opts: { reuse?: string | undefined; poolSize: number }): Promise<BenchDatabase> {
  const adminUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const pattern = new RegExp(`^hssk_bench_${prefix}_[0-9a-f]{8}$`);
  if (opts.reuse !== undefined && !pattern.test(opts.reuse)) throw new Error('--reuse takes the name of a database kept by --keep');
  const name = opts.reuse ?? `hssk_bench_${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  if (opts.reuse === undefined) await admin.query(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const handle = await openDatabase({ url: url.toString(), poolSize: opts.poolSize });
  return {
    handle,
    db: handle.db,
    name,
    reused: opts.reuse !== undefined,
    async close(keep) {
      await handle.close();
      if (!keep && opts.reuse === undefined) await admin.query(`drop database if exists ${name} with (force)`);
      else console.log(`database kept: ${name} (re-run with --reuse ${name})`);
      await admin.end();
    },
  };
}

/** A line with the wall-clock time, and a step timed in seconds. */
export const log = (m: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${m}`);
export async function timed<T>(label: string, f: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  const r = await f();
  log(`${label}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return r;
}

/**
 * The national programme's doses of every child under 8 up to their age (one dose in sixteen missing,
 * so some are overdue), given at the facility `facilityOf` names for the person row `p`.
 */
export async function insertProgrammeDoses(db: Db, facilityOf: RawBuilder<string>): Promise<void> {
  await sql`insert into vaccination (person_id, source, vaccine_name, vaccine_code, product_id, antigens, dose_no, given_on, facility_code)
    select p.id, 'TYT', d.name, d.product, d.product, d.antigens, d.dose,
           (p.ngay_sinh::date + make_interval(months => d.m, days => d.dd + abs(hashtext(p.id)) % 8))::date, ${facilityOf}
      from person p
      cross join (values
        (0, 0, 'VGB sơ sinh', 'VGB', array['hepb'], 1), (0, 1, 'BCG', 'BCG', array['bcg'], 1),
        (2, 0, 'DPT-VGB-Hib', 'DPT-VGB-Hib', array['diphtheria','tetanus','pertussis','hepb','hib'], 1), (2, 0, 'bOPV', 'bOPV', array['polio_oral'], 1),
        (3, 0, 'DPT-VGB-Hib', 'DPT-VGB-Hib', array['diphtheria','tetanus','pertussis','hepb','hib'], 2), (3, 0, 'bOPV', 'bOPV', array['polio_oral'], 2),
        (4, 0, 'DPT-VGB-Hib', 'DPT-VGB-Hib', array['diphtheria','tetanus','pertussis','hepb','hib'], 3), (4, 0, 'bOPV', 'bOPV', array['polio_oral'], 3),
        (5, 0, 'IPV', 'IPV', array['polio_inactivated'], 1), (9, 0, 'IPV', 'IPV', array['polio_inactivated'], 2), (9, 0, 'Sởi', 'Measles', array['measles'], 1),
        (12, 0, 'VNNB', 'JE', array['je'], 1), (12, 14, 'VNNB', 'JE', array['je'], 2), (18, 0, 'MR', 'MR', array['measles','rubella'], 1),
        (18, 0, 'DPT', 'DPT', array['diphtheria','tetanus','pertussis'], 4), (24, 14, 'VNNB', 'JE', array['je'], 3)
      ) as d(m, dd, name, product, antigens, dose)
     where p.ngay_sinh > to_char(current_date - interval '8 years', 'YYYY-MM-DD')
       and p.ngay_sinh::date + make_interval(months => d.m, days => d.dd + 8) < current_date
       and abs(hashtext(p.id || d.name || d.dose)) % 16 <> 0`.execute(db);
}
