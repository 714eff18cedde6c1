/**
 * Warehouse feed: dated NDJSON extracts over change-time windows, each type narrowed by its own change
 * time (Patient, Coverage, Encounter and the episode types, Immunization, Organization), the counts
 * logged and reconciled with the source, a damaged file caught; and FHIR $export `_since` with
 * Immunization over HTTP.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sampleEpisode } from '@openhssk/core/testing';
import { buildEnvelope } from '@openhssk/core/xml130';
import { sql } from 'kysely';
import { facilityWithToken } from '../../test-support/app.ts';
import { type BookFixture, bookFixture, FAC, FAC2 } from '../../test-support/book-fixture.ts';
import { staffSession } from '../../test-support/staff.ts';
import { createExportRunner, exportDir } from '../fhir/index.ts';
import { listExtracts, reconcileExtract, runExtract } from './index.ts';

const DB = process.env.HSSK_TEST_DB ?? 'pglite';

const lines = (dir: string, type: string) => (existsSync(join(dir, `${type}.ndjson`)) ? readFileSync(join(dir, `${type}.ndjson`), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { id: string }) : []);
const tick = () => new Promise((r) => setTimeout(r, 20));

describe(`warehouse feed (${DB})`, () => {
  let f: BookFixture;
  let dataDir: string;
  let out: string;
  const dose = (person: string, id: string, day: string) =>
    sql`insert into vaccination (person_id, vaccine_name, given_on, source, source_record_id, antigens) values (${person}, 'Vắc xin sởi', ${day}::date, 'TEST', ${id}, '{MEASLES}')`.execute(f.db.db);

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'hssk-wh-'));
    out = mkdtempSync(join(tmpdir(), 'hssk-wh-out-'));
    f = await bookFixture({ config: { dataDir, fhirExportPollSeconds: 0 } });
    await dose('PA', 'd1', '2024-01-10');
    await dose('PB', 'd2', '2024-02-10');
  });
  after(async () => {
    await f.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  });

  it('a first extract holds everything, a second only what changed in between; both reconcile; a damaged file does not', async () => {
    const workDir = exportDir(dataDir);
    await tick();
    const first = await runExtract(f.db.db, { out, workDir, since: null });
    assert.equal(first.status, 'completed');
    assert.equal(first.counts.Patient, 5);
    // Seven episodes, one of them a mental-health visit that is never exported.
    assert.equal(first.counts.Encounter, 6);
    assert.equal(first.counts.Immunization, 2);
    assert.equal(first.counts.Organization, 2);
    for (const t of ['Patient', 'Encounter', 'Immunization', 'Organization']) assert.equal(first.source_counts[t], first.counts[t], `${t} against the source`);
    assert.deepEqual(JSON.parse(readFileSync(join(first.out_dir, 'manifest.json'), 'utf8')).counts, first.counts);
    assert.ok((await reconcileExtract(f.db.db, first.id)).ok);

    // Changes after the first window: a dose, a facility's name, a person's record, a new episode.
    await tick();
    await dose('PC', 'd3', '2024-03-10');
    await f.db.db.updateTable('facility').set({ name: 'Trung tâm Y tế Thử' }).where('code', '=', FAC2).execute();
    await sql`update person set ho_ten = 'Nguyễn Văn Dũng', updated_at = now() where id = 'PD'`.execute(f.db.db);
    const { token } = await facilityWithToken(f.app, f.db, '51003', { testMode: true });
    const ep = sampleEpisode(901, '51003');
    const r = await f.app.inject({
      method: 'POST',
      url: '/api/v1/xml130/submissions',
      headers: { 'content-type': 'application/xml', authorization: `Bearer ${token}` },
      payload: buildEnvelope({ facilityCode: '51003', createdDate: '20240305', episodes: [ep] }),
    });
    assert.equal(r.statusCode, 201, r.body);
    await tick();

    const second = await runExtract(f.db.db, { out, workDir, overlapSeconds: 0 });
    assert.equal(second.since?.getTime(), first.until.getTime(), 'continues where the first ended');
    assert.equal(second.counts.Immunization, 1);
    assert.deepEqual(lines(second.out_dir, 'Immunization').length, 1);
    // The new facility and the renamed one; the first facility did not change.
    assert.deepEqual(lines(second.out_dir, 'Organization').map((o) => o.id).sort(), [FAC2, '51003'].sort());
    assert.ok(!lines(second.out_dir, 'Organization').some((o) => o.id === FAC));
    assert.equal(second.counts.Encounter, 1, 'only the new episode');
    assert.ok(lines(second.out_dir, 'Patient').some((p) => p.id === 'PD'), 'the changed person');
    assert.ok(!lines(second.out_dir, 'Patient').some((p) => p.id === 'PB'), 'an unchanged person is not repeated');
    for (const t of ['Patient', 'Encounter', 'Immunization', 'Organization']) assert.equal(second.source_counts[t], second.counts[t] ?? 0, `${t} against the source`);
    const ok = await reconcileExtract(f.db.db, second.id);
    assert.ok(ok.ok, JSON.stringify(ok.lines));

    // A line lost from a file is a mismatch for that type only.
    const path = join(second.out_dir, 'Encounter.ndjson');
    writeFileSync(path, '');
    const bad = await reconcileExtract(f.db.db, second.id);
    assert.equal(bad.ok, false);
    assert.deepEqual(bad.lines.filter((l) => !l.ok).map((l) => l.type), ['Encounter']);
    assert.deepEqual((await listExtracts(f.db.db)).map((x) => x.id), [second.id, first.id]);
  });

  it('FHIR $export with _since includes Immunization, narrowed to the doses that changed', async () => {
    const admin = (await staffSession(f.app, f.db.db, { username: 'qtht-wh', fullName: 'Quản trị', role: 'system_admin' })).cookie;
    await tick();
    const since = new Date().toISOString();
    await tick();
    await dose('PA', 'd4', '2024-04-10');
    const k = await f.app.inject({
      method: 'GET',
      url: `/fhir/R4/$export?_type=Immunization,Organization&_since=${encodeURIComponent(since)}`,
      headers: { cookie: admin, prefer: 'respond-async', accept: 'application/fhir+json' },
    });
    assert.equal(k.statusCode, 202, k.body);
    const location = String(k.headers['content-location']);
    await createExportRunner(f.db.db, exportDir(dataDir)).run();
    const s = await f.app.inject({ method: 'GET', url: location.slice(location.indexOf('/fhir/R4')), headers: { cookie: admin } });
    assert.equal(s.statusCode, 200, s.body);
    const manifest = s.json() as { output: Array<{ type: string; count: number }> };
    assert.deepEqual(manifest.output.map((o) => [o.type, o.count]), [['Immunization', 1]], 'one new dose; no facility changed');
  });
});
