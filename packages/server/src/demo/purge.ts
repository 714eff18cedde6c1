import { readFileSync, rmSync } from 'node:fs';
import { basename } from 'node:path';
import { type BilingualMessage, DomainError } from '@openhssk/core';
import { type RawBuilder, sql } from 'kysely';
import { audit } from '../audit/index.ts';
import { purgeCardObservations } from '../bhyt/index.ts';
import { purgeCorrectionDemo } from '../correction/index.ts';
import type { Db } from '../db/index.ts';
import { purgeImmunizationRows } from '../immunization/index.ts';
import { purgeAppointmentDemo } from '../appointments/index.ts';
import { purgePrimaryCareDemo } from '../primary-care/index.ts';
import { purgeRelayRows } from '../relay/index.ts';
import { forgetReportContributions } from '../reports/index.ts';
import { purgeStationDemo, STATION_SOURCE } from '../station/index.ts';
import { purgeVitalRows } from '../vitals/index.ts';
import { adoptLegacyDemo } from './markers.ts';

/** One reason the purge refused, with how many rows and a few of them. */
export interface PurgeRefusal extends BilingualMessage {
  count: number;
  examples: string[];
}

export interface PurgeResult {
  /** false: the database held no demo object. */
  purged: boolean;
  /** Rows deleted by table. */
  deleted: Record<string, number>;
  /** Demo administrative units kept because the deployment's own data uses them (no longer marked demo). */
  keptUnits: string[];
  /**
   * Persons of the deployment that had demo records (a demo patient linked to them by CCCD/BHXH):
   * the records went, the persons stayed; their golden records are recomputed by `hssk mpi link`.
   */
  realPersonsTouched: number;
  /** Demo files removed. */
  files: string[];
}

export interface PurgeOptions {
  /** The demo credentials file of a database seeded before markers existed (main.ts writes it there). */
  credentialsFile?: string | undefined;
  log?: ((message: string) => void) | undefined;
}

/** The only file the demo writes; a marker naming any other path is not trusted to be deleted. */
const CREDENTIALS_FILE_NAME = 'demo-facility-credentials.json';
const PURGE_ACTOR = { type: 'system', id: 'cli', name: 'hssk demo purge' } as const;

const count = (r: { numAffectedRows?: bigint }) => Number(r.numAffectedRows ?? 0);

async function tableExists(tx: Db, name: string): Promise<boolean> {
  return (await sql<{ t: string | null }>`select to_regclass(${name})::text as t`.execute(tx)).rows[0]?.t != null;
}

interface Check {
  code: string;
  vi: string;
  en: string;
  /** Rows of real data that reference demo objects, as `example` text. */
  query: RawBuilder<{ example: string }>;
}

/**
 * Real data that points at demo objects: removing the demo would cut it loose or delete it with
 * the demo, so the purge refuses and names it.
 */
