import { X509Certificate } from 'node:crypto';
import { DomainError, notFound } from '@openhssk/core';
import type { ColumnType } from 'kysely';
import { type Actor, audit } from '../audit/index.ts';
import type { Db } from '../db/index.ts';
import { chainToAnchors } from './trust-anchors.ts';

/** Columns added by migration 011; declared here so the shared schema file stays untouched. */
type CertificateTrustColumns = {
  facility_certificate: {
    uploaded_by: string | null;
    approved_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
    approved_by: string | null;
    revoked_by: string | null;
    revoke_reason: string | null;
  };
};
export const certDb = (db: Db) => db.withTables<CertificateTrustColumns>();

export type CertificateStatus = 'pending' | 'approved' | 'revoked';

export interface TrustedCert {
  id: string;
  certPem: string;
}

/** Who registers a certificate when no one else is named: `hssk facility cert`, the demo seed, benchmarks. */
export const OPERATOR: Actor = { type: 'system', id: 'operator', name: 'hssk operator' };

export interface CertificateRecord {
  id: number;
  facility_code: string;
  fingerprint256: string;
  subject: string;
  not_before: Date;
  not_after: Date;
  uploaded_at: Date;
  uploaded_by: string | null;
  approved_at: Date | null;
  approved_by: string | null;
  revoked_at: Date | null;
  revoked_by: string | null;
  revoke_reason: string | null;
  status: CertificateStatus;
}

const statusOf = (r: { approved_at: Date | null; revoked_at: Date | null }): CertificateStatus => (r.revoked_at ? 'revoked' : r.approved_at ? 'approved' : 'pending');

const actorLabel = (a: Actor) => `${a.type}:${a.id}${a.name ? ` (${a.name})` : ''}`.slice(0, 300);

const RECORD_COLUMNS = ['id', 'facility_code', 'fingerprint256', 'subject', 'cert_pem', 'not_before', 'not_after', 'uploaded_at', 'uploaded_by', 'approved_at', 'approved_by', 'revoked_at', 'revoked_by', 'revoke_reason'] as const;

function parseCertificate(bytes: string | Buffer): X509Certificate {
  try {
    return new X509Certificate(bytes);
  } catch {
    throw new DomainError('invalid', 'CERT_INVALID', 'Tệp chứng thư số không hợp lệ (cần PEM hoặc DER X.509).', 'Not a valid X.509 certificate (PEM or DER).');
  }
}

/** SHA-256 fingerprint as node prints it (AB:CD:…); colons, spaces and case are forgiven. */
export function normalizeFingerprint(input: string): string {
  const hex = input.trim().replace(/[:\s]/g, '').toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) {
    throw new DomainError('invalid', 'FINGERPRINT_INVALID', 'Dấu vân tay SHA-256 của chứng thư số không đúng (64 chữ số hex).', 'A SHA-256 certificate fingerprint is 64 hex digits.');
  }
  return hex.match(/../g)!.join(':');
}

/**
 * What a certificate must satisfy to be approved: not expired and, when the operator installed CA
 * certificates, a chain to one of them with every link valid now. Without CAs (development),
 * self-signed certificates are accepted as before.
 */
function assertApprovable(cert: X509Certificate, anchors: readonly X509Certificate[] | undefined, at: Date) {
  if (Date.parse(cert.validTo) < at.getTime()) {
    throw new DomainError('invalid', 'CERT_EXPIRED', 'Chứng thư số đã hết hạn.', 'The certificate has expired.');
  }
  if (!anchors) return;
  const chain = chainToAnchors(cert, anchors, at);
  if (!chain.ok) throw new DomainError('unprocessable', 'CERT_CHAIN_UNTRUSTED', chain.reason_vi, chain.reason_en);
}

/** Chain verdict for display; undefined when no CA directory is configured. */
export function chainVerdict(certPem: string, anchors: readonly X509Certificate[] | undefined, at = new Date()) {
  if (!anchors) return undefined;
  const r = chainToAnchors(new X509Certificate(certPem), anchors, at);
  return r.ok ? { ok: true as const } : { ok: false as const, reason_vi: r.reason_vi };
}

