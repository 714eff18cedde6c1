import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { vietnamToday } from '@openhssk/core';
import { sql } from 'kysely';
import { startTestApp } from '../../test-support/app.ts';
import { createTestDatabase, type TestDatabase } from '../../test-support/index.ts';
import { login } from '../../test-support/staff.ts';
import { loadConfig } from '../config.ts';
import { createFacility } from '../facility/index.ts';
import { lastDueWeek, takeWeeklySnapshot } from '../reports/index.ts';
import { createStaff, DEMO_STAFF_PASSWORD } from '../staff/index.ts';
import { demoRefusals, productionRefusals, staffPasswordFacts } from '../startup/index.ts';
import { demoPresence, ensureDemoData, purgeDemo } from './index.ts';

// Small enough to seed in a few seconds, large enough to have every kind of demo object
// (relations, MPI reviews, episodes at several facilities, citizens, staff, report rows).
const SMALL = { persons: 150, episodes: 200 };
// Bookkeeping that is not demo data: the append-only access log (the purge adds its own event),
// its chain head, the refresher's and the register proposals' watermarks (episode ids are never
// reused) and the migration list.
const NOT_DEMO = new Set(['audit_event', 'audit_chain_head', 'report_watermark', 'pc_state', 'schema_migration']);

async function rowCounts(db: TestDatabase): Promise<Record<string, number>> {
  const tables = await sql<{ t: string }>`select table_name as t from information_schema.tables
    where table_schema = current_schema() and table_type = 'BASE TABLE' order by 1`.execute(db.db);
  const out: Record<string, number> = {};
  for (const { t } of tables.rows) {
    if (NOT_DEMO.has(t)) continue;
    out[t] = Number((await sql<{ n: number }>`select count(*)::int as n from ${sql.table(t)}`.execute(db.db)).rows[0]!.n);
  }
  return out;
}

const productionConfig = () =>
  loadConfig({ production: true, demo: false, devIdp: false, oidcIssuer: 'https://vneid.example', publicUrl: 'https://hssk.example', keysDir: '/nonexistent-keys' });

