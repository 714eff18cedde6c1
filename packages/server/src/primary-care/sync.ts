import { DomainError, vietnamToday } from '@openhssk/core';
import type { PcEntryResult, PcEntryStatus } from '@openhssk/core/api';
import type { CheckupInput, FieldIssue, FollowUpInput } from '@openhssk/core/primary-care';
import { sql } from 'kysely';
import { audit } from '../audit/index.ts';
import type { Db } from '../db/index.ts';
import { entryHash } from '../station/index.ts';
import { CLINICIAN_ROLES, personNotFound, type ScopedPerson, type StationScope, scopedPersons } from './access.ts';
import { insertCheckup } from './checkups.ts';
import { applyRecordEntry, refreshSummaries, StoredFields } from './record.ts';
import { enrol, insertFollowUp } from './registers.ts';
import { type EntryKind, pcDb } from './tables.ts';

/** One queued entry of the station app, as the sync endpoint receives it (schema-checked by the route). */
export interface SyncEntry {
  entryId: string;
  kind: EntryKind;
  personId: string;
  recordedAt: string;
  record?: { section: string; itemId?: string | undefined; values: Record<string, unknown>; base?: Record<string, unknown> | undefined } | undefined;
  checkup?: (Omit<CheckupInput, 'exam'> & { exam?: Record<string, string> | undefined }) | undefined;
  followUp?: (FollowUpInput & { register: string }) | undefined;
  enrolment?: { register: string; icd10: string; enrolledOn: string } | undefined;
}

// The answer per entry is declared once for the server and the station app (core/api primary-care.ts).
export type EntryStatus = PcEntryStatus;
export type EntryResult = PcEntryResult;

export const MAX_BATCH = 500;
/** A device clock this far ahead would win every later conflict: such entries are refused. */
const MAX_CLOCK_AHEAD_MS = 10 * 60_000;
const EARLIEST = Date.parse('2000-01-01T00:00:00Z');
const PERSON_LOCK_SPACE = 7346152;

const KIND_ACTION: Readonly<Record<EntryKind, string>> = {
  record: 'primary_care.record.write',
  checkup: 'primary_care.checkup.create',
  followup: 'primary_care.followup.create',
  enrolment: 'primary_care.enrolment.create',
};
const PAYLOAD: Readonly<Record<EntryKind, 'record' | 'checkup' | 'followUp' | 'enrolment'>> = {
  record: 'record',
  checkup: 'checkup',
  followup: 'followUp',
  enrolment: 'enrolment',
};

const refusedBy = (e: SyncEntry, err: DomainError): EntryResult => ({
  entryId: e.entryId,
  kind: e.kind,
  status: 'refused',
  error: { code: err.code, message_vi: err.message_vi, message_en: err.message_en, ...(Array.isArray(err.extra.issues) ? { issues: err.extra.issues as FieldIssue[] } : {}) },
});

function recordedAtOf(e: SyncEntry): Date {
  const t = Date.parse(e.recordedAt);
  // An ISO instant with its zone: a zone-less time would mean a different instant per device setting.
  if (!/(Z|[+-]\d{2}:?\d{2})$/.test(e.recordedAt) || Number.isNaN(t) || t < EARLIEST) {
    throw new DomainError('invalid', 'RECORDED_AT_INVALID', `Thời điểm ghi nhận "${e.recordedAt}" không hợp lệ (cần dạng ISO 8601 có múi giờ).`, `recordedAt "${e.recordedAt}" is not an ISO 8601 instant with a zone.`);
  }
  if (t > Date.now() + MAX_CLOCK_AHEAD_MS) {
    throw new DomainError('invalid', 'RECORDED_AT_IN_FUTURE', 'Thời điểm ghi nhận ở tương lai: hãy kiểm tra ngày giờ của thiết bị rồi đồng bộ lại.', 'recordedAt is in the future: check the device clock and sync again.');
  }
  return new Date(t);
}

