import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../../test-support/index.ts';
import { loadConfig } from '../config.ts';
import { createFacility } from '../facility/index.ts';
import { createStaff } from '../staff/index.ts';
import { demoRefusals, productionRefusals, staffPasswordFacts } from '../startup/index.ts';
import { demoPresence, ensureDemoData, purgeDemo } from './index.ts';

// Small enough to seed in a few seconds, large enough to have every kind of demo object
// (relations, MPI reviews, episodes at several facilities, citizens, staff, report rows).
const SMALL = { persons: 150, episodes: 200 };
// Bookkeeping that is not demo data: the append-only access log (the purge adds its own event),
// its chain head, the refresher's watermarks and the migration list.
const NOT_DEMO = new Set(['audit_event', 'audit_chain_head', 'report_watermark', 'schema_migration']);

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

    const r = await purgeDemo(db.db, { credentialsFile });
    assert.equal(r.deleted.vaccination, 2);
    assert.equal(r.deleted.imm_reaction_report, 1);
    assert.equal(r.deleted.imm_slot_request, 1);
    assert.equal(r.deleted.imm_session, 1);
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
