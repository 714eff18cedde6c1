import { viDateTime } from '@openhssk/core';
import { ApiProblem, type FieldConflict, type FormData831, get, type HistoryRow, type HouseholdView, type PcEntryResult, post, type StaffMe, type StationEntryResult } from './api.ts';
import { db, getMeta, type OutboxEntry, setMeta } from './db.ts';
import { displayValue, ROLE_VI, uuid } from './format.ts';
import { refreshPerson } from './snapshot.ts';

/**
 * The outbox: every write of the station app is an entry stored on the device first, with a uuid
 * and the device time it was recorded, then sent by `syncNow` to the server's batch endpoints
 * (on start, when the browser comes online, after each save, and from the "Đồng bộ" button). The
 * server applies an entry id once, so sending again after a lost answer is safe. Each entry keeps
 * its outcome: applied, already applied, refused with the reason, or a conflict with both values.
 */

const BATCH = 500;
const URL_OF = {
  pc: '/api/v1/primary-care/sync',
  station: '/api/v1/station/events/batch',
  imm: '/api/v1/immunization/station/doses/batch',
  stock: '/api/v1/immunization/stock/receipts/batch',
} as const;
type Target = keyof typeof URL_OF;

export interface NewEntry {
  target: Target;
  kind: string;
  personId: string | null;
  personName: string | null;
  householdId?: number | null;
  /** The payload without entry id and time (they are added here). */
  payload: Record<string, unknown>;
  label: string;
}

/** Stores an entry in the outbox and, when a network is there, starts sending it. */
export async function enqueue(me: StaffMe, e: NewEntry): Promise<OutboxEntry> {
  const entryId = uuid();
  const recordedAt = new Date().toISOString();
  const body =
    e.target === 'pc'
      ? { entryId, kind: e.kind, personId: e.personId, recordedAt, ...e.payload }
      : e.target === 'imm' || e.target === 'stock'
        ? // A dose or a vaccine receipt names no kind: each endpoint takes one kind only.
          { entry_id: entryId, client_recorded_at: recordedAt, ...e.payload }
        : { kind: e.kind, entry_id: entryId, client_recorded_at: recordedAt, ...e.payload };
  const entry: OutboxEntry = {
    entryId,
    target: e.target,
    kind: e.kind,
    personId: e.personId,
    householdId: e.householdId ?? null,
    staffId: me.id,
    staffName: me.name,
    recordedAt,
    body,
    label: e.label,
    personName: e.personName,
    status: 'pending',
    message: null,
    result: null,
    seen: false,
    attempts: 0,
    lastError: null,
    createdAt: Date.now(),
    syncedAt: null,
  };
  await db.outbox.add(entry);
  if (navigator.onLine) void syncNow(me).catch(() => undefined);
  return entry;
}

export class SessionExpired extends Error {
  constructor() {
    super('Phiên đăng nhập đã hết hạn: hãy đăng nhập lại để gửi các mục chưa đồng bộ.');
  }
}

export interface SyncReport {
  sent: number;
  applied: number;
  already: number;
  conflicts: number;
  refused: number;
  ms: number;
  /** Why sending stopped early (no connection, server error); null when everything got an answer. */
  error: string | null;
}

let running: Promise<SyncReport> | null = null;

/** Sends this staff member's pending entries; one run at a time per tab, and per device where Web Locks exist. */
export function syncNow(me: StaffMe): Promise<SyncReport> {
  if (running) return running;
  const locks = (navigator as Navigator & { locks?: LockManager }).locks;
  const run = () => sendPending(me);
  const p: Promise<SyncReport> = (locks ? (locks.request('openhssk-station-sync', run) as unknown as Promise<SyncReport>) : run()).finally(() => {
    running = null;
  });
  running = p;
  return p;
}

const NO_CONNECTION = 'Không kết nối được máy chủ; các mục vẫn được giữ trên máy và sẽ gửi lại khi có mạng.';

