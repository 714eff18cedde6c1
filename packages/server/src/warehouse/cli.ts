import { parseArgs } from 'node:util';
import type { Db } from '../db/index.ts';
import { listExtracts, reconcileExtract, runExtract } from './extract.ts';

const USAGE = 'usage: hssk warehouse extract --out DIR [--since ISO-INSTANT] [--until ISO-INSTANT] | hssk warehouse reconcile [--id N] | hssk warehouse list';

function instant(name: string, v: string | undefined): Date | undefined {
  if (v === undefined) return undefined;
  const d = new Date(v);
  if (!/^\d{4}-\d{2}-\d{2}/.test(v) || Number.isNaN(d.getTime())) throw new Error(`${name}: cần một thời điểm ISO 8601 / must be an ISO 8601 instant, got "${v}"`);
  return d;
}

/** `hssk warehouse extract|reconcile|list`; returns the exit code (1 = reconcile found a mismatch). */
export async function runWarehouse(db: Db, sub: string | undefined, args: string[], workDir: string): Promise<number> {
  const { values } = parseArgs({ args, options: { out: { type: 'string' }, since: { type: 'string' }, until: { type: 'string' }, id: { type: 'string' } } });
  if (sub === 'extract') {
    if (!values.out) throw new Error(USAGE);
    const x = await runExtract(db, { out: values.out, since: instant('--since', values.since), until: instant('--until', values.until), workDir });
    console.log(`extract #${x.id}: ${x.since?.toISOString() ?? '(đầu / start)'} → ${x.until.toISOString()} in ${x.out_dir}`);
    for (const [type, n] of Object.entries(x.counts).sort()) console.log(`  ${type}: ${n}${type in x.source_counts ? ` (source ${x.source_counts[type]})` : ''}`);
    return 0;
  }
  if (sub === 'reconcile') {
    const id = values.id ? Number(values.id) : (await listExtracts(db, 1)).find((x) => x.status === 'completed')?.id;
    if (!id) throw new Error('Chưa có lần trích xuất nào hoàn tất / no completed extract');
    const r = await reconcileExtract(db, id);
    console.log(`extract #${id}: ${r.ok ? 'KHỚP / OK' : 'KHÔNG KHỚP / MISMATCH'}`);
    console.log('type\tfile_lines\tlogged\tsource_then\tsource_now\tok');
    for (const l of r.lines) console.log(`${l.type}\t${l.file_lines}\t${l.logged}\t${l.source_then ?? '-'}\t${l.source_now ?? '-'}\t${l.ok ? 'ok' : 'MISMATCH'}`);
    return r.ok ? 0 : 1;
  }
  if (sub === 'list') {
    for (const x of await listExtracts(db)) {
      const total = Object.values(x.counts).reduce((a, b) => a + b, 0);
      console.log(`#${x.id}\t${x.status}\t${x.since?.toISOString() ?? '-'}\t${x.until.toISOString()}\t${total}\t${x.out_dir}`);
    }
    return 0;
  }
  throw new Error(USAGE);
}
