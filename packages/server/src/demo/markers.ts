import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { createDistrict, generateResidents } from '@openhssk/core/synth';
import { type Generated, sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { registryCsv } from './registry-csv.ts';

export const DEMO_KINDS = ['facility', 'staff_account', 'dev_idp_account', 'admin_unit', 'mpi_import', 'person', 'app_state', 'file'] as const;
export type DemoKind = (typeof DEMO_KINDS)[number];

// A type alias, not an interface: withTables<T> needs an implicit index signature.
type DemoTables = { demo_object: { kind: DemoKind; key: string; created_at: Generated<Date> } };
const demoDb = (db: Db) => db.withTables<DemoTables>();

/** Usernames seedDemoStaff (staff/demo.ts) gives the demo staff: for databases seeded before markers existed. */
export const DEMO_STAFF_USERNAMES: readonly string[] = ['quantri', 'letan', 'bacsi', 'quantri.coso', 'canbo.huyen', 'tram.truong', 'dieuduong.xa'];
/** app_state keys the demo writes: its marker, its citizens list, one signing certificate per facility. */
const DEMO_STATE_KEYS = ['demo_seeded', 'demo_citizens'];
const DEMO_SIGNER_PREFIX = 'demo_signer_';

/** Records objects the demo created (idempotent). */
export async function markDemo(db: Db, kind: DemoKind, keys: readonly (string | number)[]): Promise<void> {
  for (let i = 0; i < keys.length; i += 1000) {
    const rows = keys.slice(i, i + 1000).map((k) => ({ kind, key: String(k) }));
    if (rows.length) await demoDb(db).insertInto('demo_object').values(rows).onConflict((oc) => oc.doNothing()).execute();
  }
}

export async function demoKeys(db: Db, kind: DemoKind): Promise<string[]> {
  return (await demoDb(db).selectFrom('demo_object').select('key').where('kind', '=', kind).orderBy('key').execute()).map((r) => r.key);
}

/** Demo persons: those formed only from records of the demo (demo import, demo facilities' patients). */
export async function markDemoPersons(db: Db): Promise<void> {
  await sql`insert into demo_object (kind, key)
    select distinct 'person', sr.person_id from source_record sr
     where sr.person_id is not null and ${isDemoRecord(sql`sr`)}
       and not exists (select 1 from source_record o where o.person_id = sr.person_id and not ${isDemoRecord(sql`o`)})
    on conflict do nothing`.execute(db);
}

/**
 * A source record of the demo: a row of a demo population import, or a patient of a demo facility
 * (KCB source ids start with the facility code: ingest/prepare.ts, ingest/visits.ts).
 */
export function isDemoRecord(alias: ReturnType<typeof sql>) {
  return sql`(${alias}.import_id in (select key::bigint from demo_object where kind = 'mpi_import')
    or (${alias}.source_system = 'KCB' and split_part(${alias}.source_id, ':', 1) in (select key from demo_object where kind = 'facility')))`;
}

export interface DemoPresence {
  /** Marked objects by kind (only kinds present). */
  objects: Partial<Record<DemoKind, number>>;
  /** app_state rows of a demo seeded before markers existed (not yet adopted by a purge). */
  legacyState: string[];
  total: number;
}

/** What of the demo is in the database; read-only, for the production check and the start line. */
export async function demoPresence(db: Db): Promise<DemoPresence> {
  const counts = await demoDb(db).selectFrom('demo_object').select(['kind', db.fn.countAll<number>().as('n')]).groupBy('kind').execute();
  const objects: Partial<Record<DemoKind, number>> = {};
  for (const c of counts) objects[c.kind] = Number(c.n);
  const legacy = await sql<{ key: string }>`select key from app_state a
    where (key = any(${DEMO_STATE_KEYS}::text[]) or key like ${`${DEMO_SIGNER_PREFIX.replace(/_/g, '\\_')}%`})
      and not exists (select 1 from demo_object d where d.kind = 'app_state' and d.key = a.key)
    order by key`.execute(db);
  const legacyState = legacy.rows.map((r) => r.key);
  return { objects, legacyState, total: counts.reduce((s, c) => s + Number(c.n), 0) + legacyState.length };
}

/**
 * A database seeded before demo_object existed carries only the demo's app_state rows. Its objects
 * are found again from what the demo writes deterministically: facility codes in the signer keys,
 * the citizens list, the demo staff usernames, the district's units, and the population list (the
 * same seed and size give the same CSV bytes, hence the same import hash).
 */
export async function adoptLegacyDemo(db: Db, opts: { credentialsFile?: string | undefined } = {}): Promise<boolean> {
  const { legacyState } = await demoPresence(db);
  if (legacyState.length === 0) return false;
  await markDemo(db, 'app_state', legacyState);
  const facilities = legacyState.filter((k) => k.startsWith(DEMO_SIGNER_PREFIX)).map((k) => k.slice(DEMO_SIGNER_PREFIX.length));
  if (facilities.length) {
    await markDemo(db, 'facility', (await db.selectFrom('facility').select('code').where('code', 'in', facilities).execute()).map((r) => r.code));
  }
  const citizens = await db.selectFrom('app_state').select('value').where('key', '=', 'demo_citizens').executeTakeFirst();
  const ids = ((citizens?.value ?? []) as Array<{ personal_id?: unknown }>).map((c) => c.personal_id).filter((x): x is string => typeof x === 'string');
  if (ids.length) await markDemo(db, 'dev_idp_account', ids);
  const staff = await sql<{ id: string }>`select id from staff_account where username = any(${[...DEMO_STAFF_USERNAMES]}::text[])`.execute(db);
  await markDemo(db, 'staff_account', staff.rows.map((r) => r.id));
  const district = createDistrict();
  const units = [district.provinceCode, district.code, ...district.communes.map((c) => c.code)];
  await markDemo(db, 'admin_unit', (await db.selectFrom('admin_unit').select('code').where('code', 'in', units).execute()).map((r) => r.code));
  const seeded = (await db.selectFrom('app_state').select('value').where('key', '=', 'demo_seeded').executeTakeFirst())?.value as
    | { seed?: number; persons?: number }
    | undefined;
  if (seeded?.seed !== undefined && seeded.persons !== undefined) {
    const sha = createHash('sha256').update(registryCsv(generateResidents({ seed: seeded.seed, persons: seeded.persons, district }))).digest('hex');
    const imports = await sql<{ id: number }>`select id from mpi_import where file_sha256 = ${sha}`.execute(db);
    await markDemo(db, 'mpi_import', imports.rows.map((r) => r.id));
  }
  if (opts.credentialsFile && existsSync(opts.credentialsFile)) await markDemo(db, 'file', [resolve(opts.credentialsFile)]);
  await markDemoPersons(db);
  return true;
}
