import type { BilingualMessage } from '../errors.ts';

/** Outcome of checking one identifier: a stable code plus bilingual text for users. */
export type IdIssue = BilingualMessage;

export type IdCheck<T> =
  | { ok: true; value: T; warnings: IdIssue[] }
  | { ok: false; error: IdIssue };

export function fail<T>(code: string, message_vi: string, message_en: string): IdCheck<T> {
  return { ok: false, error: { code, message_vi, message_en } };
}