export interface AddCertificateOptions {
  /** Who registers it; the audit row and `uploaded_by` name them. Default: the operator. */
  actor?: Actor | undefined;
  /**
   * True (default) for an operator or a facility admin in the staff portal: trusted at once.
   * False for a facility system with only its token: pending until approved.
   */
  approve?: boolean | undefined;
  /** CA certificates it must chain to before it is approved; undefined = no chain check. */
  anchors?: readonly X509Certificate[] | undefined;
  requestId?: string | undefined;
}

/**
 * Registers a certificate a facility signs with; several may be active during rotation. The same
 * certificate sent again changes nothing, except that an approving caller approves a pending one.
 * A revoked certificate cannot come back: it is refused.
 */
/** The answer to an upload, the same for the facility-token route and the staff portal route. */
export const uploadAnswer = (info: Awaited<ReturnType<typeof addCertificate>>) => ({
  fingerprint256: info.fingerprint256,
  subject: info.subject,
  not_before: info.notBefore,
  not_after: info.notAfter,
  status: info.status,
});

export async function addCertificate(db: Db, facilityCode: string, certPemOrDer: string | Buffer, opts: AddCertificateOptions = {}) {
  const cert = parseCertificate(certPemOrDer);
  const now = new Date();
  const notAfter = new Date(cert.validTo);
  if (notAfter.getTime() < now.getTime()) {
    throw new DomainError('invalid', 'CERT_EXPIRED', 'Chứng thư số đã hết hạn.', 'The certificate has expired.');
  }
  const approve = opts.approve ?? true;
  if (approve) assertApprovable(cert, opts.anchors, now);
  const actor = opts.actor ?? OPERATOR;
  const fingerprint = cert.fingerprint256;
  const resource = `facility/${facilityCode}/certificate/${fingerprint}`;
  const status = await db.transaction().execute(async (tx) => {
    const fdb = certDb(tx);
    const existing = await fdb
      .selectFrom('facility_certificate')
      .select(['id', 'approved_at', 'revoked_at'])
      .where('facility_code', '=', facilityCode)
      .where('fingerprint256', '=', fingerprint)
      .forUpdate()
      .executeTakeFirst();
    if (existing?.revoked_at) {
      throw new DomainError('conflict', 'CERT_REVOKED', 'Chứng thư số này đã bị thu hồi, không thể đăng ký lại.', 'This certificate was revoked and cannot be registered again.');
    }
    let result: CertificateStatus;
    if (!existing) {
      await fdb
        .insertInto('facility_certificate')
        .values({
          facility_code: facilityCode,
          fingerprint256: fingerprint,
          subject: cert.subject,
          cert_pem: cert.toString(),
          not_before: new Date(cert.validFrom),
          not_after: notAfter,
          uploaded_by: actorLabel(actor),
          approved_at: approve ? now : null,
          approved_by: approve ? actorLabel(actor) : null,
        })
        .execute();
      result = approve ? 'approved' : 'pending';
    } else if (!existing.approved_at && approve) {
      await fdb.updateTable('facility_certificate').set({ approved_at: now, approved_by: actorLabel(actor) }).where('id', '=', existing.id).execute();
      result = 'approved';
    } else {
      result = statusOf(existing);
    }
    await audit(tx, { actor, action: 'facility.certificate.upload', resource, requestId: opts.requestId, detail: { status: result, subject: cert.subject, new: !existing } });
    if (approve && result === 'approved' && !existing?.approved_at) {
      await audit(tx, { actor, action: 'facility.certificate.approve', resource, requestId: opts.requestId, detail: { at_upload: true, chain_checked: !!opts.anchors } });
    }
    return result;
  });
  return { fingerprint256: fingerprint, subject: cert.subject, notBefore: new Date(cert.validFrom), notAfter, status };
}

