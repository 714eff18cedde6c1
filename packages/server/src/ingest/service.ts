import { createHash, randomBytes } from 'node:crypto';
import { DomainError } from '@openhssk/core';
import { xmlRefusalKind } from '@openhssk/core/xml130';
import type { VerifyResult } from '@openhssk/core/xmldsig';
import type { Db } from '../db/index.ts';
import { checkSigningCertificate, getFacility, signingCandidates } from '../facility/index.ts';
import { prepareInPool } from './prepare-pool.ts';
import type { Receipt } from './receipt.ts';
import { storeSubmission } from './store.ts';

export interface IngestRequest {
  /** Facility authenticated by its credential; the envelope must be its own. */
  facilityCode: string;
  raw: Buffer;
  channel: 'rest' | 'portal' | 'cli' | 'demo';
  idempotencyKey?: string | undefined;
  maxBytes?: number | undefined;
  /** RSA-SHA1 signatures are accepted (and flagged) unless this is false; see Config.xmldsigAllowSha1. */
  allowSha1?: boolean | undefined;
  /**
   * When the envelope counts as received; now unless given. Only the demo seed sets it, to replay
   * a district's year of sends; no route passes it through.
   */
  receivedAt?: Date | undefined;
  /**
   * Demo replay only: when each episode (by MA_LK) reached the platform, none later than
   * `receivedAt`. The demo replays a year of evening sends in a month's envelope per facility.
   */
  episodeArrivals?: ReadonlyMap<string, Date> | undefined;
}

export interface IngestResult {
  receipt: Receipt;
  /** True when this exact envelope (or idempotency key) was already received. */
  duplicate: boolean;
}

const newReceiptId = (at: Date) => `BN-${at.toISOString().slice(0, 10).replace(/-/g, '')}-${randomBytes(8).toString('hex')}`;

async function existingReceipt(db: Db, facilityCode: string, sha256: string, idempotencyKey?: string) {
  if (idempotencyKey) {
    const byKey = await db
      .selectFrom('submission')
      .select(['receipt', 'sha256'])
      .where('facility_code', '=', facilityCode)
      .where('idempotency_key', '=', idempotencyKey)
      .executeTakeFirst();
    if (byKey) {
      if (byKey.sha256 !== sha256) {
        throw new DomainError('conflict', 'IDEMPOTENCY_KEY_REUSED', 'Idempotency-Key đã được dùng cho một hồ sơ khác.', 'This Idempotency-Key was already used for a different envelope.');
      }
      return byKey.receipt as unknown as Receipt;
    }
  }
  const bySha = await db
    .selectFrom('submission')
    .select('receipt')
    .where('facility_code', '=', facilityCode)
    .where('sha256', '=', sha256)
    .executeTakeFirst();
  return bySha?.receipt as unknown as Receipt | undefined;
}

/**
 * The one ingest path (REST, portal-compatible endpoint, CLI and demo all come here):
 * parse → verify signature → validate each episode (in a worker thread) → store in one transaction → receipt.
 */
export async function ingestEnvelope(db: Db, req: IngestRequest): Promise<IngestResult> {
  const receivedAt = req.receivedAt ?? new Date();
  const sha256 = createHash('sha256').update(req.raw).digest('hex');
  const previous = await existingReceipt(db, req.facilityCode, sha256, req.idempotencyKey);
  if (previous) return { receipt: previous, duplicate: true };

  // Certificates are looked up before parsing so the worker can check the signature in the same pass.
  // All of the facility's certificates are candidates, pending and revoked ones too, so the verifier
  // names the one that signed; checkSigningCertificate below then decides whether it may.
  const facility = await getFacility(db, req.facilityCode);
  const trusted = facility ? await signingCandidates(db, facility.code) : [];
  const prepared = await prepareInPool({
    raw: req.raw,
    facilityCode: req.facilityCode,
    trusted,
    allowSha1: req.allowSha1 ?? true,
    requireSignature: !facility?.test_mode,
    maxBytes: req.maxBytes,
    receivedAt: receivedAt.getTime(),
  });
  if (!prepared.ok) {
    throw new DomainError(xmlRefusalKind(prepared.code), prepared.code, prepared.message_vi, prepared.message_en);
  }

  if (prepared.facilityCode !== req.facilityCode) {
    const known = await getFacility(db, prepared.facilityCode);
    if (!known) {
      throw new DomainError('unprocessable', 'UNKNOWN_FACILITY', `Mã cơ sở KCB ${prepared.facilityCode} trong hồ sơ chưa được đăng ký.`, `Facility ${prepared.facilityCode} named in the envelope is not registered.`);
    }
    throw new DomainError('forbidden', 'FACILITY_MISMATCH', 'Hồ sơ ghi mã cơ sở KCB khác với tài khoản gửi.', 'The envelope names a different facility than the sending account.');
  }
  if (!facility) {
    throw new DomainError('unprocessable', 'UNKNOWN_FACILITY', `Mã cơ sở KCB ${req.facilityCode} chưa được đăng ký.`, `Facility ${req.facilityCode} is not registered.`);
  }

  const signature = signatureNote(prepared.signature, facility.test_mode);
  // Read now, not with the candidates: a revocation during parsing still stops this envelope.
  if (signature.certificate_id) await checkSigningCertificate(db, facility.code, signature.certificate_id);

  let receipt: Receipt;
  try {
    receipt = await storeSubmission(db, {
      id: newReceiptId(receivedAt),
      receivedAt,
      episodeArrivals: req.episodeArrivals,
      facilityCode: facility.code,
      channel: req.channel,
      sha256,
      raw: req.raw,
      idempotencyKey: req.idempotencyKey ?? null,
      signature,
      prepared,
    });
  } catch (e) {
    // A concurrent identical resend won the race: answer with its receipt.
    if ((e as { code?: string }).code === '23505') {
      const again = await existingReceipt(db, req.facilityCode, sha256, req.idempotencyKey);
      if (again) return { receipt: again, duplicate: true };
    }
    throw e;
  }
  return { receipt, duplicate: false };
}

function signatureNote(r: VerifyResult | undefined, testMode: boolean): Receipt['signature'] {
  if (!r) {
    if (testMode) {
      return { verified: false, note_vi: 'Cơ sở đang ở chế độ thử nghiệm: chấp nhận hồ sơ chưa ký.', note_en: 'Facility in test mode: unsigned envelope accepted.' };
    }
    throw new DomainError('unprocessable', 'SIGNATURE_MISSING', 'Hồ sơ chưa được ký số (CHUKYDONVI trống).', 'The envelope is not signed (CHUKYDONVI is empty).');
  }
  if (!r.ok) throw new DomainError('unprocessable', r.code, r.message_vi, r.message_en);
  if (r.weakAlgorithm) {
    return {
      verified: true,
      method: r.method,
      certificate_id: r.certId,
      note_vi: 'Chữ ký dùng thuật toán SHA-1 đã lỗi thời; đề nghị cơ sở chuyển sang RSA-SHA256.',
      note_en: 'The signature uses the outdated SHA-1 algorithm; please move to RSA-SHA256.',
    };
  }
  return { verified: true, method: r.method, certificate_id: r.certId };
}