async function sendPending(me: StaffMe): Promise<SyncReport> {
  const pending = (await db.outbox.where('status').equals('pending').toArray()).filter((e) => e.staffId === me.id).sort((a, b) => a.createdAt - b.createdAt);
  const report: SyncReport = { sent: 0, applied: 0, already: 0, conflicts: 0, refused: 0, ms: 0, error: null };
  if (pending.length === 0) return report;
  const t0 = performance.now();
  const touched = new Set<string>();
  const households = new Set<number>();
  try {
    // Register events first: a later 831 entry or dose may concern a person a move-in just registered.
    for (const target of ['station', 'stock', 'imm', 'pc'] as const) {
      const list = pending.filter((e) => e.target === target);
      for (let i = 0; i < list.length; i += BATCH) {
        const chunk = list.slice(i, i + BATCH);
        const answered = await sendChunk(target, chunk);
        report.sent += chunk.length;
        for (const e of answered) {
          if (e.status === 'applied') report.applied++;
          else if (e.status === 'already_applied') report.already++;
          else if (e.status === 'conflict') report.conflicts++;
          else if (e.status === 'refused') report.refused++;
          if (e.personId) touched.add(e.personId);
          if (e.householdId !== null) households.add(e.householdId);
        }
      }
    }
  } catch (err) {
    if (err instanceof SessionExpired) throw err;
    report.error = err instanceof ApiProblem ? err.message : NO_CONNECTION;
  }
  report.ms = Math.round(performance.now() - t0);
  await setMeta('lastSync', { at: Date.now(), sent: report.sent, ms: report.ms, applied: report.applied, already: report.already, conflicts: report.conflicts, refused: report.refused, error: report.error });
  // What the server now holds (and the names of whoever won a conflict) for the screens.
  await refreshAfterSync(me, [...touched]);
  for (const id of households) {
    const view = await get<HouseholdView>(`/api/v1/station/households/${id}`).catch(() => null);
    if (view) await db.householdViews.put({ id, view, savedAt: Date.now() });
  }
  return report;
}

/** Sends one batch and records each entry's outcome; returns the entries as updated. */
async function sendChunk(target: Target, chunk: OutboxEntry[]): Promise<OutboxEntry[]> {
  const now = Date.now();
  let answer: unknown;
  try {
    answer = await post(URL_OF[target], { entries: chunk.map((e) => e.body) });
  } catch (err) {
    if (err instanceof ApiProblem && err.status === 401) throw new SessionExpired();
    if (err instanceof ApiProblem && err.status === 400 && chunk.length > 1) {
      // The batch as a whole failed its schema: one entry is malformed. Sent one by one, the
      // others go through and only that one is refused, with the server's reason.
      const out: OutboxEntry[] = [];
      for (const e of chunk) out.push(...(await sendChunk(target, [e])));
      return out;
    }
    if (err instanceof ApiProblem && err.status >= 400 && err.status < 500 && err.status !== 408 && err.status !== 429) {
      const refused = chunk.map((e) => ({ ...e, status: 'refused' as const, message: err.message, result: err.problem, seen: false, attempts: e.attempts + 1, syncedAt: now, lastError: null }));
      await db.outbox.bulkPut(refused);
      return refused;
    }
    await db.outbox.bulkPut(chunk.map((e) => ({ ...e, attempts: e.attempts + 1, lastError: err instanceof ApiProblem ? err.message : NO_CONNECTION })));
    throw err;
  }
  const form = await getMeta('form');
  const updated = target === 'pc' ? pcOutcomes(chunk, (answer as { results: PcEntryResult[] }).results, form, now) : stationOutcomes(chunk, (answer as { results: StationEntryResult[] }).results, now);
  await db.outbox.bulkPut(updated);
  return updated;
}

function pcOutcomes(chunk: OutboxEntry[], results: PcEntryResult[], form: FormData831 | undefined, now: number): OutboxEntry[] {
  const byId = new Map(results.map((r) => [r.entryId.toLowerCase(), r]));
  return chunk.map((e) => {
    const r = byId.get(e.entryId.toLowerCase());
    const base = { ...e, attempts: e.attempts + 1, result: r ?? null, lastError: null };
    if (!r) return { ...base, lastError: 'Máy chủ không trả lời cho mục này; sẽ gửi lại.' };
    // An internal error is the server's, not the entry's: it is sent again later.
    if (r.status === 'refused' && r.error?.code === 'INTERNAL') return { ...base, lastError: r.error.message_vi };
    if (r.status === 'refused') return { ...base, status: 'refused', message: refusalText(r.error), seen: false, syncedAt: now };
    if (r.status === 'conflict') return { ...base, status: 'conflict', message: conflictText(r, form), seen: false, syncedAt: now };
    return { ...base, status: r.status, message: null, syncedAt: now };
  });
}

function stationOutcomes(chunk: OutboxEntry[], results: StationEntryResult[], now: number): OutboxEntry[] {
  return chunk.map((e, i) => {
    const r = results.find((x) => x.entry_id?.toLowerCase() === e.entryId.toLowerCase()) ?? results[i];
    const base = { ...e, attempts: e.attempts + 1, result: r ?? null, lastError: null };
    if (!r) return { ...base, lastError: 'Máy chủ không trả lời cho mục này; sẽ gửi lại.' };
    if (r.status === 'error') return { ...base, lastError: r.error?.message_vi ?? 'Lỗi máy chủ; sẽ gửi lại.' };
    if (r.status === 'refused') return { ...base, status: 'refused', message: r.error?.message_vi ?? 'Bị từ chối.', seen: false, syncedAt: now };
    return { ...base, status: r.status, message: null, syncedAt: now };
  });
}