async function applyEntry(tx: Db, scope: StationScope, person: ScopedPerson, e: SyncEntry, recordedAt: Date, today: string, stored: StoredFields) {
  const payload = e[PAYLOAD[e.kind]];
  if (!payload) {
    throw new DomainError('invalid', 'PAYLOAD_MISSING', `Mục ghi loại "${e.kind}" thiếu phần dữ liệu "${PAYLOAD[e.kind]}".`, `An entry of kind '${e.kind}' needs its '${PAYLOAD[e.kind]}' payload.`);
  }
  switch (e.kind) {
    case 'record': {
      const r = e.record!;
      const base: Record<string, string | null> = {};
      for (const [k, v] of Object.entries(r.base ?? {})) {
        if (v !== null && typeof v !== 'string') throw new DomainError('invalid', 'BASE_INVALID', `base.${k}: cần mã mục ghi (chuỗi) hoặc null.`, `base.${k} must be an entry id or null.`);
        base[k] = typeof v === 'string' ? v.toLowerCase() : null;
      }
      const { conflicts, changed } = await applyRecordEntry(tx, scope, person, { entryId: e.entryId, recordedAt, section: r.section, itemId: r.itemId, values: r.values, base: r.base ? base : undefined }, today, stored);
      return { outcome: { section: r.section, itemId: r.itemId ?? null, changed }, conflicts, resource: `record/${r.section}/${r.itemId ?? '-'}` };
    }
    case 'checkup': {
      const out = await insertCheckup(tx, scope, person, { ...e.checkup!, entryId: e.entryId, recordedAt }, today);
      return { outcome: out, conflicts: [], resource: `checkup/${out.checkupId}` };
    }
    case 'followup': {
      const out = await insertFollowUp(tx, scope, person, { ...e.followUp!, entryId: e.entryId, recordedAt }, today);
      return { outcome: out, conflicts: [], resource: `followup/${out.followUpId}` };
    }
    case 'enrolment': {
      if (!CLINICIAN_ROLES.includes(scope.staff.role)) {
        throw new DomainError('forbidden', 'ENROLMENT_NEEDS_CLINICIAN', 'Chỉ trạm trưởng hoặc y sĩ/bác sĩ của trạm được đưa người bệnh vào sổ quản lý.', 'Only the station head or a station clinician may enrol a patient.');
      }
      const out = await enrol(tx, scope, person, { ...e.enrolment!, entryId: e.entryId }, today);
      return { outcome: out, conflicts: [], resource: `enrolment/${out.enrolmentId}`, duplicate: 'duplicate' in out };
    }
  }
}

/** Entries applied per transaction: one commit (one WAL flush) per chunk, and the audit chain's head
 * row, which each audited write locks until commit, is held for one chunk at a time. */
const CHUNK = 50;

interface Prepared {
  e: SyncEntry;
  person: ScopedPerson;
  recordedAt: Date;
  sha: string;
}

type ChunkOutcome = { results: EntryResult[]; failedAt?: undefined } | { results?: undefined; failedAt: number; error: unknown };

/**
 * One chunk in one transaction. Domain refusals happen before an entry's first write, so a refused
 * entry leaves the transaction usable; any other error rolls the chunk back and is reported with
 * the position of the entry that raised it.
 */
