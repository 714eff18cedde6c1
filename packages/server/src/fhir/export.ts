/**
 * FHIR Bulk Data export ($export at system, Patient and Group level) for the health department's data
 * warehouse: kick-off answers 202 with a status URL, a background runner (started by the composition
 * root) streams NDJSON files, the status URL answers 202 with progress until the manifest is ready.
 *
 * Bounded memory: the runner walks the store by keyset in chunks (persons, then episodes, then
 * facilities) and writes each chunk's resources to one append-only file per type before reading the
 * next chunk. After each chunk it records a checkpoint (where the walk stopped, lines and bytes per
 * file) in the job row, in the same transaction as the access-log rows of the persons the chunk
 * exported. A server that stops mid-export resumes from the checkpoint: files are cut back to the
 * checkpointed sizes, so no line is written twice. DELETE on the status URL cancels a job and removes
 * its files.
 *
 * Who: staff sessions of a system administrator (every facility) or a health officer (facilities of
 * their area), as for search; facility systems read through search and $everything instead. The scope
 * is fixed at kick-off. Sensitive episodes are never exported (same SQL as search).
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, rmSync, statSync, truncateSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { Resource } from '@medplum/fhirtypes';
import { DomainError } from '@openhssk/core';
import { coverageResource, organizationResource, patientResource } from '@openhssk/core/fhir';
import { sql } from 'kysely';
import { type Actor, auditMany } from '../audit/index.ts';
import type { Db } from '../db/index.ts';
import { unitDescendants } from '../staff/index.ts';
import type { FhirCaller } from './access.ts';
import { episodeChildren, episodeResources } from './everything.ts';
import { invalidParam } from './params.ts';
import { consentsOf } from './consent.ts';
import { practitionersAfter } from './practitioner.ts';
import { allergiesOf, immunizationsOf } from './registry.ts';
import type { FhirQuery } from './search.ts';
import { episodeWindow, type Facilities, personWindow, queryFacilities, queryPersons, visibleEpisode } from './sql.ts';

/** How long a runner's claim on a job holds without a checkpoint. */
const LEASE_SECONDS = 120;

/** Types written while walking persons, while walking episodes, and the facility registry. */
export const PERSON_TYPES = ['Patient', 'Coverage', 'AllergyIntolerance', 'Immunization', 'Consent'] as const;
export const EPISODE_EXPORT_TYPES = ['Encounter', 'Condition', 'MedicationRequest', 'MedicationDispense', 'Observation', 'DiagnosticReport', 'Procedure', 'ServiceRequest', 'Appointment', 'DocumentReference', 'Provenance'] as const;
/**
 * Written at system level only, after the walks: the facility registry and the practitioners the
 * visible episodes name. AuditEvent is never exported: the access log is read by system
 * administrators one question at a time (fhir/audit-event.ts), not shipped to a warehouse, and an
 * export of it would itself add an access-log row per person it names.
 */
const REGISTRY_TYPES = ['Organization', 'Practitioner'] as const;
const ALL_TYPES: readonly string[] = [...PERSON_TYPES, ...EPISODE_EXPORT_TYPES, ...REGISTRY_TYPES];

export type ExportLevel = 'system' | 'patient' | 'group';
type Phase = 'persons' | 'episodes' | 'organizations' | 'practitioners' | 'done';

interface Checkpoint {
  phase: Phase;
  after: string | number | null;
  counts: Record<string, number>;
  bytes: Record<string, number>;
}

interface JobRow {
  id: string;
  level: ExportLevel;
  group_id: string | null;
  types: string[];
  since: Date | null;
  /** Upper bound of the change-time window (warehouse extracts only); null = up to the run. */
  until_at: Date | null;
  actor: Actor;
  facilities: string[] | null;
  request: string;
  status: 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';
  checkpoint: Partial<Checkpoint>;
  error: string | null;
  created_at: Date;
  completed_at: Date | null;
}

const forbidden = () =>
  new DomainError(
    'forbidden',
    'FHIR_EXPORT_FORBIDDEN',
    'Chỉ quản trị hệ thống và cán bộ quản lý y tế được trích xuất hàng loạt.',
    'Bulk export is for system administrators and health officers only.',
  );
