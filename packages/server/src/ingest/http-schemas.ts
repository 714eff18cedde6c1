/**
 * TypeBox schemas of the ingest routes: request validation, validation-free serialisation of the
 * answers and the OpenAPI document come from the same definitions. fast-json-stringify drops
 * properties a schema does not list, so every object that may carry more than is listed keeps
 * `additionalProperties: true`. Answer properties stay optional, as in the plain JSON schemas these
 * replace: fast-json-stringify throws when a `required` property is missing.
 */
import { type Static, Type } from '@sinclair/typebox';

// `type: [t, 'null']` rather than TypeBox's anyOf: fast-json-stringify serialises it without
// trying each branch, and the OpenAPI document keeps its shape.
const nullableString = (description?: string) => Type.Unsafe<string | null>({ type: ['string', 'null'], ...(description ? { description } : {}) });
const nullableInteger = (description: string) => Type.Unsafe<number | null>({ type: ['integer', 'null'], description });

/** A string `enum` (TypeBox would write an anyOf of consts), typed as the union of its values. */
export const stringEnum = <const T extends readonly string[]>(values: T, options: { description?: string; default?: T[number] } = {}) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values], ...options });

// Answers are built from database rows typed as plain strings; their enums document the values
// without narrowing what a handler may return.
const answerEnum = (values: readonly string[]) => Type.Unsafe<string>({ type: 'string', enum: [...values] });

const RECEIPT_STATUSES = ['accepted', 'partially_accepted', 'rejected'] as const;

export const issueSchema = Type.Object(
  {
    table: Type.Optional(nullableString('LOAIHOSO (XML1…XML15), null for the whole episode')),
    row: Type.Optional(nullableInteger('1-based row of the table')),
    field: Type.Optional(nullableString('Element name as in the standard')),
    code: Type.Optional(Type.String()),
    severity: Type.Optional(answerEnum(['error', 'warning'])),
    message_vi: Type.Optional(Type.String()),
    message_en: Type.Optional(Type.String()),
  },
  { additionalProperties: true },
);

const counts = Type.Object({
  episodes: Type.Optional(Type.Integer()),
  accepted: Type.Optional(Type.Integer()),
  accepted_with_warnings: Type.Optional(Type.Integer()),
  unchanged: Type.Optional(Type.Integer()),
  rejected: Type.Optional(Type.Integer()),
});

const episodeStatus = answerEnum(['accepted', 'accepted_with_warnings', 'rejected', 'unchanged']);

export const receiptSchema = Type.Object(
  {
    receipt_id: Type.Optional(Type.String()),
    facility_code: Type.Optional(Type.String()),
    received_at: Type.Optional(Type.String({ format: 'date-time' })),
    sha256: Type.Optional(Type.String()),
    channel: Type.Optional(answerEnum(['rest', 'portal', 'cli', 'demo'])),
    status: Type.Optional(answerEnum(RECEIPT_STATUSES)),
    signature: Type.Optional(Type.Object({}, { additionalProperties: true })),
    counts: Type.Optional(counts),
    episodes: Type.Optional(
      Type.Array(
        Type.Object(
          {
            index: Type.Optional(Type.Integer({ description: '1-based HOSO position in the envelope' })),
            ma_lk: Type.Optional(nullableString()),
            status: Type.Optional(episodeStatus),
            version: Type.Optional(Type.Integer()),
            issues: Type.Optional(Type.Array(issueSchema)),
          },
          { additionalProperties: true },
        ),
      ),
    ),
  },
  { additionalProperties: true },
);

export const problemSchema = Type.Object(
  {
    type: Type.Optional(Type.String()),
    title: Type.Optional(Type.String()),
    status: Type.Optional(Type.Integer()),
    code: Type.Optional(Type.String()),
    detail: Type.Optional(Type.String()),
    message_vi: Type.Optional(Type.String()),
    message_en: Type.Optional(Type.String()),
    instance: Type.Optional(Type.String()),
    request_id: Type.Optional(Type.String()),
  },
  { additionalProperties: true, description: 'RFC 9457 problem+json with a stable code' },
);

/** Query of the receipt list; unknown parameters are dropped (Ajv removeAdditional), not refused. */
export const receiptQuerySchema = Type.Object(
  {
    from: Type.Optional(Type.String({ maxLength: 40, description: 'received at or after (ISO 8601; a date means 00:00 UTC)' })),
    to: Type.Optional(Type.String({ maxLength: 40, description: 'received before' })),
    status: Type.Optional(stringEnum(RECEIPT_STATUSES)),
    page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000, default: 1 })),
    page_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  },
  { additionalProperties: false },
);
export type ReceiptQueryInput = Static<typeof receiptQuerySchema>;

export const receiptParamsSchema = Type.Object({ id: Type.String({ maxLength: 100 }) });
export const episodeParamsSchema = Type.Object({ maLk: Type.String({ minLength: 1, maxLength: 100 }) });
export const idempotencyHeadersSchema = Type.Object({ 'idempotency-key': Type.Optional(Type.String({ maxLength: 200 })) });

export const receiptListSchema = Type.Object({
  page: Type.Optional(Type.Integer()),
  page_size: Type.Optional(Type.Integer()),
  total: Type.Optional(Type.Integer()),
  items: Type.Optional(
    Type.Array(
      Type.Object({
        receipt_id: Type.Optional(Type.String()),
        received_at: Type.Optional(Type.String({ format: 'date-time' })),
        channel: Type.Optional(Type.String()),
        status: Type.Optional(answerEnum(RECEIPT_STATUSES)),
        size_bytes: Type.Optional(Type.Integer()),
        counts: Type.Optional(counts),
        episodes: Type.Optional(
          Type.Array(
            Type.Object({
              index: Type.Optional(Type.Integer()),
              ma_lk: Type.Optional(nullableString()),
              status: Type.Optional(episodeStatus),
              version: Type.Optional(Type.Integer()),
              errors: Type.Optional(Type.Integer()),
              warnings: Type.Optional(Type.Integer()),
            }),
            { description: 'One entry per HOSO; the issues themselves are in the receipt detail' },
          ),
        ),
      }),
    ),
  ),
});

export const versionListSchema = Type.Object({
  ma_lk: Type.Optional(Type.String()),
  versions: Type.Optional(
    Type.Array(
      Type.Object({
        version: Type.Optional(Type.Integer()),
        is_current: Type.Optional(Type.Boolean()),
        status: Type.Optional(answerEnum(['accepted', 'accepted_with_warnings'])),
        receipt_id: Type.Optional(Type.String()),
        received_at: Type.Optional(Type.String({ format: 'date-time' })),
        channel: Type.Optional(Type.String()),
        content_sha256: Type.Optional(Type.String()),
        issue_count: Type.Optional(Type.Integer()),
      }),
    ),
  ),
});

export const checkinResultSchema = Type.Object({
  rows: Type.Optional(
    Type.Array(
      Type.Object({
        row: Type.Optional(Type.Integer()),
        ma_lk: Type.Optional(nullableString()),
        status: Type.Optional(answerEnum(['opened', 'updated', 'already_closed', 'rejected'])),
        issues: Type.Optional(Type.Array(issueSchema)),
      }),
    ),
  ),
});

/** Error answers every ingest route may give. */
export const problemResponses = {
  400: problemSchema,
  401: problemSchema,
  403: problemSchema,
  404: problemSchema,
  409: problemSchema,
  413: problemSchema,
  415: problemSchema,
  422: problemSchema,
  429: problemSchema,
} as const;