async function lockCertificate(tx: Db, facilityCode: string, fingerprint: string) {
  const row = await certDb(tx)
    .selectFrom('facility_certificate')
    .select(RECORD_COLUMNS)
    .where('facility_code', '=', facilityCode)
    .where('fingerprint256', '=', normalizeFingerprint(fingerprint))
    .forUpdate()
    .executeTakeFirst();
  if (!row) throw notFound('chứng thư số', 'Certificate');
  return row;
}

export interface CertificateDecision {
  actor: Actor;
  requestId?: string | undefined;
}

/**
 * Makes a pending certificate trusted. Who may call it (facility admin of the facility or system
 * admin, with MFA) is the route's business; what may be approved is decided here.
 */
export async function approveCertificate(db: Db, facilityCode: string, fingerprint: string, opts: CertificateDecision & { anchors?: readonly X509Certificate[] | undefined }): Promise<CertificateRecord> {
  return db.transaction().execute(async (tx) => {
    const row = await lockCertificate(tx, facilityCode, fingerprint);
    if (row.revoked_at) {
      throw new DomainError('conflict', 'CERT_REVOKED', 'Chứng thư số đã bị thu hồi, không thể duyệt lại.', 'The certificate was revoked; it cannot be approved again.');
    }
    if (row.approved_at) {
      throw new DomainError('conflict', 'CERT_ALREADY_APPROVED', 'Chứng thư số đã được duyệt.', 'The certificate is already approved.');
    }
    const now = new Date();
    assertApprovable(new X509Certificate(row.cert_pem), opts.anchors, now);
    const approvedBy = actorLabel(opts.actor);
    await certDb(tx).updateTable('facility_certificate').set({ approved_at: now, approved_by: approvedBy }).where('id', '=', row.id).execute();
    await audit(tx, {
      actor: opts.actor,
      action: 'facility.certificate.approve',
      resource: `facility/${facilityCode}/certificate/${row.fingerprint256}`,
      requestId: opts.requestId,
      detail: { subject: row.subject, uploaded_by: row.uploaded_by, chain_checked: !!opts.anchors },
    });
    const { cert_pem: _pem, ...rest } = row;
    return { ...rest, approved_at: now, approved_by: approvedBy, status: 'approved' };
  });
}

/**
 * Stops a certificate at once: the next envelope or check-in signed with it is refused
 * (CERT_REVOKED), and what it let in before is flagged on the submission monitor. Pending
 * certificates are revoked the same way (a refusal). Revocation is final.
 */
export async function revokeCertificate(db: Db, facilityCode: string, fingerprint: string, opts: CertificateDecision & { reason?: string | undefined }): Promise<CertificateRecord> {
  const reason = opts.reason?.trim() ? opts.reason.trim().slice(0, 500) : null;
  return db.transaction().execute(async (tx) => {
    const row = await lockCertificate(tx, facilityCode, fingerprint);
    if (row.revoked_at) {
      throw new DomainError('conflict', 'CERT_ALREADY_REVOKED', 'Chứng thư số đã bị thu hồi trước đó.', 'The certificate is already revoked.');
    }
    const now = new Date();
    const revokedBy = actorLabel(opts.actor);
    await certDb(tx).updateTable('facility_certificate').set({ revoked_at: now, revoked_by: revokedBy, revoke_reason: reason }).where('id', '=', row.id).execute();
    await audit(tx, {
      actor: opts.actor,
      action: 'facility.certificate.revoke',
      resource: `facility/${facilityCode}/certificate/${row.fingerprint256}`,
      requestId: opts.requestId,
      detail: { subject: row.subject, reason, was: statusOf(row) },
    });
    const { cert_pem: _pem, ...rest } = row;
    return { ...rest, revoked_at: now, revoked_by: revokedBy, revoke_reason: reason, status: 'revoked' };
  });
}

/** Every certificate of a facility with its status, newest expiry first (the staff portal list). */
export async function listCertificates(db: Db, facilityCode: string): Promise<Array<CertificateRecord & { cert_pem: string }>> {
  const rows = await certDb(db).selectFrom('facility_certificate').select(RECORD_COLUMNS).where('facility_code', '=', facilityCode).orderBy('not_after', 'desc').orderBy('id', 'desc').execute();
  return rows.map((r) => ({ ...r, status: statusOf(r) }));
}