const jobNotFound = (id: string) => new DomainError('not_found', 'FHIR_EXPORT_NOT_FOUND', `Không tìm thấy yêu cầu trích xuất ${id}.`, `Export job ${id} was not found.`);

const OUTPUT_FORMATS = new Set(['application/fhir+ndjson', 'application/ndjson', 'ndjson']);
const KICKOFF_PARAMS = new Set(['_type', '_since', '_outputFormat']);

// ---------------------------------------------------------------------------------------------
// Kick-off, status, cancel, files.

export interface KickOff {
  db: Db;
  caller: FhirCaller;
  level: ExportLevel;
  groupId?: string;
  query: FhirQuery;
  request: string;
  prefer: string | undefined;
}

/** Facilities of a group: `facility-<MACSKCB>` or `unit-<administrative unit code>` (its facilities and those below). */
async function groupFacilities(db: Db, groupId: string): Promise<string[]> {
  const f = /^facility-([0-9A-Za-z]{5})$/.exec(groupId);
  if (f) return (await queryFacilities(db, [f[1]!], undefined, 1)).map((r) => r.code);
  const u = /^unit-([0-9]{1,10})$/.exec(groupId);
  if (u) {
    const units = await unitDescendants(db, u[1]!);
    if (units.length === 0) return [];
    const rows = await sql<{ code: string }>`select code from facility where admin_unit_code = any(${units}::text[])`.execute(db);
    return rows.rows.map((r) => r.code);
  }
  return [];
}

export async function kickOffExport(k: KickOff): Promise<string> {
  if (k.caller.actor.type !== 'staff') throw forbidden();
  if (!/respond-async/.test(k.prefer ?? '')) {
    throw new DomainError('invalid', 'FHIR_EXPORT_ASYNC_REQUIRED', 'Cần tiêu đề "Prefer: respond-async".', 'The "Prefer: respond-async" header is required.');
  }
  for (const name of Object.keys(k.query)) {
    if (k.query[name] !== undefined && !KICKOFF_PARAMS.has(name)) throw invalidParam(name, String(k.query[name]), 'không được hỗ trợ cho $export.', 'is not supported by $export.');
  }
  const one = (name: string) => {
    const v = k.query[name];
    return Array.isArray(v) ? v.join(',') : v;
  };
  const format = one('_outputFormat');
  if (format !== undefined && !OUTPUT_FORMATS.has(format)) throw invalidParam('_outputFormat', format, 'chỉ hỗ trợ application/fhir+ndjson.', 'only application/fhir+ndjson is supported.');
  const offered = k.level === 'system' ? ALL_TYPES : ALL_TYPES.filter((t) => !(REGISTRY_TYPES as readonly string[]).includes(t));
  const typeParam = one('_type');
  const types = typeParam ? [...new Set(typeParam.split(',').map((t) => t.trim()))] : [...offered];
  for (const t of types) if (!offered.includes(t)) throw invalidParam('_type', t, `dùng một trong: ${offered.join(', ')}.`, `use some of: ${offered.join(', ')}.`);
  const sinceRaw = one('_since');
  let since: Date | null = null;
  if (sinceRaw !== undefined) {
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(sinceRaw) || Number.isNaN(Date.parse(sinceRaw))) {
      throw invalidParam('_since', sinceRaw, 'cần một thời điểm FHIR có múi giờ (instant).', 'must be a FHIR instant with a zone.');
    }
    since = new Date(sinceRaw);
  }
  // A SMART app token reads one person's compartment; bulk export is for systems (access.ts refuses it first).
  if (!Array.isArray(k.caller.facilities) && k.caller.facilities !== 'all') throw new DomainError('forbidden', 'FORBIDDEN', 'Không có quyền trích xuất hàng loạt.', 'Bulk export is not allowed with this token.');
  let facilities: 'all' | string[] = k.caller.facilities;
  if (k.level === 'group') {
    const inGroup = await groupFacilities(k.db, k.groupId ?? '');
    if (inGroup.length === 0) throw new DomainError('not_found', 'FHIR_NOT_FOUND', `Không tìm thấy Group/${k.groupId}.`, `Group/${k.groupId} was not found.`);
    facilities = facilities === 'all' ? inGroup : facilities.filter((c) => inGroup.includes(c));
  }
  const id = randomUUID();
  await sql`insert into fhir_export_job (id, level, group_id, types, since, actor, facilities, request, status)
    values (${id}, ${k.level}, ${k.groupId ?? null}, ${types}::text[], ${since}, ${JSON.stringify(k.caller.actor)}::jsonb,
            ${facilities === 'all' ? null : facilities}::text[], ${k.request.slice(0, 1000)}, 'queued')`.execute(k.db);
  return id;
}

