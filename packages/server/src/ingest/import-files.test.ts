import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sampleEpisode } from '@openhssk/core/testing';
import { buildEnvelope } from '@openhssk/core/xml130';
import { createTestDatabase } from '../../test-support/database.ts';
import { createFacility } from '../facility/index.ts';
import { formatSummary, importExitCode, importXml130Files } from './import-files.ts';

const FAC = '79020';

describe(`hssk import xml130 (${process.env.HSSK_TEST_DB ?? 'pglite'})`, () => {
  let db: Awaited<ReturnType<typeof createTestDatabase>>;
  let dir: string;
  before(async () => {
    db = await createTestDatabase();
    await createFacility(db.db, { code: FAC, name: 'BV nhập tệp', testMode: true });
    dir = await mkdtemp(join(tmpdir(), 'hssk-import-'));
    const bad = sampleEpisode(3, FAC);
    delete bad.XML1![0]!.HO_TEN;
    await writeFile(join(dir, 'a.xml'), buildEnvelope({ facilityCode: FAC, createdDate: '20240305', episodes: [sampleEpisode(1, FAC), sampleEpisode(2, FAC)] }));
    await writeFile(join(dir, 'b.xml'), buildEnvelope({ facilityCode: FAC, createdDate: '20240305', episodes: [bad, sampleEpisode(4, FAC)] }));
    await writeFile(join(dir, 'c.xml'), '<GIAMDINHHS>');
    await writeFile(join(dir, 'ignored.txt'), 'not xml');
  });
  after(async () => {
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('imports a folder, reports issues, and resumes from the journal or from the receipts', async () => {
    const journalPath = join(dir, 'journal.json');
    const s = await importXml130Files(db.db, [dir], { journalPath });
    assert.equal(s.files, 3);
    assert.equal(s.failed, 1);
    assert.deepEqual(s.episodes, { accepted: 3, accepted_with_warnings: 0, rejected: 1, unchanged: 0 });
    assert.ok(s.issues.some((l) => l.includes('b.xml HOSO#1 XML1') && l.includes('HO_TEN')), s.issues.join('\n'));
    assert.ok(s.issues.some((l) => l.includes('c.xml') && l.includes('XML_MALFORMED')));
    assert.equal(importExitCode(s), 0);
    assert.match(formatSummary(s), /Hồ sơ: 3 hợp lệ/);

    const again = await importXml130Files(db.db, [dir], { journalPath });
    assert.equal(again.skipped, 2);
    assert.equal(again.failed, 1);

    // Journal lost (killed before it was written): identical files return their first receipts.
    const count = async () => Number((await db.db.selectFrom('submission').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
    const before = await count();
    const fresh = await importXml130Files(db.db, [dir], { journalPath: join(dir, 'other.json') });
    assert.equal(await count(), before);
    assert.equal(fresh.episodes.accepted, 3);

    const missing = await importXml130Files(db.db, [join(dir, 'nope.xml')], { journalPath });
    assert.equal(importExitCode(missing), 1);
  });
});