function checks(): Check[] {
  return [
    {
      code: 'REAL_RECORD_IN_DEMO_PERSON',
      vi: 'Bản ghi nguồn thật đã được gộp vào người của dữ liệu mẫu',
      en: 'Real source records are linked to demo persons',
      query: sql`select o.source_system || '/' || o.source_id || ' → ' || o.person_id as example
        from source_record o join purge_person p on p.id = o.person_id
        where not exists (select 1 from purge_source s where s.source_system = o.source_system and s.source_id = o.source_id)`,
    },
    {
      code: 'REAL_EPISODE_OF_DEMO_PERSON',
      vi: 'Hồ sơ KCB của cơ sở thật gắn với người của dữ liệu mẫu',
      en: 'Episodes of real facilities are linked to demo persons',
      query: sql`select e.facility_code || '/' || e.ma_lk || ' → ' || e.person_id as example
        from episode e join purge_person p on p.id = e.person_id
        where e.facility_code not in (select code from purge_facility)`,
    },
    {
      code: 'REAL_VISIT_OF_DEMO_PERSON',
      vi: 'Lượt khám tại cơ sở thật gắn với người của dữ liệu mẫu',
      en: 'Visits at real facilities are linked to demo persons',
      query: sql`select v.facility_code || '/' || v.ma_lk || ' → ' || v.person_id as example
        from visit v join purge_person p on p.id = v.person_id
        where v.facility_code not in (select code from purge_facility)`,
    },
    {
      code: 'REAL_STAFF_AT_DEMO_FACILITY',
      vi: 'Tài khoản nhân viên thật thuộc cơ sở của dữ liệu mẫu',
      en: 'Real staff accounts belong to demo facilities',
      query: sql`select s.username || ' @ ' || s.facility_code as example from staff_account s
        where s.facility_code in (select code from purge_facility) and s.id not in (select id from purge_staff)`,
    },
    {
      code: 'REAL_BREAK_GLASS_ON_DEMO_PERSON',
      vi: 'Nhân viên thật đã mở khẩn cấp hồ sơ của người trong dữ liệu mẫu',
      en: 'Real staff used break-glass access on demo persons',
      query: sql`select g.staff_id || ' → ' || g.person_id as example from break_glass_grant g join purge_person p on p.id = g.person_id
        where g.staff_id not in (select id from purge_staff)`,
    },
    {
      code: 'DEMO_RELATION_TO_REAL_PERSON',
      vi: 'Quan hệ gia đình nối người thật với người của dữ liệu mẫu',
      en: 'Family relations join real persons to demo persons',
      query: sql`select r.person_id || ' – ' || r.related_person_id as example from person_relation r
        where (r.person_id in (select id from purge_person)) <> (r.related_person_id in (select id from purge_person))`,
    },
    {
      code: 'DEMO_MERGE_WITH_REAL_PERSON',
      vi: 'Quyết định gộp hồ sơ nối người thật với người của dữ liệu mẫu',
      en: 'MPI merges join real persons to demo persons',
      query: sql`select m.from_person || ' → ' || m.to_person as example from mpi_merge m
        where (m.from_person in (select id from purge_person)) <> (m.to_person in (select id from purge_person))`,
    },
    {
      code: 'REAL_VACCINATION_OF_DEMO_PERSON',
      vi: 'Mũi tiêm do cơ sở thật ghi nhận gắn với người của dữ liệu mẫu',
      en: 'Vaccinations from real facilities are linked to demo persons',
      query: sql`select x.facility_code || ' → ' || x.person_id as example from vaccination x join purge_person p on p.id = x.person_id
        where x.facility_code is not null and x.facility_code not in (select code from purge_facility)`,
    },
    {
      code: 'REAL_IMMUNIZATION_IMPORT_OF_DEMO_PERSON',
      vi: 'Mũi tiêm nhập từ hệ thống tiêm chủng gắn với người của dữ liệu mẫu',
      en: 'Doses imported from an immunization system are linked to demo persons',
      query: sql`select x.source || ':' || x.source_record_id || ' → ' || x.person_id as example from vaccination x join purge_person p on p.id = x.person_id
        where x.import_id is not null`,
    },
    ...stationChecks(),
  ];
}

/**
 * The commune station's rows (household register, primary care): a real person recorded by demo
 * staff or at a demo station, or a household of the register mixing demo and real persons, would
 * lose what was recorded or be cut loose from its household.
 */
function stationChecks(): Check[] {
  const byDemo = (t: string, staffCol: string) =>
    sql`select ${sql.lit(t)} || ': ' || x.person_id as example from ${sql.table(t)} x
      where x.person_id not in (select id from purge_person)
        and (x.facility_code in (select code from purge_facility) or ${sql.ref(`x.${staffCol}`)} in (select id from purge_staff))`;
  return [
    {
      code: 'REAL_PERSON_RECORDED_AT_DEMO_STATION',
      vi: 'Trạm y tế hoặc nhân viên của dữ liệu mẫu đã ghi hồ sơ cho người thật (sổ hộ gia đình, hồ sơ 831, sổ quản lý bệnh)',
      en: 'A demo station or demo staff recorded data of real persons (household register, 831 record, registers)',
      query: sql`${byDemo('station_event', 'recorded_by')} union all ${byDemo('pc_record_field', 'recorded_by')}
        union all ${byDemo('pc_record_field_history', 'recorded_by')} union all ${byDemo('pc_checkup', 'recorded_by')}
        union all ${byDemo('pc_followup', 'recorded_by')} union all ${byDemo('pc_entry', 'staff_id')}
        union all ${byDemo('pc_enrolment', 'decided_by')}`,
    },
    {
      code: 'REAL_PERSON_IN_DEMO_HOUSEHOLD',
      vi: 'Hộ gia đình trong sổ của trạm có cả người thật và người của dữ liệu mẫu',
      en: 'Households of the station register hold both real and demo persons',
      query: sql`select h.commune_code || '/' || h.household_code as example from station_household h
        where (h.head_person_id in (select id from purge_person)
               or exists (select 1 from station_member m where m.household_id = h.id and m.person_id in (select id from purge_person)))
          and (h.head_person_id not in (select id from purge_person)
               or exists (select 1 from station_member m where m.household_id = h.id and m.person_id not in (select id from purge_person)))`,
    },
  ];
}