async function jobOf(db: Db, caller: FhirCaller, id: string): Promise<JobRow> {
  if (!/^[0-9a-f-]{36}$/.test(id)) throw jobNotFound(id);
  const r = await sql<JobRow>`select * from fhir_export_job where id = ${id}`.execute(db);
  const job = r.rows[0];
  // Another caller's job reads like an unknown one.
  if (!job || job.actor.type !== caller.actor.type || job.actor.id !== caller.actor.id) throw jobNotFound(id);
  return job;
}

export type ExportStatus =
  | { state: 'in-progress'; progress: string }
  | { state: 'completed'; manifest: object }
  | { state: 'failed'; error: string }
  | { state: 'cancelled' };

export async function exportStatus(db: Db, caller: FhirCaller, id: string, base: string): Promise<ExportStatus> {
  const job = await jobOf(db, caller, id);
  const cp = job.checkpoint;
  switch (job.status) {
    case 'queued':
      return { state: 'in-progress', progress: 'đang chờ (queued)' };
    case 'running': {
      const lines = Object.values(cp.counts ?? {}).reduce((a, b) => a + b, 0);
      return { state: 'in-progress', progress: `${cp.phase ?? 'persons'}: ${lines} resources` };
    }
    case 'failed':
      return { state: 'failed', error: job.error ?? 'export failed' };
    case 'cancelled':
      return { state: 'cancelled' };
    case 'completed':
      return {
        state: 'completed',
        manifest: {
          transactionTime: job.created_at.toISOString(),
          request: job.request,
          requiresAccessToken: true,
          output: job.types
            .filter((t) => (cp.counts?.[t] ?? 0) > 0)
            .map((t) => ({ type: t, url: `${base}/$export-file/${job.id}/${t}.ndjson`, count: cp.counts?.[t] ?? 0 })),
          error: [],
        },
      };
  }
}

export async function cancelExport(db: Db, caller: FhirCaller, id: string, dir: string): Promise<void> {
  const job = await jobOf(db, caller, id);
  await sql`update fhir_export_job set status = 'cancelled', updated_at = now() where id = ${job.id} and status in ('queued', 'running', 'completed', 'failed')`.execute(db);
  // A runner busy with this job sees the status at its next checkpoint and stops; files go now.
  rmSync(join(dir, job.id), { recursive: true, force: true });
}

export async function exportFile(db: Db, caller: FhirCaller, id: string, file: string, dir: string) {
  const job = await jobOf(db, caller, id);
  const m = /^([A-Za-z]+)\.ndjson$/.exec(file);
  const path = m && job.status === 'completed' && job.types.includes(m[1]!) ? join(dir, job.id, file) : undefined;
  if (!path || !existsSync(path)) throw new DomainError('not_found', 'FHIR_NOT_FOUND', `Không có tệp ${file}.`, `No file ${file}.`);
  return createReadStream(path);
}

// ---------------------------------------------------------------------------------------------
// The runner.

const FILE_BUFFER = 1 << 20;