/** Approved certificates valid now: the ones a facility may sign with. */
export async function trustedCertificates(db: Db, facilityCode: string, at = new Date()): Promise<TrustedCert[]> {
  const rows = await certDb(db)
    .selectFrom('facility_certificate')
    .select(['id', 'cert_pem'])
    .where('facility_code', '=', facilityCode)
    .where('revoked_at', 'is', null)
    .where('approved_at', 'is not', null)
    .where('not_before', '<=', at)
    .where('not_after', '>=', at)
    .execute();
  return rows.map((r) => ({ id: String(r.id), certPem: r.cert_pem }));
}

/**
 * Every certificate the facility ever registered, as candidates for the signature check, trusted
 * ones first. Pending and revoked certificates are candidates too so the verifier can say WHICH
 * certificate signed; `checkSigningCertificate` then refuses them with the right code. A signature
 * without KeyInfo is tried against trusted certificates first, so a renewed certificate sharing
 * the key of a pending one still verifies as the trusted one.
 */
export async function signingCandidates(db: Db, facilityCode: string, at = new Date()): Promise<TrustedCert[]> {
  const rows = await certDb(db).selectFrom('facility_certificate').select(['id', 'cert_pem', 'approved_at', 'revoked_at', 'not_before', 'not_after']).where('facility_code', '=', facilityCode).execute();
  const usable = (r: (typeof rows)[number]) => !r.revoked_at && !!r.approved_at && r.not_before <= at && r.not_after >= at;
  const rank = (r: (typeof rows)[number]) => (usable(r) ? 0 : r.revoked_at ? 2 : 1);
  return rows.sort((a, b) => rank(a) - rank(b) || Number(a.id) - Number(b.id)).map((r) => ({ id: String(r.id), certPem: r.cert_pem }));
}

/**
 * The decision on the certificate a signature verified with, read from the database at the moment
 * of use (no cache), so a revocation takes effect on the very next envelope. Returns its fingerprint.
 */
export async function checkSigningCertificate(db: Db, facilityCode: string, certId: string, at = new Date()): Promise<{ fingerprint256: string }> {
  const id = Number(certId);
  const row = Number.isSafeInteger(id)
    ? await certDb(db)
        .selectFrom('facility_certificate')
        .select(['fingerprint256', 'approved_at', 'revoked_at', 'not_before', 'not_after'])
        .where('id', '=', id)
        .where('facility_code', '=', facilityCode)
        .executeTakeFirst()
    : undefined;
  if (!row) {
    throw new DomainError('unprocessable', 'CERT_UNTRUSTED', 'Chứng thư số trong chữ ký không phải chứng thư đã đăng ký của cơ sở.', 'The certificate in the signature is not a registered certificate of the facility.');
  }
  if (row.revoked_at) {
    throw new DomainError('unprocessable', 'CERT_REVOKED', 'Chứng thư số dùng để ký đã bị thu hồi; hồ sơ bị từ chối.', 'The signing certificate has been revoked; the document is refused.', {
      fingerprint256: row.fingerprint256,
      revoked_at: row.revoked_at,
    });
  }
  if (!row.approved_at) {
    throw new DomainError(
      'unprocessable',
      'CERT_UNTRUSTED',
      'Chứng thư số dùng để ký đang chờ quản trị cơ sở duyệt trên cổng nhân viên; hồ sơ ký bằng chứng thư này chưa được chấp nhận.',
      'The signing certificate is waiting for approval by a facility administrator in the staff portal.',
      { fingerprint256: row.fingerprint256, certificate_status: 'pending' },
    );
  }
  if (row.not_before > at || row.not_after < at) {
    throw new DomainError('unprocessable', 'CERT_UNTRUSTED', 'Chứng thư số dùng để ký chưa đến hạn hoặc đã hết hạn.', 'The signing certificate is not valid at this time.', { fingerprint256: row.fingerprint256 });
  }
  return { fingerprint256: row.fingerprint256 };
}