describe('demo purge: every demo object goes, or nothing when real data references it', () => {
  let db: TestDatabase;
  let empty: Record<string, number>;
  let dir: string;
  let credentialsFile: string;

  before(async () => {
    db = await createTestDatabase();
    empty = await rowCounts(db);
    dir = mkdtempSync(join(tmpdir(), 'hssk-purge-'));
    credentialsFile = join(dir, 'demo-facility-credentials.json');
    await ensureDemoData(db.db, { ...SMALL, credentialsFile });
  });
  after(async () => {
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a production start is refused while the demo is in the database (demo objects, demo staff password)', async () => {
    const codes = (await productionRefusals(db.db, productionConfig())).map((r) => r.code);
    assert.ok(codes.includes('DEMO_PRESENT'), codes.join());
    assert.ok(codes.includes('STAFF_DEMO_PASSWORD'), codes.join());
    assert.ok((await staffPasswordFacts(db.db, 72)).demoPassword.includes('quantri'));
  });

  it('refuses and deletes nothing when real data references demo objects', async () => {
    const demoPerson = (await sql<{ id: string }>`select key as id from demo_object where kind = 'person' order by key limit 1`.execute(db.db)).rows[0]!.id;
    // A real facility's patient merged into a demo person, and a real clinician at a demo facility.
    await createFacility(db.db, { code: '79001', name: 'Bệnh viện thật' });
    await sql`insert into source_record (source_system, source_id, ho_ten, content_hash, person_id)
      values ('KCB', '79001:BN1', 'Người thật', 'x', ${demoPerson})`.execute(db.db);
    await createStaff(db.db, { username: 'bacsi.that', fullName: 'Bác sĩ thật', role: 'clinician', facilityCode: '51001', password: 'Real-Passw0rd!x' });
    const beforePurge = await rowCounts(db);

    await assert.rejects(purgeDemo(db.db, { credentialsFile }), (e: { code?: string; extra?: { reasons?: Array<{ code: string; message_vi: string }> } }) => {
      assert.equal(e.code, 'DEMO_PURGE_REFUSED');
      const codes = (e.extra?.reasons ?? []).map((r) => r.code);
      assert.ok(codes.includes('REAL_RECORD_IN_DEMO_PERSON'), codes.join());
      assert.ok(codes.includes('REAL_STAFF_AT_DEMO_FACILITY'), codes.join());
      assert.ok(e.extra?.reasons?.every((r) => r.message_vi.length > 0));
      return true;
    });
    assert.deepEqual(await rowCounts(db), beforePurge, 'nothing deleted');
    assert.ok(existsSync(credentialsFile), 'credentials file kept');

    // The operator moves the real data away; the demo can then go.
    await sql`delete from staff_account where username = 'bacsi.that'`.execute(db.db);
    await sql`delete from source_record where source_id = '79001:BN1'`.execute(db.db);
    await sql`delete from facility where code = '79001'`.execute(db.db);
  });

  it('removes every demo object: each table is back to its migrated-empty row count', async () => {
    // What a visitor leaves after trying the immunization screens of the demo: a station dose and a
    // second source's copy of it, a reaction report, a session of the demo commune and a slot request.
    const p = (await sql<{ id: string; ma_xa: string }>`select id, ma_xa from person where id in (select key from demo_object where kind = 'person')
      and ma_xa is not null order by id limit 1`.execute(db.db)).rows[0]!;
    const facility = (await sql<{ key: string }>`select key from demo_object where kind = 'facility' order by key limit 1`.execute(db.db)).rows[0]!.key;
    const doses = await sql<{ id: string }>`insert into vaccination (person_id, vaccine_name, antigens, dose_no, given_on, facility_code, source)
      values (${p.id}, 'BCG', '{bcg}', 1, '2026-01-10', ${facility}, 'TRAM_Y_TE'), (${p.id}, 'BCG', '{bcg}', 1, '2026-01-11', null, 'TIEMCHUNG') returning id`.execute(db.db);
    await sql`update vaccination set duplicate_of = ${doses.rows[0]!.id} where id = ${doses.rows[1]!.id}`.execute(db.db);
    await sql`insert into imm_reaction_report (vaccination_id, person_id, facility_code, onset_on, severity, reported_by)
      values (${doses.rows[0]!.id}, ${p.id}, ${facility}, '2026-01-11', 'mild', '001200000001')`.execute(db.db);
    const session = await sql<{ id: string }>`insert into imm_session (commune_code, session_on, created_by) values (${p.ma_xa}, '2026-02-05', 'tram.truong') returning id`.execute(db.db);
    await sql`insert into imm_slot_request (person_id, commune_code, session_id, requested_by) values (${p.id}, ${p.ma_xa}, ${session.rows[0]!.id}, '001200000001')`.execute(db.db);
    // The cached due state the dose left (migration 079).
    await sql`insert into imm_due (person_id, series, dose, commune_code, born, due_on, computed_on) values (${p.id}, 'dpt_vgb_hib', 1, ${p.ma_xa}, '2025-11-10', '2026-01-10', '2026-01-11')`.execute(db.db);
    // A vital sign a demo facility's system posted through FHIR.
    await sql`insert into vital_sign (person_id, loinc, value, unit, effective_at, status, sender_facility_code, sender_client_id, identifier_system, identifier_value, content_hash)
      values (${p.id}, '8867-4', 72, '/min', '2026-01-10 08:00', 'final', ${facility}, 'demo-client', 'urn:demo', '1', 'h')`.execute(db.db);

    // The weekly Đề án 06 snapshot counted the demo; a request for an account of a demo facility.
    assert.ok((await takeWeeklySnapshot(db.db, lastDueWeek())).rows > 0);
    await sql`insert into onboarding_request (kind, facility_code, facility_name, admin_unit_code, applicant, filed_by)
      values ('interop_account', ${facility}, 'Cơ sở mẫu', ${p.ma_xa}, 'Người đề nghị', 'demo')`.execute(db.db);

    const r = await purgeDemo(db.db, { credentialsFile });
    assert.equal(r.deleted.vaccination, 2);
    assert.equal(r.deleted.imm_reaction_report, 1);
    assert.equal(r.deleted.imm_slot_request, 1);
    assert.equal(r.deleted.imm_session, 1);
    assert.equal(r.deleted.imm_due, 1);
    assert.equal(r.deleted.vital_sign, 1);
    assert.equal(r.purged, true);
    assert.ok((r.deleted.episode ?? 0) > 0 && (r.deleted.person ?? 0) > 0 && (r.deleted.facility ?? 0) > 0);
    assert.deepEqual(await rowCounts(db), empty);
    assert.equal(existsSync(credentialsFile), false, 'demo credentials file removed');
    const logged = await sql<{ n: number }>`select count(*)::int as n from audit_event where action = 'demo.purge'`.execute(db.db);
    assert.equal(logged.rows[0]!.n, 1);
    assert.deepEqual(demoRefusals(await demoPresence(db.db)), []);
    assert.deepEqual((await staffPasswordFacts(db.db, 72)).demoPassword, []);
    assert.equal((await purgeDemo(db.db)).purged, false, 'a second purge finds nothing');
  });
});

