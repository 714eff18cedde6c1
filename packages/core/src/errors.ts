/**
 * The one shape of a message a person can act on: a stable machine code plus Vietnamese and
 * English text. Identifier checks, XML refusals, import issues and API problems all carry it.
 */
export interface BilingualMessage {
  code: string;
  message_vi: string;
  message_en: string;
}

/**
 * What went wrong, in domain terms. The HTTP edge maps each kind to a status once; domain code,
 * the CLI and workers never speak HTTP.
 */
export type DomainErrorKind =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'gone'
  | 'too_large'
  | 'unsupported_media'
  | 'unprocessable'
  | 'locked'
  | 'rate_limited'
  /** A part the deployment has not configured (e.g. no identity provider for citizen login). */
  | 'unavailable'
  | 'internal';

/** An error the caller can act on; `extra` fields travel to the client with the message. */
export class DomainError extends Error implements BilingualMessage {
  constructor(
    readonly kind: DomainErrorKind,
    readonly code: string,
    readonly message_vi: string,
    readonly message_en: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message_en);
    this.name = 'DomainError';
  }
}

export const notFound = (what_vi: string, what_en: string) =>
  new DomainError('not_found', 'NOT_FOUND', `Không tìm thấy ${what_vi}.`, `${what_en} not found.`);

export const forbidden = () =>
  new DomainError('forbidden', 'FORBIDDEN', 'Bạn không có quyền truy cập dữ liệu này.', 'You are not allowed to access this data.');

export const unauthorized = () =>
  new DomainError('unauthenticated', 'UNAUTHENTICATED', 'Vui lòng đăng nhập.', 'Authentication is required.');

export const invalid = (code: string, message_vi: string, message_en: string, extra: Record<string, unknown> = {}) =>
  new DomainError('invalid', code, message_vi, message_en, extra);

/** RFC 9457 problem document as the API sends it and the web app and CLI read it. */
export interface Problem extends BilingualMessage {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  request_id: string;
  [extra: string]: unknown;
}
