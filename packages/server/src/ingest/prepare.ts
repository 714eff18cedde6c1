import { createHash } from 'node:crypto';
import { parseEnvelope, parseEpisodeFiles, validateEpisode, XmlInputError } from '@openhssk/core/xml130';
import { type TrustedCert, type VerifyResult, verifyEnvelopeSignature } from '@openhssk/core/xmldsig';
import type { IdentityKeys } from '../person/index.ts';
import { birthDateToIso, episodeColumns, episodeContentHash, patientIdentity, sensitivityOfEpisode } from './episode-record.ts';
import type { EpisodeOutcome } from './receipt.ts';

/**
 * The CPU-bound half of ingest (no database): envelope parse, signature check, per-episode parse
 * and validation, and the JSON payloads the store sends to the database. It runs in a worker
 * thread (prepare-pool.ts), so its input and output are plain structured-cloneable data.
 */
export interface PrepareInput {
  raw: Uint8Array;
  /** Facility of the sending credential; the signature is checked only for its own envelopes. */
  facilityCode: string;
  trusted: TrustedCert[];
  allowSha1: boolean;
  /** False only for a facility in test mode. */
  requireSignature: boolean;
  maxBytes?: number | undefined;
  /** Time of receipt (ms since epoch): an episode that ends after it is flagged. */
  receivedAt: number;
}

export type PrepareOutput = PreparedEnvelope | { ok: false; code: string; message_vi: string; message_en: string };

export interface PreparedEnvelope {
  ok: true;
  /** MA_CSKCB named by the envelope. */
  facilityCode: string;
  hasSignature: boolean;
  /** Present when the envelope is signed and names the sending facility. */
  signature?: VerifyResult;
  outcomes: EpisodeOutcome[];
  /** Episodes that passed validation, in envelope order (`ep` = position + 1 in the payloads). */
  accepted: AcceptedEpisode[];
  /** JSON array of episode columns, one object per accepted episode, each with its `ep`. */
  episodeJson: string;
  /** JSON arrays of XML2…XML15 rows (`ep`, tbl, row_no, fields, extra), in bounded chunks. */
  rowChunks: string[];
}

export interface AcceptedEpisode {
  /** Index into `outcomes`. */
  outcome: number;
  maLk: string;
  contentHash: string;
  identity: IdentityKeys & { cardNumber: string | null };
  /** The patient as this facility knows them: a KCB source record for the MPI. */
  source: Record<string, string | null>;
}

const ROWS_PER_CHUNK = 2000;

export function prepareEnvelope(input: PrepareInput): PrepareOutput {
  const raw = Buffer.from(input.raw.buffer, input.raw.byteOffset, input.raw.byteLength);
  let envelope: ReturnType<typeof parseEnvelope>;
  try {
    envelope = parseEnvelope(raw, input.maxBytes ? { maxBytes: input.maxBytes } : {});
  } catch (e) {
    if (e instanceof XmlInputError) return { ok: false, code: e.code, message_vi: e.message_vi, message_en: e.message_en };
    throw e;
  }
  const own = envelope.facilityCode === input.facilityCode;
  const signature = own && envelope.hasSignature ? verifyEnvelopeSignature(raw, input.trusted, { allowSha1: input.allowSha1 }) : undefined;
  const head = { ok: true as const, facilityCode: envelope.facilityCode, hasSignature: envelope.hasSignature, ...(signature ? { signature } : {}) };
  // Nothing more is worth computing for an envelope that will be refused as a whole.
  if (!own || (signature && !signature.ok) || (!envelope.hasSignature && input.requireSignature)) {
    return { ...head, outcomes: [], accepted: [], episodeJson: '[]', rowChunks: [] };
  }

  const outcomes: EpisodeOutcome[] = [];
  const accepted: AcceptedEpisode[] = [];
  const episodeParts: string[] = [];
  const rowChunks: string[] = [];
  let chunk: string[] = [];
  for (const ep of envelope.episodes) {
    const parsed = parseEpisodeFiles(ep.files);
    const v = validateEpisode(parsed, { facilityCode: input.facilityCode, receivedAt: new Date(input.receivedAt) });
    const outcome: EpisodeOutcome = { index: ep.index, ma_lk: parsed.maLk, status: v.status, issues: v.issues };
    outcomes.push(outcome);
    if (v.status === 'rejected' || !parsed.maLk) continue;

    const n = accepted.length + 1;
    const x1row = parsed.tables.XML1?.[0];
    const x1 = x1row?.fields ?? {};
    const identity = patientIdentity(x1);
    const sourceId = `${input.facilityCode}:${x1.MA_BN ?? ''}`;
    const sourceFields = {
      ho_ten: x1.HO_TEN || null,
      ngay_sinh: birthDateToIso(x1.NGAY_SINH),
      gioi_tinh: x1.GIOI_TINH || null,
      so_cccd: x1.SO_CCCD || null,
      so_bhyt: identity.cardNumber ?? null,
      so_dien_thoai: x1.DIEN_THOAI || null,
      dia_chi: x1.DIA_CHI || null,
      ma_xa: x1.MAXA_CU_TRU || null,
      ma_ho_gia_dinh: null,
    };
    const contentHash = episodeContentHash(ep.files);
    accepted.push({
      outcome: outcomes.length - 1,
      maLk: parsed.maLk,
      contentHash,
      identity,
      source: { source_id: sourceId, ...sourceFields, content_hash: createHash('sha256').update(JSON.stringify(sourceFields)).digest('hex') },
    });
    episodeParts.push(
      JSON.stringify({
        ep: n,
        ma_lk: parsed.maLk,
        patient_source_id: sourceId,
        status: v.status,
        ...episodeColumns(parsed),
        sensitivity: sensitivityOfEpisode(parsed),
        content_sha256: contentHash,
        xml1: { fields: x1, extra: x1row?.extra ?? {} },
        issues: v.issues,
      }),
    );
    for (const [tbl, rows] of Object.entries(parsed.tables)) {
      if (tbl === 'XML1') continue;
      for (let k = 0; k < rows.length; k++) {
        const r = rows[k]!;
        const extra = Object.keys(r.extra).length > 0 ? r.extra : null;
        chunk.push(JSON.stringify({ ep: n, tbl, row_no: k + 1, fields: r.fields, extra }));
        if (chunk.length === ROWS_PER_CHUNK) {
          rowChunks.push(`[${chunk.join(',')}]`);
          chunk = [];
        }
      }
    }
  }
  if (chunk.length > 0) rowChunks.push(`[${chunk.join(',')}]`);
  return { ...head, outcomes, accepted, episodeJson: `[${episodeParts.join(',')}]`, rowChunks };
}