/** One append-only NDJSON file per type; writes wait when the OS buffer is full (backpressure). */
class NdjsonFiles {
  private streams = new Map<string, WriteStream>();
  constructor(
    private dir: string,
    readonly bytes: Record<string, number>,
    readonly counts: Record<string, number>,
  ) {
    mkdirSync(dir, { recursive: true });
  }
  async write(r: Resource) {
    const type = r.resourceType;
    let s = this.streams.get(type);
    if (!s) {
      // 1 MiB before a write waits for the disk (the default 16 KiB made the walk wait on a drain every
      // ten lines or so); memory stays bounded: at most that much pending per file.
      s = createWriteStream(join(this.dir, `${type}.ndjson`), { flags: 'a', highWaterMark: FILE_BUFFER });
      this.streams.set(type, s);
    }
    const line = `${JSON.stringify(r)}\n`;
    this.bytes[type] = (this.bytes[type] ?? 0) + Buffer.byteLength(line);
    this.counts[type] = (this.counts[type] ?? 0) + 1;
    if (!s.write(line)) await new Promise<void>((resolve) => s.once('drain', () => resolve()));
  }
  /** Every line written so far is in the files (before a checkpoint names their sizes). */
  async flush() {
    await Promise.all([...this.streams.values()].map((s) => new Promise<void>((resolve, reject) => s.write('', (e) => (e ? reject(e) : resolve())))));
  }
  async close() {
    await Promise.all([...this.streams.values()].map((s) => new Promise<void>((resolve) => s.end(resolve))));
    this.streams.clear();
  }
}

export interface ExportRunnerOptions {
  /** Persons read per chunk. */
  personChunk?: number;
  /** Episode ids looked at per chunk (visible or not). */
  episodeChunk?: number;
  /** Stop after this many checkpoints, as a server stopped mid-export would (tests of resuming). */
  stopAfterChunks?: number;
  /** Run only this job (a warehouse extract run in the foreground), not the queue. */
  onlyJob?: string;
}

export interface ExportRunner {
  /** Runs queued and interrupted jobs until none is left or stop() is called. */
  run(): Promise<void>;
  /** Stops at the next checkpoint; the job stays 'running' and resumes on the next run. */
  stop(): void;
}