/** The demo's objects and the rows that follow from them, as temporary tables of this transaction. */
async function collect(tx: Db): Promise<void> {
  await sql`create temp table purge_facility on commit drop as select key as code from demo_object where kind = 'facility'`.execute(tx);
  await sql`create temp table purge_staff on commit drop as select key as id from demo_object where kind = 'staff_account'`.execute(tx);
  // Source records of the demo: its population import, the patients of its facilities and the
  // persons its stations registered (births, moves in: '<station code>:<entry id>').
  await sql`create temp table purge_source on commit drop as
    select sr.source_system, sr.source_id, sr.person_id from source_record sr
     where sr.import_id in (select key::bigint from demo_object where kind = 'mpi_import')
        or (sr.source_system = 'KCB' and split_part(sr.source_id, ':', 1) in (select code from purge_facility))
        or (sr.source_system = ${STATION_SOURCE} and split_part(sr.source_id, ':', 1) in (select code from purge_facility))`.execute(tx);
  await sql`alter table purge_source add primary key (source_system, source_id)`.execute(tx);
  // Demo persons: marked by the seed, or formed later only from demo records. A person of the
  // deployment that a demo patient was linked to keeps its own records and is not one of them.
  await sql`create temp table purge_person on commit drop as
    select p.id from person p where p.id in (select key from demo_object where kind = 'person')
    union
    select s.person_id from purge_source s
     where s.person_id is not null
       and not exists (select 1 from source_record o where o.person_id = s.person_id
                         and not exists (select 1 from purge_source x where x.source_system = o.source_system and x.source_id = o.source_id))`.execute(tx);
  await sql`alter table purge_person add primary key (id)`.execute(tx);
  await sql`analyze purge_source`.execute(tx);
  await sql`analyze purge_person`.execute(tx);
}

/**
 * Demo administrative units that the deployment's own data uses (its facilities, staff, persons,
 * records, or units under them) stay, with the units above them: they are reference data now.
 */
async function keptUnits(tx: Db, units: readonly string[]): Promise<Set<string>> {
  const used = await sql<{ code: string | null }>`
    select admin_unit_code as code from facility where admin_unit_code = any(${units}::text[]) and code not in (select code from purge_facility)
    union select admin_unit_code from staff_account where admin_unit_code = any(${units}::text[]) and id not in (select id from purge_staff)
    union select parent_code from admin_unit where parent_code = any(${units}::text[]) and not (code = any(${units}::text[]))
    union select ma_xa from person where ma_xa = any(${units}::text[]) and id not in (select id from purge_person)
    union select o.ma_xa from source_record o where o.ma_xa = any(${units}::text[])
      and not exists (select 1 from purge_source s where s.source_system = o.source_system and s.source_id = o.source_id)`.execute(tx);
  const parents = new Map(
    (await sql<{ code: string; parent_code: string | null }>`select code, parent_code from admin_unit where code = any(${units}::text[])`.execute(tx)).rows.map((r) => [
      r.code,
      r.parent_code,
    ]),
  );
  const kept = new Set<string>();
  for (const { code } of used.rows) {
    for (let c: string | null | undefined = code; c && parents.has(c) && !kept.has(c); c = parents.get(c)) kept.add(c);
  }
  return kept;
}

/**
 * `hssk demo purge`: removes every demo object in one transaction, or nothing. Refuses (conflict
 * DEMO_PURGE_REFUSED, each reason in `extra.reasons`) when real data references the demo. The
 * access log is append-only and keeps what was read during the demo; the purge adds its own event.
 */