async function applyChunk(db: Db, scope: StationScope, chunk: readonly Prepared[], today: string, requestId: string | undefined): Promise<ChunkOutcome> {
  let at = -1;
  try {
    const results = await db.transaction().execute(async (tx) => {
      const personIds = [...new Set(chunk.map((c) => c.person.id))].sort();
      // Locks in one order (sorted ids) so two syncs touching the same persons cannot deadlock.
      await sql`select count(pg_advisory_xact_lock(${PERSON_LOCK_SPACE}, hashtext(id))) from (select unnest(${personIds}::text[]) as id order by 1) ids`.execute(tx);
      const prior = new Map(
        (await pcDb(tx).selectFrom('pc_entry').select(['entry_id', 'content_sha256', 'outcome', 'person_id']).where('entry_id', 'in', chunk.map((c) => c.e.entryId)).execute()).map((r) => [
          r.entry_id,
          { sha: r.content_sha256, outcome: r.outcome, personId: r.person_id },
        ]),
      );
      const stored = new StoredFields();
      await stored.preload(tx, [...new Set(chunk.filter((c) => c.e.kind === 'record').map((c) => c.person.id))]);
      const ledger: Array<{ entry_id: string; person_id: string; kind: EntryKind; content_sha256: string; staff_id: string; facility_code: string; recorded_at: Date; outcome: string }> = [];
      const touched = new Set<string>();
      const out: EntryResult[] = [];
      for (const [i, { e, person, recordedAt, sha }] of chunk.entries()) {
        at = i;
        try {
          const seen = prior.get(e.entryId);
          if (seen) {
            if (seen.sha !== sha || seen.personId !== person.id) {
              throw new DomainError('conflict', 'ENTRY_ID_REUSED', 'Mã mục ghi (entryId) này đã được dùng cho một nội dung khác.', 'This entryId was already used for different content.');
            }
            out.push({ entryId: e.entryId, kind: e.kind, status: 'already_applied', outcome: seen.outcome });
            continue;
          }
          const r = await applyEntry(tx, scope, person, e, recordedAt, today, stored);
          const conflicted = r.conflicts.length > 0 || r.duplicate === true;
          const status: EntryStatus = conflicted ? 'conflict' : 'applied';
          const outcome = { ...r.outcome, status, ...(r.conflicts.length ? { conflicts: r.conflicts } : {}) };
          if (e.kind === 'record') touched.add(person.id);
          ledger.push({
            entry_id: e.entryId,
            person_id: person.id,
            kind: e.kind,
            content_sha256: sha,
            staff_id: scope.staff.id,
            facility_code: scope.facilityCode,
            recorded_at: recordedAt,
            outcome: JSON.stringify(outcome),
          });
          // A later entry of this batch with the same id is a replay of this one.
          prior.set(e.entryId, { sha, outcome, personId: person.id });
          await audit(tx, {
            actor: scope.actor,
            action: KIND_ACTION[e.kind],
            personId: person.id,
            resource: r.resource,
            requestId,
            detail: { entry_id: e.entryId, ...(conflicted ? { conflicts: r.conflicts.length || 1 } : {}) },
          });
          out.push({ entryId: e.entryId, kind: e.kind, status, outcome, ...(r.conflicts.length ? { conflicts: r.conflicts } : {}) });
        } catch (err) {
          if (!(err instanceof DomainError)) throw err;
          out.push(refusedBy(e, err));
        }
      }
      at = -1;
      if (ledger.length) {
        await pcDb(tx)
          .insertInto('pc_entry')
          .values(ledger)
          .execute();
      }
      await refreshSummaries(tx, [...touched]);
      return out;
    });
    return { results };
  } catch (error) {
    return { failedAt: at, error };
  }
}

/**
 * Applies queued entries of the station app in the order given, each idempotent by entryId: a
 * replayed entry returns its first outcome and changes nothing. Entries go in chunks, each in one
 * transaction under the locks of its persons; one entry's refusal does not stop the others. If an
 * unexpected error aborts a chunk, the chunk is applied again without the failing entry, which is
 * reported as an internal error. Every applied entry is audited with its person, so it appears in
 * the citizen's access log.
 */
export async function syncEntries(db: Db, scope: StationScope, entries: readonly SyncEntry[], opts: { careDays: number; requestId?: string | undefined; log?: (err: unknown) => void }): Promise<EntryResult[]> {
  const today = vietnamToday();
  const persons = await scopedPersons(db, scope, entries.map((e) => e.personId), opts.careDays);
  const results: Array<EntryResult | undefined> = new Array(entries.length);
  let pending: Array<{ index: number } & Prepared> = [];
  const flush = async () => {
    let work = pending;
    pending = [];
    while (work.length > 0) {
      const r = await applyChunk(db, scope, work, today, opts.requestId);
      if (r.results) {
        r.results.forEach((res, i) => {
          results[work[i]!.index] = res;
        });
        return;
      }
      if (r.failedAt < 0) throw r.error;
      opts.log?.(r.error);
      const bad = work[r.failedAt]!;
      results[bad.index] = refusedBy(bad.e, new DomainError('internal', 'INTERNAL', 'Lỗi hệ thống khi ghi mục này; hãy đồng bộ lại sau.', 'Internal error while applying this entry; sync again later.'));
      work = work.filter((_, i) => i !== r.failedAt);
    }
  };
  for (const [index, raw] of entries.entries()) {
    const e = { ...raw, entryId: raw.entryId.toLowerCase() };
    const person = persons.get(e.personId);
    try {
      if (!person) throw personNotFound();
      const recordedAt = recordedAtOf(e);
      const sha = entryHash({ ...e, entryId: undefined });
      pending.push({ index, e, person, recordedAt, sha });
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      results[index] = refusedBy(e, err);
    }
    if (pending.length >= CHUNK) await flush();
  }
  await flush();
  return results.map((r, i) => r ?? refusedBy(entries[i]!, new DomainError('internal', 'INTERNAL', 'Lỗi hệ thống.', 'Internal error.')));
}
