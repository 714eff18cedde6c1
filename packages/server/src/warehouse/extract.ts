import { createReadStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DomainError } from '@openhssk/core';
import { sql } from 'kysely';
import type { Actor } from '../audit/index.ts';
import type { Db } from '../db/index.ts';
import { exportSourceCounts, exportToFolder } from '../fhir/index.ts';

/**
 * Warehouse feed for consumers without FHIR: the resources of a system-level FHIR Bulk Data export
 * over a change-time window [since, until), written as dated NDJSON files in a folder
 * (`<out>/<until as yyyyMMddTHHmmssZ>/<Type>.ndjson` + `manifest.json`). Each extract is a row of
 * warehouse_extract with the lines written per type and what the source held for the same window,
 * so `reconcile` can compare them later. Extracts without --since continue from the last completed
 * one, overlapping it by `overlapSeconds`: an envelope whose transaction started before the previous
 * extract's end but committed after it (its received_at is earlier than its commit) is not missed.
 * Consumers upsert by resource id, so the overlap costs only repeated lines.
 */

/** Same actor for the access-log rows as any other system reader that is not a person. */
export const WAREHOUSE_ACTOR: Actor = { type: 'system', id: 'warehouse-extract' };

/** Overlap with the previous extract (seconds); longer than any ingest transaction. */
export const DEFAULT_OVERLAP_SECONDS = 300;

export interface ExtractRow {
  id: number;
  since: Date | null;
  until: Date;
  export_job_id: string | null;
  out_dir: string;
  status: 'running' | 'completed' | 'failed';
  counts: Record<string, number>;
  source_counts: Record<string, number>;
  error: string | null;
  started_at: Date;
  finished_at: Date | null;
}

export interface ExtractOptions {
  /** Start of the window; undefined = the last completed extract's end minus the overlap (or everything). */
  since?: Date | null | undefined;
  /** End of the window (exclusive); default now. */
  until?: Date | undefined;
  out: string;
  /** Where the FHIR export runner writes before the files are moved (data dir's fhir-export). */
  workDir: string;
  overlapSeconds?: number;
}

// To the millisecond: two extracts a second apart (a retry, a test) get their own folders.
const stamp = (d: Date) => d.toISOString().replace(/[-:]/g, '');

async function lastCompleted(db: Db): Promise<ExtractRow | undefined> {
  return (await sql<ExtractRow>`select * from warehouse_extract where status = 'completed' order by until desc limit 1`.execute(db)).rows[0];
}

export async function runExtract(db: Db, o: ExtractOptions): Promise<ExtractRow> {
  const until = o.until ?? new Date();
  let since: Date | null;
  if (o.since !== undefined) since = o.since;
  else {
    const prev = await lastCompleted(db);
    since = prev ? new Date(prev.until.getTime() - (o.overlapSeconds ?? DEFAULT_OVERLAP_SECONDS) * 1000) : null;
  }
  if (since && since >= until) throw new DomainError('invalid', 'WAREHOUSE_WINDOW_EMPTY', '--since phải trước thời điểm kết thúc.', '--since must be before the end of the window.');
  const folder = join(o.out, stamp(until));
  if (existsSync(folder)) throw new DomainError('conflict', 'WAREHOUSE_FOLDER_EXISTS', `Thư mục ${folder} đã tồn tại.`, `Folder ${folder} already exists.`);
  const id = Number(
    (await sql<{ id: string }>`insert into warehouse_extract (since, until, out_dir, status) values (${since}, ${until}, ${folder}, 'running') returning id`.execute(db)).rows[0]!.id,
  );
  try {
    // Source counts first: rows changed inside a closed window do not move while the export runs.
    const sourceCounts = await exportSourceCounts(db, since, until);
    const exp = await exportToFolder(db, { since, until, actor: WAREHOUSE_ACTOR, baseDir: o.workDir, request: `hssk warehouse extract #${id}` });
    mkdirSync(folder, { recursive: true });
    for (const f of readdirSync(exp.dir)) renameSync(join(exp.dir, f), join(folder, f));
    rmSync(exp.dir, { recursive: true, force: true });
    const manifest = { extract_id: id, since: since?.toISOString() ?? null, until: until.toISOString(), counts: exp.counts, source_counts: sourceCounts, format: 'application/fhir+ndjson' };
    writeFileSync(join(folder, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    await sql`update warehouse_extract set status = 'completed', export_job_id = ${exp.jobId}, counts = ${JSON.stringify(exp.counts)}::jsonb,
      source_counts = ${JSON.stringify(sourceCounts)}::jsonb, finished_at = now() where id = ${id}`.execute(db);
  } catch (e) {
    await sql`update warehouse_extract set status = 'failed', error = ${String(e instanceof Error ? e.message : e).slice(0, 500)}, finished_at = now() where id = ${id}`.execute(db);
    throw e;
  }
  return (await extractById(db, id))!;
}

export async function extractById(db: Db, id: number): Promise<ExtractRow | undefined> {
  const r = (await sql<ExtractRow>`select * from warehouse_extract where id = ${id}`.execute(db)).rows[0];
  return r ? { ...r, id: Number(r.id) } : undefined;
}

export async function listExtracts(db: Db, limit = 50): Promise<ExtractRow[]> {
  return (await sql<ExtractRow>`select * from warehouse_extract order by id desc limit ${limit}`.execute(db)).rows.map((r) => ({ ...r, id: Number(r.id) }));
}

async function countLines(path: string): Promise<number> {
  if (!existsSync(path)) return 0;
  let n = 0;
  for await (const line of createInterface({ input: createReadStream(path), crlfDelay: Infinity })) if (line.trim() !== '') n++;
  return n;
}

export interface ReconcileLine {
  type: string;
  /** Lines in the extract's file now. */
  file_lines: number;
  /** Lines the extract logged when it ran. */
  logged: number;
  /** What the source holds for the window now (only for the types counted at the source). */
  source_now: number | null;
  /** What the source held when the extract ran. */
  source_then: number | null;
  ok: boolean;
}

/**
 * Compares an extract's files with its log and with the source over the same window: a file cut
 * short or changed, a type the export under-wrote, or source rows of the window changed since (a
 * late correction: the next extract carries it) all show as a mismatch.
 */
export async function reconcileExtract(db: Db, id: number): Promise<{ extract: ExtractRow; lines: ReconcileLine[]; ok: boolean }> {
  const x = await extractById(db, id);
  if (!x) throw new DomainError('not_found', 'WAREHOUSE_EXTRACT_NOT_FOUND', `Không có lần trích xuất ${id}.`, `No extract ${id}.`);
  if (x.status !== 'completed') throw new DomainError('conflict', 'WAREHOUSE_EXTRACT_INCOMPLETE', `Lần trích xuất ${id} chưa hoàn tất (${x.status}).`, `Extract ${id} is ${x.status}.`);
  const now = await exportSourceCounts(db, x.since, x.until);
  const types = [...new Set([...Object.keys(x.counts), ...Object.keys(x.source_counts)])].sort();
  const lines: ReconcileLine[] = [];
  for (const type of types) {
    const fileLines = await countLines(join(x.out_dir, `${type}.ndjson`));
    const logged = x.counts[type] ?? 0;
    const sourceThen = type in x.source_counts ? x.source_counts[type]! : null;
    const sourceNow = type in now ? now[type]! : null;
    const ok = fileLines === logged && (sourceThen === null || (sourceThen === logged && sourceNow === sourceThen));
    lines.push({ type, file_lines: fileLines, logged, source_now: sourceNow, source_then: sourceThen, ok });
  }
  return { extract: x, lines, ok: lines.every((l) => l.ok) };
}