export async function purgeDemo(db: Db, opts: PurgeOptions = {}): Promise<PurgeResult> {
  const log = opts.log ?? (() => {});
  const deleted: Record<string, number> = {};
  let files: string[] = [];
  let kept: string[] = [];
  let realPersonsTouched = 0;
  const purged = await db.transaction().execute(async (tx) => {
    // One purge at a time; a second waits and then finds nothing left.
    await sql`select pg_advisory_xact_lock(7346122)`.execute(tx);
    if (await adoptLegacyDemo(tx, { credentialsFile: opts.credentialsFile })) log('Demo: markers recreated for a database seeded by an earlier version.');
    const total = Number((await sql<{ n: number }>`select count(*)::int as n from demo_object`.execute(tx)).rows[0]?.n ?? 0);
    if (total === 0) return false;
    await collect(tx);

    const refusals: PurgeRefusal[] = [];
    for (const c of checks()) {
      const rows = (await sql<{ example: string; n: number }>`select example, count(*) over ()::int as n from (${c.query}) q order by example limit 5`.execute(tx)).rows;
      if (rows.length) refusals.push({ code: c.code, message_vi: c.vi, message_en: c.en, count: Number(rows[0]!.n), examples: rows.map((r) => r.example) });
    }
    if (refusals.length) {
      throw new DomainError(
        'conflict',
        'DEMO_PURGE_REFUSED',
        'Không xóa dữ liệu mẫu: dữ liệu thật đang tham chiếu tới nó. Không có gì bị xóa.',
        'Demo data not purged: real data references it. Nothing was deleted.',
        { reasons: refusals },
      );
    }

    realPersonsTouched = Number(
      (
        await sql<{ n: number }>`select count(distinct s.person_id)::int as n from purge_source s
          where s.person_id is not null and s.person_id not in (select id from purge_person)`.execute(tx)
      ).rows[0]?.n ?? 0,
    );
    // Units are judged before anything is deleted: modules purge their rows of the demo communes.
    const units = (await sql<{ key: string }>`select key from demo_object where kind = 'admin_unit'`.execute(tx)).rows.map((r) => r.key);
    const keep = await keptUnits(tx, units);
    kept = [...keep].sort();
    const removedUnits = units.filter((u) => !keep.has(u));
    const run = async (table: string, statement: RawBuilder<unknown>) => {
      deleted[table] = (deleted[table] ?? 0) + count(await statement.execute(tx));
    };
    const inP = (col: string) => sql`${sql.ref(col)} in (select id from purge_person)`;
    const inF = (col: string) => sql`${sql.ref(col)} in (select code from purge_facility)`;
    const inStaff = (col: string) => sql`${sql.ref(col)} in (select id from purge_staff)`;

    await run('session', sql`delete from session where (kind = 'staff' and ${inStaff('subject')})
      or (kind = 'citizen' and subject in (select subject from citizen_account where ${inP('person_id')}))`);
    if (await tableExists(tx, 'break_glass_alert')) await run('break_glass_alert', sql`delete from break_glass_alert where ${inStaff('staff_id')} or ${inF('facility_code')}`);
    await run('break_glass_grant', sql`delete from break_glass_grant where ${inStaff('staff_id')} or ${inP('person_id')}`);
    // The commune station's rows reference persons, facilities and staff: each module deletes its own.
    {
      const list = async (q: RawBuilder<{ v: string }>) => (await q.execute(tx)).rows.map((r) => r.v);
      const demo = {
        personIds: await list(sql`select id as v from purge_person`),
        facilityCodes: await list(sql`select code as v from purge_facility`),
        staffIds: await list(sql`select id as v from purge_staff`),
      };
      for (const d of [await purgeStationDemo(tx, demo), await purgePrimaryCareDemo(tx, demo), await purgeCorrectionDemo(tx, demo), await purgeAppointmentDemo(tx, demo)]) {
        for (const [table, n] of Object.entries(d)) deleted[table] = (deleted[table] ?? 0) + n;
      }
    }
    await run('staff_account', sql`delete from staff_account where ${inStaff('id')}`);
    await run('book_share', sql`delete from book_share where ${inP('person_id')}`);
    await run('citizen_declaration', sql`delete from citizen_declaration where ${inP('person_id')}`);
    await run('citizen_contact', sql`delete from citizen_contact where ${inP('person_id')}`);
    deleted.bhyt_card_observation = await purgeCardObservations(tx, sql`select code from purge_facility`);
    // Relay rows of demo facilities (only if an operator turned the relay on for one).
    deleted.relay_message = await purgeRelayRows(tx, (await sql<{ code: string }>`select code from purge_facility`.execute(tx)).rows.map((r) => r.code));
    const added = await purgeImmunizationRows(tx, { persons: sql`select id from purge_person`, facilities: sql`select code from purge_facility`, communes: removedUnits });
    for (const [table, n] of Object.entries(added)) deleted[table] = (deleted[table] ?? 0) + n;
    deleted.vital_sign = await purgeVitalRows(
      tx,
      (await sql<{ id: string }>`select id from purge_person`.execute(tx)).rows.map((r) => r.id),
      (await sql<{ code: string }>`select code from purge_facility`.execute(tx)).rows.map((r) => r.code),
    );
    await run('citizen_account', sql`delete from citizen_account where ${inP('person_id')}`);
    await run('mpi_merge', sql`delete from mpi_merge where ${inP('from_person')} and ${inP('to_person')}`);
    await run('mpi_correction', sql`delete from mpi_correction where ${inP('person_id')}`);
    await run('mpi_review', sql`delete from mpi_review r where exists (select 1 from purge_source s
      where (s.source_system = r.a_system and s.source_id = r.a_id) or (s.source_system = r.b_system and s.source_id = r.b_id))`);
    await run('visit', sql`delete from visit where ${inF('facility_code')}`);
    log('Demo purge: removing episodes…');
    await run('episode_row', sql`delete from episode_row er using episode e where e.id = er.episode_id and ${inF('e.facility_code')}`);
    await run('episode', sql`delete from episode where ${inF('facility_code')}`);
    await run('episode_key', sql`delete from episode_key where ${inF('facility_code')}`);
    await run('submission_raw', sql`delete from submission_raw r using submission s where s.id = r.submission_id and ${inF('s.facility_code')}`);
    await run('submission', sql`delete from submission where ${inF('facility_code')}`);
    await run('source_record', sql`delete from source_record o using purge_source s where s.source_system = o.source_system and s.source_id = o.source_id`);
    await run('person_relation', sql`delete from person_relation where ${inP('person_id')} or ${inP('related_person_id')}`);
    // The foreign key cascades on one node; a cluster drops it (citus/090), so the directory goes first.
    await run('person_identifier', sql`delete from person_identifier where ${inP('person_id')}`);
    await run('person', sql`delete from person where ${inP('id')}`);
    await run('mpi_import', sql`delete from mpi_import where id in (select key::bigint from demo_object where kind = 'mpi_import')`);
    // The match model was estimated on the records just removed; with real records left, the next
    // relink estimates it again on them.
    await run('mpi_model', sql`delete from mpi_model where not exists (select 1 from source_record)`);
    await run('facility_credential', sql`delete from facility_credential where ${inF('facility_code')}`);
    await run('facility_certificate', sql`delete from facility_certificate where ${inF('facility_code')}`);
    await run('facility', sql`delete from facility where ${inF('code')}`);
    await run('dev_idp_account', sql`delete from dev_idp_account where personal_id in (select key from demo_object where kind = 'dev_idp_account')`);

    // One statement: the foreign key from a commune to its district is checked at its end.
    await run('admin_unit', sql`delete from admin_unit where code = any(${removedUnits}::text[])`);
    await run('app_state', sql`delete from app_state where key in (select key from demo_object where kind = 'app_state')`);
    const facilityCodes = (await sql<{ code: string }>`select code from purge_facility`.execute(tx)).rows.map((r) => r.code);
    await forgetReportContributions(tx, { facilityCodes, communes: removedUnits });

    files = (await sql<{ key: string }>`select key from demo_object where kind = 'file'`.execute(tx)).rows.map((r) => r.key);
    await run('demo_object', sql`delete from demo_object`);
    await audit(tx, {
      actor: PURGE_ACTOR,
      action: 'demo.purge',
      resource: 'demo',
      detail: { deleted, kept_units: kept, real_persons_touched: realPersonsTouched },
    });
    return true;
  }).catch((e: unknown) => {
    // A table added after this purge was written can still point at a demo row: the foreign key
    // stops the transaction, and the refusal says which constraint instead of a bare SQL error.
    const err = e as { code?: string; constraint?: string; table?: string; detail?: string };
    if (err.code === '23503') {
      throw new DomainError(
        'conflict',
        'DEMO_PURGE_REFUSED',
        `Không xóa dữ liệu mẫu: bảng ${err.table ?? '?'} còn tham chiếu tới nó (${err.constraint ?? ''}). Không có gì bị xóa.`,
        `Demo data not purged: table ${err.table ?? '?'} still references it (${err.constraint ?? ''}). Nothing was deleted.`,
        { reasons: [{ code: 'REFERENCED_ELSEWHERE', message_vi: `Bảng ${err.table ?? '?'} tham chiếu tới dữ liệu mẫu`, message_en: `Table ${err.table ?? '?'} references demo rows`, count: 1, examples: [err.detail ?? ''] }] },
      );
    }
    throw e;
  });

  const removedFiles: string[] = [];
  for (const f of files) {
    if (basename(f) !== CREDENTIALS_FILE_NAME || !isCredentialsFile(f)) continue;
    rmSync(f, { force: true });
    removedFiles.push(f);
  }
  return { purged, deleted, keptUnits: kept, realPersonsTouched, files: removedFiles };
}

/** The demo's credentials file is a JSON map of facility code → client id/secret; anything else is left alone. */
function isCredentialsFile(path: string): boolean {
  try {
    const v = JSON.parse(readFileSync(path, 'utf8')) as Record<string, { client_id?: unknown }>;
    return typeof v === 'object' && v !== null && Object.values(v).every((c) => typeof c?.client_id === 'string');
  } catch {
    return false;
  }
}
