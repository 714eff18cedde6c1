/**
 * JSON schemas of the ingest responses, for validation-free serialisation and the OpenAPI document.
 * fast-json-stringify drops properties a schema does not list, so every object that may carry
 * more than is listed keeps `additionalProperties: true`.
 */

export const issueSchema = {
  type: 'object',
  additionalProperties: true,
  properties: {
    table: { type: ['string', 'null'], description: 'LOAIHOSO (XML1…XML15), null for the whole episode' },
    row: { type: ['integer', 'null'], description: '1-based row of the table' },
    field: { type: ['string', 'null'], description: 'Element name as in the standard' },
    code: { type: 'string' },
    severity: { type: 'string', enum: ['error', 'warning'] },
    message_vi: { type: 'string' },
    message_en: { type: 'string' },
  },
} as const;

const counts = {
  type: 'object',
  properties: {
    episodes: { type: 'integer' },
    accepted: { type: 'integer' },
    accepted_with_warnings: { type: 'integer' },
    unchanged: { type: 'integer' },
    rejected: { type: 'integer' },
  },
} as const;

const episodeStatus = { type: 'string', enum: ['accepted', 'accepted_with_warnings', 'rejected', 'unchanged'] } as const;

export const receiptSchema = {
  type: 'object',
  additionalProperties: true,
  properties: {
    receipt_id: { type: 'string' },
    facility_code: { type: 'string' },
    received_at: { type: 'string', format: 'date-time' },
    sha256: { type: 'string' },
    channel: { type: 'string', enum: ['rest', 'portal', 'cli', 'demo'] },
    status: { type: 'string', enum: ['accepted', 'partially_accepted', 'rejected'] },
    signature: { type: 'object', additionalProperties: true },
    counts,
    episodes: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: true,
        properties: {
          index: { type: 'integer', description: '1-based HOSO position in the envelope' },
          ma_lk: { type: ['string', 'null'] },
          status: episodeStatus,
          version: { type: 'integer' },
          issues: { type: 'array', items: issueSchema },
        },
      },
    },
  },
} as const;

export const problemSchema = {
  type: 'object',
  additionalProperties: true,
  description: 'RFC 9457 problem+json with a stable code',
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    code: { type: 'string' },
    detail: { type: 'string' },
    message_vi: { type: 'string' },
    message_en: { type: 'string' },
    instance: { type: 'string' },
    request_id: { type: 'string' },
  },
} as const;

export const receiptListSchema = {
  type: 'object',
  properties: {
    page: { type: 'integer' },
    page_size: { type: 'integer' },
    total: { type: 'integer' },
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          receipt_id: { type: 'string' },
          received_at: { type: 'string', format: 'date-time' },
          channel: { type: 'string' },
          status: { type: 'string', enum: ['accepted', 'partially_accepted', 'rejected'] },
          size_bytes: { type: 'integer' },
          counts,
          episodes: {
            type: 'array',
            description: 'One entry per HOSO; the issues themselves are in the receipt detail',
            items: {
              type: 'object',
              properties: {
                index: { type: 'integer' },
                ma_lk: { type: ['string', 'null'] },
                status: episodeStatus,
                version: { type: 'integer' },
                errors: { type: 'integer' },
                warnings: { type: 'integer' },
              },
            },
          },
        },
      },
    },
  },
} as const;

export const versionListSchema = {
  type: 'object',
  properties: {
    ma_lk: { type: 'string' },
    versions: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          version: { type: 'integer' },
          is_current: { type: 'boolean' },
          status: { type: 'string', enum: ['accepted', 'accepted_with_warnings'] },
          receipt_id: { type: 'string' },
          received_at: { type: 'string', format: 'date-time' },
          channel: { type: 'string' },
          content_sha256: { type: 'string' },
          issue_count: { type: 'integer' },
        },
      },
    },
  },
} as const;

export const checkinResultSchema = {
  type: 'object',
  properties: {
    rows: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          row: { type: 'integer' },
          ma_lk: { type: ['string', 'null'] },
          status: { type: 'string', enum: ['opened', 'updated', 'already_closed', 'rejected'] },
          issues: { type: 'array', items: issueSchema },
        },
      },
    },
  },
} as const;

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
