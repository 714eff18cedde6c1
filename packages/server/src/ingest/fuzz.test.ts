import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRng } from '@openhssk/core/synth';
import { sampleEpisode } from '@openhssk/core/testing';
import { buildEnvelope, buildInnerXml } from '@openhssk/core/xml130';
import type { FastifyInstance } from 'fastify';
import { facilityWithToken, startTestApp, type TestDatabase } from '../../test-support/app.ts';

const FAC = '79040';
const CASES = Number(process.env.HSSK_FUZZ_CASES ?? 5000);

const HUGE = ['9'.repeat(400), '1e308', '-1', 'NaN', 'Infinity', '0x1F', '١٢٣', '99999999999999999999.999999', '', ' ', '&#0;', '\u0000'];

describe(`fuzzed envelopes never crash the server (${process.env.HSSK_TEST_DB ?? 'pglite'})`, () => {
  let app: FastifyInstance;
  let db: TestDatabase;
  let close: () => Promise<void>;
  let token: string;
  before(async () => {
    ({ app, db, close } = await startTestApp());
    ({ token } = await facilityWithToken(app, db, FAC, { testMode: true }));
    process.env.HSSK_INGEST_RATE_LIMIT = String(CASES * 10);
  });
  after(async () => {
    delete process.env.HSSK_INGEST_RATE_LIMIT;
    await close();
  });

  it(`answers ${CASES} mutated envelopes with 2xx/4xx only`, async () => {
    const random = createRng(20261123);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const int = (n: number) => Math.floor(random() * n);

    const mutateFields = (tables: Record<string, Array<Record<string, string>>>) => {
      const names = Object.keys(tables);
      for (let k = 0, n = 1 + int(3); k < n; k++) {
        const rows = tables[pick(names)]!;
        const row = rows[int(rows.length)];
        if (!row) continue;
        const keys = Object.keys(row);
        const key = pick(keys);
        const what = int(4);
        if (what === 0) row[key] = pick(HUGE);
        else if (what === 1) delete row[key];
        else if (what === 2) row[key] = 'x'.repeat(int(5000));
        else row[`${key}_LA`] = '<>&"\'';
      }
    };

    const statuses = new Map<number, number>();
    for (let c = 0; c < CASES; c++) {
      const ep = sampleEpisode(c, FAC, { drugs: 1 + int(3), services: 1 + int(3) });
      const kind = int(8);
      let body: string | Buffer;
      if (kind === 0) {
        mutateFields(ep);
        body = buildEnvelope({ facilityCode: FAC, createdDate: '20240305', episodes: [ep] });
      } else if (kind === 1) {
        // Swapped tables: one table's content under another's LOAIHOSO.
        const env = buildEnvelope({ facilityCode: FAC, createdDate: '20240305', episodes: [ep] });
        const types = [...env.matchAll(/<LOAIHOSO>(XML\d+)<\/LOAIHOSO>/g)].map((m) => m[1]!);
        const from = pick(types);
        body = env.replace(`<LOAIHOSO>${from}</LOAIHOSO>`, `<LOAIHOSO>${pick(['XML1', 'XML2', 'XML3', 'XML4', 'XML5', 'XML9', 'XML12', 'XML99', ''])}</LOAIHOSO>`);
      } else if (kind === 2) {
        // Truncated or corrupted base64.
        const env = buildEnvelope({ facilityCode: FAC, createdDate: '20240305', episodes: [ep] });
        body = env.replace(/<NOIDUNGFILE>([^<]*)<\/NOIDUNGFILE>/, (_m, b64: string) => `<NOIDUNGFILE>${b64.slice(0, int(b64.length))}${pick(['', '=', '==', '*', ' '])}</NOIDUNGFILE>`);
      } else if (kind === 3) {
        // Broken inner XML, still valid base64.
        const xml = buildInnerXml('XML1', ep.XML1!);
        const cut = int(xml.length);
        const broken = pick([xml.slice(0, cut), xml.slice(0, cut) + xml.slice(cut + 1 + int(20)), xml.replace('<MA_LK>', '<MA_LK attr="1">'), `${xml}<extra/>`, xml.replace('</TONG_HOP>', '<X><![CDATA[ ]]></X></TONG_HOP>')]);
        body = buildEnvelope({ facilityCode: FAC, createdDate: '20240305', episodes: [ep] }).replace(
          /<NOIDUNGFILE>([^<]*)<\/NOIDUNGFILE>/,
          `<NOIDUNGFILE>${Buffer.from(broken).toString('base64')}</NOIDUNGFILE>`,
        );
      } else {
        // Random byte flips, insertions and truncations of the whole envelope.
        const buf = Buffer.from(buildEnvelope({ facilityCode: FAC, createdDate: '20240305', episodes: [ep] }));
        for (let k = 0, n = 1 + int(6); k < n; k++) buf[int(buf.length)] = int(256);
        body = int(3) === 0 ? buf.subarray(0, int(buf.length) + 1) : buf;
      }
      const r = await app.inject({ method: 'POST', url: '/api/v1/xml130/submissions', headers: { 'content-type': 'application/xml', authorization: `Bearer ${token}` }, payload: body });
      statuses.set(r.statusCode, (statuses.get(r.statusCode) ?? 0) + 1);
      assert.ok(r.statusCode < 500, `case ${c} (kind ${kind}): ${r.statusCode} ${r.body.slice(0, 300)}`);
      if (r.statusCode >= 400) assert.ok(typeof (JSON.parse(r.body) as { code?: unknown }).code === 'string', `case ${c}: problem code`);
    }
    // The mix must exercise both paths: stored episodes and refusals.
    assert.ok((statuses.get(201) ?? 0) > 50 && [...statuses.keys()].some((s) => s >= 400), JSON.stringify([...statuses]));
  });
});