export function createExportRunner(db: Db, dir: string, opts: ExportRunnerOptions = {}): ExportRunner {
  const personChunk = opts.personChunk ?? 1000;
  const episodeChunk = opts.episodeChunk ?? 2000;
  let stopped = false;
  let chunks = 0;

  const me = randomUUID();
  /** Claims the oldest queued job, or a running one whose runner's claim lapsed (it stopped or died). */
  const next = async () =>
    (
      await sql<JobRow>`update fhir_export_job set status = 'running', runner = ${me}, lease_until = now() + ${`${LEASE_SECONDS} seconds`}::interval, updated_at = now()
        where id = (select id from fhir_export_job
                     where (status = 'queued' or (status = 'running' and (lease_until is null or lease_until < now())))
                       and ${opts.onlyJob === undefined ? sql`true` : sql`id = ${opts.onlyJob}`}
                     order by created_at limit 1 for update skip locked)
        returning *`.execute(db)
    ).rows[0];
  /** Renews the claim; false when the job was cancelled or another runner took it over. */
  const stillWanted = async (id: string) =>
    (
      await sql`update fhir_export_job set lease_until = now() + ${`${LEASE_SECONDS} seconds`}::interval
        where id = ${id} and status = 'running' and runner = ${me} returning id`.execute(db)
    ).rows.length === 1;
  const release = (id: string) => sql`update fhir_export_job set lease_until = null where id = ${id} and runner = ${me} and status = 'running'`.execute(db);

  async function runJob(job: JobRow) {
    const jobDir = join(dir, job.id);
    const cp: Checkpoint = { phase: job.checkpoint.phase ?? 'persons', after: job.checkpoint.after ?? null, counts: { ...job.checkpoint.counts }, bytes: { ...job.checkpoint.bytes } };
    mkdirSync(jobDir, { recursive: true });
    // Resume: lines written after the last checkpoint are cut off, so none is written twice.
    for (const [type, size] of Object.entries(cp.bytes)) {
      const path = join(jobDir, `${type}.ndjson`);
      if (existsSync(path) && statSync(path).size > size) truncateSync(path, size);
    }
    const files = new NdjsonFiles(jobDir, cp.bytes, cp.counts);
    const wanted = new Set(job.types);
    const facilities: Facilities = job.facilities ?? 'all';
    const since = job.since;
    const until = job.until_at;
    /** Inside the job's change-time window [since, until). */
    const changed = (at: Date | string) => (!since || new Date(at) >= since) && (!until || new Date(at) < until);
    const windowed = since !== null || until !== null;
    const resource = `$export/${job.id}`;
    // Persons are logged in the person pass when it shows every one of them (Patient without _since).
    const personsLoggedFirst = wanted.has('Patient') && !windowed;

    /** Checkpoint and access-log rows of the chunk in one transaction; false when the job was cancelled meanwhile. */
    const commit = async (state: string, flushed: Promise<void>, persons: ReadonlyArray<string | null>) => {
      await flushed;
      if (!(await stillWanted(job.id))) return false;
      chunks++;
      if (opts.stopAfterChunks !== undefined && chunks >= opts.stopAfterChunks) stopped = true;
      await db.transaction().execute(async (tx) => {
        await auditMany(tx, persons.map((personId) => ({ actor: job.actor, action: 'fhir.export', personId, resource, detail: { types: job.types } })));
        await sql`update fhir_export_job set checkpoint = ${state}::jsonb, updated_at = now() where id = ${job.id}`.execute(tx);
      });
      return true;
    };
    // The checkpoint of a chunk is committed while the next chunk is read and written (the walk waits
    // on the database most of the time): at most one is pending, and they commit in order. The state
    // and the flush are taken when the chunk ends, so a checkpoint names exactly the lines of the
    // chunks before it; lines of the chunk after it are cut off on resume like any unrecorded line.
    let pending: Promise<boolean> = Promise.resolve(true);
    /** Waits for the pending checkpoint; false when the walk must stop (cancelled, taken over or stopped). */
    const settled = async () => (await pending) && !stopped;
    const checkpoint = async (persons: ReadonlyArray<string | null>) => {
      if (!(await settled())) return false;
      pending = commit(JSON.stringify(cp), files.flush(), persons);
      // Keeps an unobserved rejection from surfacing before the next settled() awaits it.
      pending.catch(() => undefined);
      return true;
    };

    try {
      const personTypes = PERSON_TYPES.filter((t) => wanted.has(t));
      if (cp.phase === 'persons') {
        if (personTypes.length) {
          for (;;) {
            if (stopped) return;
            const after = (cp.after as string | null) ?? undefined;
            // Every facility: the walk goes by person id, each probed through its own episodes; a list
            // of facilities goes through their episodes, so it never visits other facilities' patients.
            const { rows: batch, walked } =
              facilities === 'all' ? await personWindow(db, after, personChunk) : await queryPersons(db, facilities, undefined, false, after, personChunk).then((rows) => ({ rows, walked: rows[rows.length - 1]?.id }));
            if (walked === undefined) break;
            const ids = batch.map((p) => p.id);
            const shown = new Set<string>();
            for (const p of batch) {
              if (!changed(p.updated_at)) continue;
              if (wanted.has('Patient')) {
                await files.write(patientResource({ ...p }));
                shown.add(p.id);
              }
              const card = wanted.has('Coverage') ? coverageResource({ ...p }) : undefined;
              if (card) {
                await files.write(card);
                shown.add(p.id);
              }
            }
            if (wanted.has('AllergyIntolerance') && ids.length > 0) {
              for (const a of await allergiesOf(db, ids)) {
                if (windowed && a.meta?.lastUpdated && !changed(a.meta.lastUpdated)) continue;
                await files.write(a);
                shown.add(a.patient.reference?.split('/')[1] ?? '');
              }
            }
            if (wanted.has('Immunization') && ids.length > 0) {
              const doses = await immunizationsOf(db, ids);
              // A dose's change time is vaccination.updated_at (import corrections, duplicate links and
              // MPI moves set it): with a window only the doses changed inside it are written.
              const inWindow = windowed ? await changedDoses(db, doses.map((d) => d.id ?? ''), since, until) : undefined;
              for (const i of doses) {
                if (inWindow && !inWindow.has(i.id ?? '')) continue;
                await files.write(i);
                shown.add(i.patient.reference?.split('/')[1] ?? '');
              }
            }
            if (wanted.has('Consent') && ids.length > 0) {
              for (const c of await consentsOf(db, facilities, ids)) {
                if (windowed && c.meta?.lastUpdated && !changed(c.meta.lastUpdated)) continue;
                await files.write(c);
                shown.add(c.patient?.reference?.split('/')[1] ?? '');
              }
            }
            cp.after = walked;
            if (!(await checkpoint([...shown]))) return;
          }
        }
        cp.phase = 'episodes';
        cp.after = null;
      }
      if (cp.phase === 'episodes') {
        if (EPISODE_EXPORT_TYPES.some((t) => wanted.has(t))) {
          const filters = [...(since ? [sql`e.received_at >= ${since}`] : []), ...(until ? [sql`e.received_at < ${until}`] : [])];
          for (;;) {
            if (stopped) return;
            const { rows, walked } = await episodeWindow(db, facilities, filters, cp.after === null ? undefined : Number(cp.after), episodeChunk);
            if (walked === undefined) break;
            // Each episode's resources are mapped and written before the next episode's are made, so
            // they die young instead of a whole window's resources outliving the writes (memory).
            const children = await episodeChildren(db, rows);
            for (const row of rows) {
              for (const r of episodeResources(row, children.get(row.id) ?? [])) if (wanted.has(r.resourceType)) await files.write(r);
            }
            cp.after = walked;
            const persons = personsLoggedFirst ? [] : [...new Set(rows.map((r) => r.person_id))];
            if (!(await checkpoint(persons))) return;
          }
        }
        cp.phase = 'organizations';
        cp.after = null;
      }
      if (cp.phase === 'organizations' && wanted.has('Organization')) {
        for (;;) {
          if (stopped) return;
          const rows = await queryFacilities(db, undefined, (cp.after as string | null) ?? undefined, personChunk);
          if (rows.length === 0) break;
          const inWindow = windowed ? await changedFacilities(db, rows.map((f) => f.code), since, until) : undefined;
          for (const f of rows) if (!inWindow || inWindow.has(f.code)) await files.write(organizationResource({ ...f }));
          cp.after = rows[rows.length - 1]!.code;
          if (!(await checkpoint([]))) return;
        }
      }
      if (cp.phase === 'organizations') {
        cp.phase = 'practitioners';
        cp.after = null;
      }
      if (cp.phase === 'practitioners' && wanted.has('Practitioner')) {
        for (;;) {
          if (stopped) return;
          // A practitioner has no change time of its own: with a window, those named by the episodes
          // that arrived in it (the only way its resource, name included, can change).
          const arrived = windowed ? [sql`${windowConds('e.received_at', since, until)}`] : [];
          const page = await practitionersAfter(db, facilities, arrived, (cp.after as string | null) ?? undefined, personChunk);
          if (page.length === 0) break;
          for (const p of page) if (p.resource) await files.write(p.resource);
          cp.after = page[page.length - 1]!.code;
          if (!(await checkpoint([]))) return;
        }
      }
      if (!(await settled())) return;
      cp.phase = 'done';
      await files.flush();
      await sql`update fhir_export_job set status = 'completed', checkpoint = ${JSON.stringify(cp)}::jsonb, completed_at = now(), updated_at = now(), lease_until = null
        where id = ${job.id} and status = 'running' and runner = ${me}`.execute(db);
    } catch (err) {
      // A job cancelled under the runner's feet (its folder removed) is not a failure.
      if (!(await stillWanted(job.id))) return;
      await sql`update fhir_export_job set status = 'failed', error = ${String(err instanceof Error ? err.message : err).slice(0, 500)}, updated_at = now() where id = ${job.id}`.execute(db);
      throw err;
    } finally {
      // A checkpoint still committing is let finish, so the next run resumes from it.
      await pending.catch(() => false);
      await files.close();
      // Stopped before the end: the claim is given up at once so the next run (here or on another
      // instance) resumes from the checkpoint.
      if (stopped) await release(job.id);
    }
  }

  return {
    async run() {
      stopped = false;
      for (;;) {
        if (stopped) return;
        const job = await next();
        if (!job) return;
        await runJob(job);
      }
    },
    stop() {
      stopped = true;
    },
  };
}

