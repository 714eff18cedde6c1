import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';

// Issue 20: one number style and one date-time style on every screen. The web app formats through
// @openhssk/core's viNumber / viDate / viDateTime / viDelay; a screen that formats by hand drifts
// ("65.12 kg" beside "0,9 %", "2026-09-28 08:59" beside "28/09/2026 08:59"). This finds the
// hand-made ways before a reader does.

const root = new URL('..', import.meta.url).pathname;
const WEB_SRC = join(root, 'packages/web/src');

const HAND_MADE: Array<{ pattern: RegExp; use: string }> = [
  { pattern: /\bIntl\.(NumberFormat|DateTimeFormat)\s*\(/, use: 'viNumber / viDateTime from @openhssk/core' },
  { pattern: /\.toLocale(Date|Time)?String\s*\(/, use: 'viNumber / viDate / viDateTime from @openhssk/core' },
  { pattern: /\.replace\(\s*(['"]\.['"]|\/\\\.\/g?)\s*,\s*['"],['"]\s*\)/, use: 'viNumber from @openhssk/core' },
  { pattern: /\.split\(\s*['"]-['"]\s*\)\s*\.reverse\(\)/, use: 'viDate from @openhssk/core' },
];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return sources(p);
    return /\.tsx?$/.test(n) && !/\.test\.tsx?$/.test(n) ? [p] : [];
  });
}

/** `file:line: text` for every line of the given sources that formats a number or a date by hand. */
export function handMadeFormats(files: Array<{ path: string; text: string }>): string[] {
  const out: string[] = [];
  for (const { path, text } of files) {
    for (const [i, line] of text.split('\n').entries()) {
      for (const h of HAND_MADE) if (h.pattern.test(line)) out.push(`${path}:${i + 1}: ${line.trim()} (use ${h.use})`);
    }
  }
  return out;
}

describe('the web app formats numbers and dates one way', () => {
  it('has no hand-made number or date formatting in packages/web/src', () => {
    const files = sources(WEB_SRC).map((p) => ({ path: relative(root, p), text: readFileSync(p, 'utf8') }));
    assert.ok(files.length > 50, 'the web sources were found');
    assert.deepEqual(handMadeFormats(files), []);
  });

  it('finds each hand-made way', () => {
    const lines = [
      "const N = new Intl.NumberFormat('vi-VN');",
      'const t = d.toLocaleString();',
      "const s = at.toLocaleDateString('vi-VN');",
      "const w = String(x).replace('.', ',');",
      "const w = String(x).replace(/\\./g, ',');",
      "const d = day.split('-').reverse().join('/');",
    ];
    assert.equal(handMadeFormats(lines.map((text, i) => ({ path: `x${i}.tsx`, text }))).length, lines.length);
    assert.deepEqual(handMadeFormats([{ path: 'ok.tsx', text: "viNumber(bmi, 1); viDate(d.day); name.toLocaleUpperCase('vi');" }]), []);
  });
});
