import { createHash } from 'node:crypto';
import { readdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DomainError } from '@openhssk/core';
import cliProgress from 'cli-progress';
import type { Db } from '../db/index.ts';
import type { Receipt } from './receipt.ts';
import { ingestEnvelope } from './service.ts';

export const JOURNAL_FILE = '.hssk-import-journal.json';

interface JournalEntry {
  file: string;
  receipt_id: string;
  status: string;
  at: string;
}

interface Journal {
  version: 1;
  /** sha256 of the file's bytes → outcome; a file listed here is skipped without touching the DB. */
  done: Record<string, JournalEntry>;
}

export interface ImportSummary {
  files: number;
  skipped: number;
  failed: number;
  episodes: { accepted: number; accepted_with_warnings: number; rejected: number; unchanged: number };
  issues: string[];
  ioErrors: string[];
}

export interface ImportOptions {
  facility?: string | undefined;
  journalPath?: string | undefined;
  progress?: boolean | undefined;
  maxBytes?: number | undefined;
}

async function collectXmlFiles(paths: string[], out: string[], ioErrors: string[]) {
  for (const p of paths) {
    let s: Awaited<ReturnType<typeof stat>>;
    try {
      s = await stat(p);
    } catch (e) {
      ioErrors.push(`${p}: ${(e as Error).message}`);
      continue;
    }
    if (s.isDirectory()) {
      const names = (await readdir(p)).sort();
      await collectXmlFiles(
        names.map((n) => join(p, n)),
        out,
        ioErrors,
      );
    } else if (s.isFile() && /\.xml$/i.test(p)) out.push(p);
  }
}

async function loadJournal(path: string): Promise<Journal> {
  try {
    const j = JSON.parse(await readFile(path, 'utf8')) as Journal;
    if (j.version === 1 && j.done && typeof j.done === 'object') return j;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  return { version: 1, done: {} };
}

/** Write-then-rename, so a kill mid-write leaves the previous journal rather than half a file. */
async function saveJournal(path: string, j: Journal) {
  await writeFile(`${path}.tmp`, JSON.stringify(j, null, 1));
  await rename(`${path}.tmp`, path);
}

/** Facility of an envelope, from its MACSKCB, for runs without --facility. */
function envelopeFacility(raw: Buffer): string | undefined {
  const head = raw.subarray(0, 4096).toString('utf8');
  return /<MACSKCB>\s*([^<\s]{1,10})\s*<\/MACSKCB>/.exec(head)?.[1];
}

/**
 * Imports envelope files through the same ingest path as the API (channel 'cli'). Resumable: the
 * journal skips finished files without reading the DB, and a byte-identical file that is not in the
 * journal (killed between commit and journal write) is a no-op that returns its first receipt.
 */
export async function importXml130Files(db: Db, paths: string[], opts: ImportOptions = {}): Promise<ImportSummary> {
  const summary: ImportSummary = { files: 0, skipped: 0, failed: 0, episodes: { accepted: 0, accepted_with_warnings: 0, rejected: 0, unchanged: 0 }, issues: [], ioErrors: [] };
  const files: string[] = [];
  await collectXmlFiles(paths, files, summary.ioErrors);
  const journalPath = resolve(opts.journalPath ?? JOURNAL_FILE);
  const journal = await loadJournal(journalPath);
  const bar = opts.progress
    ? new cliProgress.SingleBar({ format: 'XML 130 {bar} {value}/{total} tệp | {episodes} hồ sơ | {eta_formatted}', hideCursor: true }, cliProgress.Presets.shades_classic)
    : undefined;
  let episodes = 0;
  bar?.start(files.length, 0, { episodes });
  const note = (line: string) => {
    if (summary.issues.length < 20) summary.issues.push(line);
  };
  for (const file of files) {
    summary.files++;
    let raw: Buffer;
    try {
      raw = await readFile(file);
    } catch (e) {
      summary.ioErrors.push(`${file}: ${(e as Error).message}`);
      bar?.increment(1, { episodes });
      continue;
    }
    const sha = createHash('sha256').update(raw).digest('hex');
    if (journal.done[sha]) {
      summary.skipped++;
      bar?.increment(1, { episodes });
      continue;
    }
    const facilityCode = opts.facility ?? envelopeFacility(raw) ?? '';
    let receipt: Receipt | undefined;
    try {
      ({ receipt } = await ingestEnvelope(db, { facilityCode, raw, channel: 'cli', maxBytes: opts.maxBytes }));
    } catch (e) {
      if (!(e instanceof DomainError)) throw e;
      summary.failed++;
      note(`${file} - - - - ${e.code} ${e.message_vi}`);
    }
    if (receipt) {
      for (const ep of receipt.episodes) {
        summary.episodes[ep.status]++;
        for (const i of ep.issues) note(`${file} HOSO#${ep.index} ${i.table ?? '-'} ${i.row ?? '-'} ${i.field ?? '-'} ${i.code} ${i.message_vi}`);
      }
      episodes += receipt.episodes.length;
      if (receipt.status === 'rejected') summary.failed++;
      // Only files that got a receipt are final; refusals may pass later (certificate uploaded, facility registered).
      journal.done[sha] = { file, receipt_id: receipt.receipt_id, status: receipt.status, at: new Date().toISOString() };
      await saveJournal(journalPath, journal);
    }
    bar?.increment(1, { episodes });
  }
  bar?.stop();
  return summary;
}

export function formatSummary(s: ImportSummary): string {
  const e = s.episodes;
  const lines = [
    `Tệp: ${s.files} (bỏ qua vì đã nhập: ${s.skipped}, lỗi cả tệp: ${s.failed}, lỗi đọc: ${s.ioErrors.length})`,
    `Hồ sơ: ${e.accepted} hợp lệ, ${e.accepted_with_warnings} có cảnh báo, ${e.rejected} bị từ chối, ${e.unchanged} không đổi`,
  ];
  if (s.issues.length > 0) lines.push('20 vấn đề đầu tiên (tệp HOSO#n bảng dòng trường mã thông điệp):', ...s.issues.map((i) => `  ${i}`));
  for (const io of s.ioErrors) lines.push(`Lỗi đọc: ${io}`);
  return lines.join('\n');
}

/** Exit code: I/O trouble, or nothing at all got in. */
export function importExitCode(s: ImportSummary): number {
  if (s.ioErrors.length > 0) return 1;
  const attempted = s.files - s.skipped;
  return attempted > 0 && s.failed === attempted ? 1 : 0;
}