export const exportDir = (dataDir: string) => join(dataDir, 'fhir-export');

const windowConds = (column: string, since: Date | null, until: Date | null) =>
  sql`${since ? sql`${sql.ref(column)} >= ${since}` : sql`true`} and ${until ? sql`${sql.ref(column)} < ${until}` : sql`true`}`;

/** Of these dose ids, those whose row changed inside the window. */
async function changedDoses(db: Db, ids: readonly string[], since: Date | null, until: Date | null): Promise<Set<string>> {
  const wanted = ids.filter((i) => /^\d+$/.test(i));
  if (wanted.length === 0) return new Set();
  const r = await sql<{ id: string }>`select id::text as id from vaccination v where v.id = any(${wanted}::bigint[]) and ${windowConds('v.updated_at', since, until)}`.execute(db);
  return new Set(r.rows.map((x) => x.id));
}

/** Of these facility codes, those whose registry row changed inside the window. */
async function changedFacilities(db: Db, codes: readonly string[], since: Date | null, until: Date | null): Promise<Set<string>> {
  const r = await sql<{ code: string }>`select code from facility f where f.code = any(${[...codes]}::text[]) and ${windowConds('f.updated_at', since, until)}`.execute(db);
  return new Set(r.rows.map((x) => x.code));
}

export interface FolderExport {
  jobId: string;
  /** Folder holding one `<Type>.ndjson` per type with resources. */
  dir: string;
  counts: Record<string, number>;
}