function refusalText(error: PcEntryResult['error']): string {
  if (!error) return 'Máy chủ từ chối mục này.';
  const issues = (error.issues ?? []).map((i) => i.message_vi).filter((m) => m !== error.message_vi);
  return [error.message_vi, ...issues].join(' ');
}

function fieldLabel(form: FormData831 | undefined, section: string, field: string): string {
  const s = form?.sections.find((x) => x.key === section);
  return s?.fields.find((f) => f.key === field)?.label_vi ?? field;
}

function valueText(form: FormData831 | undefined, section: string, field: string, v: unknown): string {
  const def = form?.sections.find((x) => x.key === section)?.fields.find((f) => f.key === field);
  if (v === null || v === undefined) return 'để trống';
  return def && form ? displayValue(form, def, v as never) || String(v) : String(v);
}

const whoOf = (v: { recorded_by: string; recorded_role: string; facility_code: string }, names: ReadonlyMap<string, string>) =>
  names.get(v.recorded_by) ?? `${ROLE_VI[v.recorded_role] ?? v.recorded_role} (cơ sở ${v.facility_code})`;

/** The conflict, in the user's words; names are filled in after the person's record is read again. */
export function conflictText(r: PcEntryResult, form: FormData831 | undefined, names: ReadonlyMap<string, string> = new Map()): string {
  if (!r.conflicts?.length) {
    return 'Người này đã có trong sổ quản lý này (ghi nhận từ thiết bị khác được giữ); ghi nhận của bạn được lưu lại trong lịch sử.';
  }
  return r.conflicts
    .map((c: FieldConflict) => {
      const label = fieldLabel(form, c.section, c.field);
      if (!c.entry_won) {
        return `«${label}»: giá trị của bạn (${valueText(form, c.section, c.field, c.lost.value)}) đã được lưu vào lịch sử; giá trị mới hơn từ ${whoOf(c.kept, names)} lúc ${viDateTime(c.kept.recorded_at)} (${valueText(form, c.section, c.field, c.kept.value)}) được giữ.`;
      }
      return `«${label}»: giá trị của bạn (${valueText(form, c.section, c.field, c.kept.value)}) mới hơn nên được giữ; giá trị trước đó từ ${whoOf(c.lost, names)} lúc ${viDateTime(c.lost.recorded_at)} (${valueText(form, c.section, c.field, c.lost.value)}) đã được lưu vào lịch sử.`;
    })
    .join(' ');
}

/** Reads the touched persons again; a conflict's message gets the other recorder's name from there. */
async function refreshAfterSync(me: StaffMe, personIds: string[]) {
  const form = await getMeta('form');
  for (const id of personIds) {
    const cached = await refreshPerson(me, id).catch(() => undefined);
    const conflicted = await db.outbox.where('personId').equals(id).filter((e) => e.status === 'conflict' && !e.seen).toArray();
    if (!cached?.pc || conflicted.length === 0) continue;
    const names = new Map<string, string>();
    for (const s of cached.pc.record) {
      for (const f of [...Object.values(s.fields), ...s.items.flatMap((i) => Object.values(i.fields))]) if (f.recorded_by.name) names.set(f.recorded_by.id, f.recorded_by.name);
    }
    // The value that lost may be someone else's, now only in the history.
    const history = await get<{ history: HistoryRow[] }>(`/api/v1/primary-care/persons/${encodeURIComponent(id)}/history`).catch(() => ({ history: [] }));
    for (const h of history.history) if (h.recorded_by_name) names.set(h.recorded_by, h.recorded_by_name);
    for (const e of conflicted) {
      const r = e.result as PcEntryResult | null;
      if (r?.conflicts?.length) await db.outbox.update(e.entryId, { message: conflictText(r, form, names) });
    }
  }
}

/** Applied entries are kept a week for the "Đã đồng bộ" list, then removed from the device. */
export async function pruneOutbox() {
  const weekAgo = Date.now() - 7 * 86400_000;
  await db.outbox.filter((e) => (e.status === 'applied' || e.status === 'already_applied') && (e.syncedAt ?? 0) < weekAgo).delete();
}

export const pendingCount = (me: StaffMe) => db.outbox.where('status').equals('pending').filter((e) => e.staffId === me.id).count();