describe('demo purge of a database seeded before demo objects were marked', () => {
  let db: TestDatabase;
  let empty: Record<string, number>;

  before(async () => {
    db = await createTestDatabase();
    empty = await rowCounts(db);
    await ensureDemoData(db.db, SMALL);
    // What an earlier version left: the demo's app_state rows, no markers.
    await sql`delete from demo_object`.execute(db.db);
  });
  after(() => db.drop());

  it('is still recognised (production refuses) and fully removed', async () => {
    const presence = await demoPresence(db.db);
    assert.ok(presence.legacyState.includes('demo_seeded'));
    assert.deepEqual(demoRefusals(presence).map((r) => r.code), ['DEMO_PRESENT']);
    const r = await purgeDemo(db.db);
    assert.equal(r.purged, true);
    assert.deepEqual(await rowCounts(db), empty);
  });
});

describe('demo purge after the demo station app was used (household register, 831 record, registers)', () => {
  let db: TestDatabase;
  let close: () => Promise<void>;
  let app: Awaited<ReturnType<typeof startTestApp>>['app'];
  let empty: Record<string, number>;
  // Staff logins of this test leave a per-client-address throttle window: the server's, not the demo's.
  const counts = async () => {
    const { staff_login_throttle: _, ...rest } = await rowCounts(db);
    return rest;
  };

  before(async () => {
    ({ app, db, close } = await startTestApp());
    empty = await counts();
    await ensureDemoData(db.db, SMALL);
  });
  after(() => close());

  it('removes the station and primary-care rows of demo persons, facilities and staff: every table back to empty', async () => {
    const head = await login(app, 'tram.truong', DEMO_STAFF_PASSWORD);
    const nurse = await login(app, 'dieuduong.xa', DEMO_STAFF_PASSWORD);
    const call = async (cookie: string, method: 'GET' | 'POST', url: string, payload?: unknown) => {
      const r = await app.inject({ method, url, headers: { cookie }, ...(payload ? { payload: payload as Record<string, unknown> } : {}) });
      assert.ok(r.statusCode < 300, `${url}: ${r.statusCode} ${r.body}`);
      return r.json() as Record<string, unknown>;
    };
    // The nurse opens the register (built from the demo's population list on first use).
    await call(nurse, 'GET', '/api/v1/station/register');
    const members = (await sql<{ person_id: string; household_id: number }>`select person_id, household_id::int as household_id from station_member
      where closed_at is null order by household_id, id limit 3`.execute(db.db)).rows;
    assert.equal(members.length, 3, 'the demo commune has households');
    const today = vietnamToday();
    const events = (await call(head, 'POST', '/api/v1/station/events/batch', {
      entries: [
        { kind: 'birth', entry_id: randomUUID(), occurred_on: today, household_id: members[0]!.household_id, child: { ho_ten: 'Nguyễn Thị Bé', gioi_tinh: 2 } },
        { kind: 'move_in', entry_id: randomUUID(), occurred_on: today, household_id: members[0]!.household_id, relation: 'other', person: { ho_ten: 'Trần Văn Đến', ngay_sinh: '1990-04-05', gioi_tinh: 1 } },
        { kind: 'death', entry_id: randomUUID(), occurred_on: today, person_id: members[2]!.person_id },
      ],
    })) as { applied: number };
    assert.equal(events.applied, 3);
    const p = members[1]!.person_id;
    const at = new Date().toISOString();
    const sync = (await call(head, 'POST', '/api/v1/primary-care/sync', {
      entries: [
        { entryId: randomUUID(), kind: 'record', personId: p, recordedAt: at, record: { section: 'administrative', values: { nghe_nghiep: 'Nông dân' } } },
        { entryId: randomUUID(), kind: 'checkup', personId: p, recordedAt: at, checkup: { examinedOn: today, sbp: 150, dbp: 95 } },
        { entryId: randomUUID(), kind: 'enrolment', personId: p, recordedAt: at, enrolment: { register: 'hypertension', icd10: 'I10', enrolledOn: today } },
        { entryId: randomUUID(), kind: 'followup', personId: p, recordedAt: at, followUp: { register: 'hypertension', visitDate: today, sbp: 135, dbp: 85 } },
      ],
    })) as { summary: { applied: number } };
    assert.equal(sync.summary.applied, 4, JSON.stringify(sync));
    const used = await counts();
    for (const t of ['station_household', 'station_member', 'station_event', 'station_register_build', 'pc_entry', 'pc_record_field', 'pc_checkup', 'pc_enrolment', 'pc_followup']) {
      assert.ok((used[t] ?? 0) > 0, `${t} has rows before the purge`);
    }

    const r = await purgeDemo(db.db);
    assert.equal(r.purged, true);
    assert.ok((r.deleted.station_member ?? 0) > 0 && (r.deleted.pc_followup ?? 0) > 0, JSON.stringify(r.deleted));
    assert.deepEqual(await counts(), empty);
  });

  it('refuses when a demo station recorded data of a real person, and deletes nothing', async () => {
    await ensureDemoData(db.db, SMALL);
    const head = await login(app, 'tram.truong', DEMO_STAFF_PASSWORD);
    const commune = (await db.db.selectFrom('facility').select('admin_unit_code').where('code', '=', '51242').executeTakeFirstOrThrow()).admin_unit_code!;
    // A real resident of the demo station's commune (not from any demo list), then the demo head writes their 831 record.
    await db.db.insertInto('person').values({ id: 'REAL1', ho_ten: 'Người Thật', name_key: 'NGUOI THAT', ma_xa: commune }).execute();
    const r = await app.inject({
      method: 'POST', url: '/api/v1/primary-care/sync', headers: { cookie: head },
      payload: { entries: [{ entryId: randomUUID(), kind: 'record', personId: 'REAL1', recordedAt: new Date().toISOString(), record: { section: 'administrative', values: { nghe_nghiep: 'Thợ may' } } }] },
    });
    assert.equal((r.json() as { summary: { applied: number } }).summary.applied, 1, r.body);
    const beforePurge = await counts();
    await assert.rejects(purgeDemo(db.db), (e: { code?: string; extra?: { reasons?: Array<{ code: string }> } }) => {
      assert.equal(e.code, 'DEMO_PURGE_REFUSED');
      assert.deepEqual((e.extra?.reasons ?? []).map((x) => x.code), ['REAL_PERSON_RECORDED_AT_DEMO_STATION']);
      return true;
    });
    assert.deepEqual(await counts(), beforePurge, 'nothing deleted');
  });
});