/**
 * A system-level export of every type over the change-time window [since, until), run to its end in
 * the foreground (the warehouse extract): same walk, same visibility rules, same access-log rows as
 * $export. A stopped run leaves its job at the last checkpoint; the next call for the same window
 * starts a new job.
 */
export async function exportToFolder(db: Db, o: { since: Date | null; until: Date; actor: Actor; baseDir: string; request: string }): Promise<FolderExport> {
  const id = randomUUID();
  await sql`insert into fhir_export_job (id, level, types, since, until_at, actor, facilities, request, status)
    values (${id}, 'system', ${[...ALL_TYPES]}::text[], ${o.since}, ${o.until}, ${JSON.stringify(o.actor)}::jsonb, null, ${o.request.slice(0, 1000)}, 'queued')`.execute(db);
  await createExportRunner(db, o.baseDir, { onlyJob: id }).run();
  const r = await sql<{ status: string; checkpoint: Partial<Checkpoint>; error: string | null }>`select status, checkpoint, error from fhir_export_job where id = ${id}`.execute(db);
  const job = r.rows[0];
  if (job?.status !== 'completed') {
    throw new DomainError('internal', 'FHIR_EXPORT_FAILED', `Trích xuất không hoàn tất: ${job?.error ?? job?.status}.`, `The export did not complete: ${job?.error ?? job?.status}.`);
  }
  return { jobId: id, dir: join(o.baseDir, id), counts: { ...job.checkpoint.counts } };
}

/**
 * What the source holds for a system-level export over [since, until), for the types whose resources
 * are one per source row: Patient (persons with a visible episode whose record changed), Encounter
 * (visible current episodes received), Immunization (real doses of those persons that changed),
 * Organization (registry rows that changed). The other types are derived from episode rows by the
 * mapping and are reconciled through Encounter. Same visibility rule as the export (sql.ts).
 */
export async function exportSourceCounts(db: Db, since: Date | null, until: Date): Promise<Record<string, number>> {
  const visible = visibleEpisode('all');
  const n = async (q: ReturnType<typeof sql<{ n: string }>>) => Number((await q.execute(db)).rows[0]?.n ?? 0);
  const visiblePersons = sql`select distinct e.person_id from episode e join facility f on f.code = e.facility_code join submission s on s.id = e.submission_id
    where ${visible} and e.person_id is not null`;
  return {
    Patient: await n(sql<{ n: string }>`select count(*) as n from person p where p.id in (${visiblePersons}) and ${windowConds('p.updated_at', since, until)}`),
    Encounter: await n(sql<{ n: string }>`select count(*) as n from episode e join facility f on f.code = e.facility_code join submission s on s.id = e.submission_id
      where ${visible} and ${windowConds('e.received_at', since, until)}`),
    Immunization: await n(sql<{ n: string }>`select count(*) as n from vaccination v
      left join source_record sr on sr.source_system = v.person_source_system and sr.source_id = v.person_source_id
      where v.duplicate_of is null and coalesce(sr.person_id, case when v.person_source_id is null then v.person_id end) in (${visiblePersons})
        and ${windowConds('v.updated_at', since, until)}`),
    Organization: await n(sql<{ n: string }>`select count(*) as n from facility f where ${windowConds('f.updated_at', since, until)}`),
  };
}
