import { createHash } from 'node:crypto';
import { type BilingualMessage, DomainError, invalid } from '@openhssk/core';
import { type Static, type TSchema, Type } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

/**
 * The offline station app's entry protocol, shared by every module whose screens queue entries on
 * the device (register events, immunization doses, primary care): each entry carries a
 * client-generated id; sending it again answers its first result, never applies it twice; a batch
 * answers each entry and never fails as a whole for one. The station module owns it because it
 * owns offline sync; the other modules bring only their own apply step.
 */

/** Largest batch of queued entries one request carries (primary care keeps its own literal: it loads before this module in an import cycle). */
export const OFFLINE_MAX_BATCH = 500;
/** Body limit of the batch routes (500 entries of a few hundred bytes, with room). */
export const OFFLINE_BATCH_BODY_LIMIT = 2 * 1024 * 1024;

/** Sorted keys: the same entry sent twice hashes alike whatever order the device wrote its fields in. */
function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]));
  return v;
}

/** SHA-256 of the entry's canonical JSON (undefined fields dropped): a replay must carry the same content. */
export const entryHash = (entry: unknown): string => createHash('sha256').update(JSON.stringify(canonical(entry) ?? null)).digest('hex');

export const entryReused = (what: { vi: string; en: string } = { vi: 'ghi nhận', en: 'entry' }) =>
  new DomainError(
    'conflict',
    'ENTRY_ID_REUSED',
    `Mã mục nhập (entry_id) này đã được dùng cho một ${what.vi} khác. Ứng dụng cần tạo mã mới cho mỗi ${what.vi}.`,
    `This entry_id was already used for a different ${what.en}: generate a new one for each ${what.en}.`,
  );

/** Thrown inside the apply transaction when the entry's id turned out to be taken meanwhile. */
export class ReplayRace extends Error {}

/**
 * Applies an entry once: `replay` answers a stored result (and throws when the id was used for other
 * content); `apply` stores it in its own transaction and throws ReplayRace when a concurrent request
 * took the id first. A failure is answered by the stored result when there is one by then.
 */
export async function applyOnce<R>(replay: () => Promise<R | undefined>, apply: () => Promise<R>): Promise<R> {
  try {
    return await apply();
  } catch (e) {
    const again = await replay();
    if (again !== undefined) return again;
    throw e instanceof ReplayRace ? new DomainError('internal', 'INTERNAL', 'Lỗi hệ thống, vui lòng thử lại sau.', 'Internal error, please retry later.') : e;
  }
}

export const entryIdOf = (raw: unknown): string | null => {
  const v = raw && typeof raw === 'object' ? (raw as Record<string, unknown>).entry_id : undefined;
  return typeof v === 'string' ? v : null;
};

/**
 * One queued entry checked against its schema. With `clean`, fields the schema does not have are
 * dropped first, as the single-entry route's validator does, so an entry hashes alike whichever
 * route it came by.
 */
export function checkEntryAgainst<T extends TSchema>(schema: T, raw: unknown, opts: { clean?: boolean } = {}): Static<T> {
  const entry = opts.clean ? Value.Clean(schema, structuredClone(raw)) : raw;
  if (!Value.Check(schema, entry)) {
    const first = Value.Errors(schema, entry).First();
    const path = first?.path.replace(/^\//, '').replaceAll('/', '.') || 'dữ liệu';
    throw invalid('VALIDATION_FAILED', `Mục nhập không hợp lệ: trường «${path}» không đúng.`, `Invalid entry: ${first ? `${first.path || '/'} ${first.message}` : 'does not match the schema'}.`, {
      path: first?.path ?? null,
    });
  }
  return entry as Static<T>;
}

export type OfflineOutcome<R> =
  | { entry_id: string | null; status: 'applied' | 'already_applied'; result: R }
  /** The entry cannot be applied as it is (fix it, do not resend it unchanged). */
  | { entry_id: string | null; status: 'refused'; error: BilingualMessage & Record<string, unknown> }
  /** The server failed: nothing was applied, sending it again later is safe. */
  | { entry_id: string | null; status: 'error'; error: BilingualMessage };

/** A batch carries at most OFFLINE_MAX_BATCH entries. */
export function checkBatchSize(entries: readonly unknown[]): void {
  if (entries.length > OFFLINE_MAX_BATCH) throw invalid('BATCH_TOO_LARGE', `Tối đa ${OFFLINE_MAX_BATCH} mục mỗi lần gửi.`, `At most ${OFFLINE_MAX_BATCH} entries per batch.`);
}

/** The answer to an entry that was not applied: a domain refusal says why; anything else is the server's failure (logged). */
export function failedOutcome<R>(entry_id: string | null, e: unknown, log?: (e: unknown) => void): OfflineOutcome<R> {
  if (e instanceof DomainError && e.kind !== 'internal') {
    return { entry_id, status: 'refused', error: { code: e.code, message_vi: e.message_vi, message_en: e.message_en, ...e.extra } };
  }
  log?.(e);
  return { entry_id, status: 'error', error: { code: 'INTERNAL', message_vi: 'Lỗi hệ thống, mục này chưa được ghi; gửi lại sau.', message_en: 'Server error: not applied, send it again later.' } };
}

/** Applies queued entries one by one, each by `one` (its own transaction), and answers each. */
export async function applyEach<R>(
  entries: readonly unknown[],
  one: (raw: unknown) => Promise<{ status: 'applied' | 'already_applied'; result: R }>,
  log?: (e: unknown) => void,
): Promise<OfflineOutcome<R>[]> {
  checkBatchSize(entries);
  const out: OfflineOutcome<R>[] = [];
  for (const raw of entries) {
    const entry_id = entryIdOf(raw);
    try {
      out.push({ entry_id, ...(await one(raw)) });
    } catch (e) {
      out.push(failedOutcome(entry_id, e, log));
    }
  }
  return out;
}

/** The batch routes' body: loosely typed entries, each checked by the domain so one bad entry is answered, not the batch refused. */
export function offlineBatchBody(entryFields: Record<string, TSchema>, description: string) {
  return Type.Object(
    { entries: Type.Array(Type.Object(entryFields, { additionalProperties: true, description }), { minItems: 1, maxItems: OFFLINE_MAX_BATCH }) },
    { additionalProperties: false },
  );
}

/** The batch routes' answer: counts per status beside each entry's outcome. */
export function batchAnswer<R>(results: OfflineOutcome<R>[], startedAt: number) {
  const count = (status: OfflineOutcome<R>['status']) => results.filter((r) => r.status === status).length;
  return {
    applied: count('applied'),
    already_applied: count('already_applied'),
    refused: count('refused'),
    errors: count('error'),
    elapsed_ms: Math.round(performance.now() - startedAt),
    results,
  };
}
