import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { isAntigen } from './antigens.ts';
import { scheduleMarkdown } from './explain.ts';
import { PRESENTATIONS } from './planning.ts';
import { productById } from './products.ts';
import { CURRENT_SCHEDULE, SCHEDULE_VERSIONS } from './schedule-vn.ts';
import { SOURCES, type Sourced } from './sources.ts';

/** Every { value, source, verified } inside a value, with its path. */
function sourcedValues(node: unknown, path: string, out: [string, Sourced<unknown>][]) {
  if (node === null || typeof node !== 'object') return;
  const rec = node as Record<string, unknown>;
  if ('source' in rec && 'verified' in rec && 'value' in rec) {
    out.push([path, rec as unknown as Sourced<unknown>]);
    return;
  }
  for (const [k, v] of Object.entries(rec)) sourcedValues(v, `${path}.${k}`, out);
}

describe('schedule data', () => {
  for (const version of SCHEDULE_VERSIONS) {
    const values: [string, Sourced<unknown>][] = [];
    sourcedValues(version, version.id, values);

    it(`${version.id}: every value names a known source; only law or official sources are verified`, () => {
      assert.ok(values.length > 50, `only ${values.length} sourced values`);
      for (const [path, v] of values) {
        const source = SOURCES[v.source];
        assert.ok(source, `${path}: unknown source ${String(v.source)}`);
        if (v.verified) assert.ok(source.kind === 'law' || source.kind === 'official', `${path} is verified from a ${source.kind} source`);
      }
    });

    it(`${version.id}: series are well formed and their programme products are known and planned`, () => {
      assert.match(version.validFrom.value, /^\d{4}-\d{2}-\d{2}$/);
      for (const s of version.series) {
        assert.ok(s.doses.length > 0, s.id);
        s.doses.forEach((d, i) => {
          assert.equal(d.dose, i + 1, `${s.id} dose numbering`);
        });
        for (const alt of s.accepts) for (const a of alt) assert.ok(isAntigen(a), `${s.id}: ${a}`);
        const product = productById(s.programmeProduct);
        assert.ok(product, `${s.id}: product ${s.programmeProduct}`);
        assert.ok(product.programme, `${s.id}: ${product.id} is a programme product`);
        // The programme's own product must count for its series.
        assert.ok(
          s.accepts.some((alt) => alt.every((a) => product.antigens.includes(a))),
          `${s.id}: ${product.id} does not cover the series`,
        );
        assert.ok(PRESENTATIONS[s.programmeProduct], `${s.id}: no presentation for ${s.programmeProduct}`);
      }
    });

    it(`${version.id}: values read in the legal text are marked verified`, () => {
      const byPath = new Map(values);
      const expectVerified = [
        `${version.id}.series.0.doses.0.recommendedAge`, // hepatitis B within 24 hours
        `${version.id}.series.1.doses.0.grace`, // BCG within 1 month
        `${version.id}.series.2.doses.0.recommendedAge`, // 5-in-1 at 2 months
        `${version.id}.series.4.doses.0.recommendedAge`, // IPV at 5 months
        `${version.id}.series.4.doses.1.maxAge`, // IPV2 under 1 year
        `${version.id}.series.7.doses.0.recommendedAge`, // DTP booster at 18 months
        `${version.id}.series.8.doses.0.recommendedAge`, // Td at 7 years
      ];
      for (const p of expectVerified) assert.equal(byPath.get(p)?.verified, true, p);
    });
  }

  it('docs/immunization.md shows the current table and every source', () => {
    const doc = readFileSync(new URL('../../../../docs/immunization.md', import.meta.url), 'utf8');
    const m = /<!-- schedule-table:start -->\n([\s\S]*?)\n<!-- schedule-table:end -->/.exec(doc);
    assert.ok(m, 'schedule-table markers missing');
    assert.equal(m[1], scheduleMarkdown(CURRENT_SCHEDULE), 'regenerate the table in docs/immunization.md with scheduleMarkdown()');
    for (const id of Object.keys(SOURCES)) assert.ok(doc.includes(`\`${id}\``), `source ${id} not listed in the docs`);
  });
});
