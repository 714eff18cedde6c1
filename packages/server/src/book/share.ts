import { createHash } from 'node:crypto';
import { DomainError } from '@openhssk/core';
import QRCode from 'qrcode';
import { randomToken } from '../auth/index.ts';
import type { Db } from '../db/index.ts';
import { bookDb } from './tables.ts';

export const SHARE_DEFAULT_MINUTES = 30;
export const SHARE_MAX_MINUTES = 7 * 24 * 60;

const hashToken = (t: string) => createHash('sha256').update(t).digest('hex');

export async function createShare(
  db: Db,
  publicUrl: string,
  s: { personId: string; createdBy: string; scope: 'summary' | 'full'; includeSensitive: boolean; includeContact: boolean; minutes: number },
) {
  const token = randomToken(32);
  const expires = new Date(Date.now() + s.minutes * 60_000);
  const row = await bookDb(db)
    .insertInto('book_share')
    .values({ token_hash: hashToken(token), person_id: s.personId, created_by: s.createdBy, scope: s.scope, include_sensitive: s.includeSensitive, include_contact: s.includeContact, expires_at: expires })
    .returning(['id', 'created_at'])
    .executeTakeFirstOrThrow();
  const url = `${publicUrl}/chia-se/${token}`;
  const svg = await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return {
    id: row.id,
    url,
    qr: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`,
    scope: s.scope,
    include_sensitive: s.includeSensitive,
    include_contact: s.includeContact,
    expires_at: expires.toISOString(),
  };
}

export async function listShares(db: Db, personId: string) {
  const rows = await bookDb(db)
    .selectFrom('book_share')
    .select(['id', 'scope', 'include_sensitive', 'include_contact', 'expires_at', 'revoked_at', 'created_at'])
    .where('person_id', '=', personId)
    .orderBy('created_at', 'desc')
    .limit(50)
    .execute();
  const now = Date.now();
  return rows.map((r) => ({ ...r, active: !r.revoked_at && new Date(r.expires_at).getTime() > now }));
}

export async function revokeShare(db: Db, personId: string, id: number): Promise<boolean> {
  const r = await bookDb(db)
    .updateTable('book_share')
    .set({ revoked_at: new Date() })
    .where('id', '=', id)
    .where('person_id', '=', personId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Withdrawing consent stops every share the citizen made, for their own book and their children's. */
export async function revokeSharesBy(db: Db, subject: string): Promise<number> {
  const r = await bookDb(db).updateTable('book_share').set({ revoked_at: new Date() }).where('created_by', '=', subject).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** The live share behind a token, or a problem saying plainly why it cannot be opened. */
export async function openShare(db: Db, token: string) {
  const s = /^[A-Za-z0-9_-]{20,100}$/.test(token)
    ? await bookDb(db)
        .selectFrom('book_share as s')
        .leftJoin('citizen_account as c', 'c.subject', 's.created_by')
        .select(['s.id', 's.person_id', 's.scope', 's.include_sensitive', 's.include_contact', 's.ref_key', 's.expires_at', 's.revoked_at', 'c.consent_at', 'c.consent_withdrawn_at'])
        .where('s.token_hash', '=', hashToken(token))
        .executeTakeFirst()
    : undefined;
  if (!s) throw new DomainError('not_found', 'SHARE_NOT_FOUND', 'Mã chia sẻ không đúng hoặc không tồn tại.', 'No such share.');
  if (s.revoked_at || !s.consent_at || s.consent_withdrawn_at) {
    throw new DomainError('gone', 'SHARE_REVOKED', 'Người bệnh đã thu hồi quyền xem hồ sơ này.', 'The patient revoked this share.');
  }
  if (new Date(s.expires_at).getTime() <= Date.now()) {
    throw new DomainError('gone', 'SHARE_EXPIRED', 'Mã chia sẻ đã hết hạn. Đề nghị người bệnh tạo mã mới.', 'This share has expired.');
  }
  return s;
}
