/**
 * Every query a FHIR search runs has an index path: with sequential scans disabled, the planner's
 * plan for each captured statement contains no Seq Scan (a query shape no index serves would still
 * show one). Run on both databases; sizes here are small, the shapes are what is checked.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CompiledQuery, type KyselyPlugin, sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../../test-support/index.ts';
import { insertEpisode } from '../../test-support/staff.ts';
import { createFacility } from '../facility/index.ts';
import { upsertPersons } from '../person/index.ts';
import { readResource, searchBundle } from './search.ts';

const DB = process.env.HSSK_TEST_DB ?? 'pglite';

describe(`FHIR searches are index scans (${DB})`, () => {
  let t: TestDatabase;
  let firstEpisode: number;
  before(async () => {
    t = await createTestDatabase();
    await createFacility(t.db, { code: '51001', name: 'Bệnh viện A' });
    await createFacility(t.db, { code: '51002', name: 'Bệnh viện B' });
    await upsertPersons(t.db, [{ id: 'P1', ho_ten: 'Lê Văn Một', so_cccd: '051090000001', ngay_sinh: '1990-01-01', birth_year: 1990, gioi_tinh: 1, so_bhyt: 'DN4510123456789' }]);
    const rows = {
      XML2: [{ MA_THUOC: '40.1', NGAY_YL: '202401011000' }],
      XML3: [{ MA_NHOM: '18', MA_DICH_VU: '10.0912.0555', MA_PTTT_QT: '86.59', NGAY_YL: '202401011000' }],
      XML4: [{ MA_CHI_SO: 'GLU', MA_DICH_VU: '23.0075.1494', NGAY_KQ: '202401011000', MA_BS_DOC_KQ: '000123/HNO' }],
      XML8: [{ CHAN_DOAN_RV: 'Viêm họng' }],
      XML13: [{ NGAY_RA: '202401011100', MA_NOI_DEN: '51002' }],
      XML14: [{ NGAY_HEN_KL: '20240201' }],
    };
    for (let i = 0; i < 6; i++) {
      const id = await insertEpisode(t.db, { facility: i % 2 ? '51002' : '51001', personId: 'P1', ngayVao: `2024-01-0${i + 1} 10:00:00`, rows });
      firstEpisode ??= id;
    }
    await sql`analyze`.execute(t.db);
  });
  after(() => t.drop());

  const CASES: Array<[string, Record<string, string>]> = [
    ['Encounter', {}],
    ['Encounter', { _sort: '-date', date: 'ge2024-01-01' }],
    ['Encounter', { date: 'le2024-01-03' }],
    ['Encounter', { patient: 'Patient/P1', _include: 'Encounter:patient', _revinclude: 'Provenance:target' }],
    ['Encounter', { _sort: '_lastUpdated', _lastUpdated: 'ge2024-01-01' }],
    ['Encounter', { identifier: 'https://openhssk.vn/fhir/sid/ma-lk/51001|LK1', 'service-provider': 'Organization/51001' }],
    ['Condition', { code: 'J06.9' }],
    ['Condition', { _sort: '-recorded-date', 'recorded-date': 'ge2023' }],
    ['MedicationRequest', { _sort: 'authoredon' }],
    ['MedicationRequest', { code: '40.1', patient: 'P1' }],
    ['Observation', { _sort: '-date', date: 'lt2025' }],
    ['Observation', { code: 'GLU' }],
    ['Procedure', { _sort: 'date' }],
    ['Procedure', { code: 'http://hl7.org/fhir/sid/icd-9-cm|86.59' }],
    ['ServiceRequest', { _sort: 'authored' }],
    ['Appointment', { _sort: 'date', date: 'ge2024-02-01' }],
    ['DocumentReference', { _sort: '-date' }],
    ['Provenance', { target: 'Encounter/1' }],
    ['Provenance', { _sort: 'recorded' }],
    ['Patient', {}],
    ['Patient', { identifier: '051090000001' }],
    ['Patient', { _lastUpdated: 'ge2024-01-01' }],
    ['Coverage', { _include: 'Coverage:beneficiary' }],
    ['Organization', { identifier: '51001' }],
    ['MedicationDispense', { _sort: '-whenhandedover', whenhandedover: 'ge2024' }],
    ['MedicationDispense', { code: '40.1', patient: 'P1' }],
    ['DiagnosticReport', { _sort: 'date' }],
    ['DiagnosticReport', { code: '23.0075.1494' }],
    // Read and identifier only: a listing reads every visible row's licences (docs/fhir.md, known cost).
    ['Practitioner', { identifier: '000123/HNO' }],
    ['Consent', { patient: 'P1', _sort: 'date' }],
  ];

  for (const scope of ['all', ['51001']] as const) {
    it(`no sequential scan for any search, caller scope ${JSON.stringify(scope)}`, async () => {
      const captured: CompiledQuery[] = [];
      const plugin: KyselyPlugin = {
        transformQuery: (args) => {
          captured.push(t.db.getExecutor().compileQuery(args.node, args.queryId));
          return args.node;
        },
        transformResult: async (args) => args.result,
      };
      const db = t.db.withPlugin(plugin);
      const caller = { actor: { type: 'system' as const, id: 'plan-test' }, facilities: scope === 'all' ? ('all' as const) : [...scope] };
      const problems: string[] = [];
      let explained = 0;
      for (const [type, query] of CASES) {
        captured.length = 0;
        const b = await searchBundle({ db, caller, type, query, base: 'http://x/fhir/R4', requestId: 'plan' });
        assert.equal(b.resourceType, 'Bundle');
        if (type === 'Encounter' && Object.keys(query).length === 0) await readResource({ db, caller, type, id: String(firstEpisode), requestId: 'plan' });
        for (const q of captured.filter((c) => /^\s*select/i.test(c.sql))) {
          await t.db.connection().execute(async (c) => {
            await sql`set enable_seqscan = off`.execute(c);
            try {
              const r = await c.executeQuery<Record<string, string>>(CompiledQuery.raw(`explain ${q.sql}`, [...q.parameters]));
              const plan = r.rows.map((x) => Object.values(x)[0]).join('\n');
              explained++;
              if (/Seq Scan/.test(plan)) problems.push(`${type} ${JSON.stringify(query)}:\n${plan}`);
            } finally {
              await sql`reset enable_seqscan`.execute(c);
            }
          });
        }
      }
      assert.ok(explained >= CASES.length, `${explained} statements explained`);
      assert.deepEqual(problems, []);
    });
  }
});
