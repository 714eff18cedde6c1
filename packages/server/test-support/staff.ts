import type { FastifyInstance } from 'fastify';
import type { Db } from '../src/db/index.ts';
import { closeVisits } from '../src/ingest/index.ts';
import { createStaff, type NewStaff, totpCode } from '../src/staff/index.ts';

export const TEST_PASSWORD = 'test-Passw0rd';

/**
 * A staff account with a known password (no forced change) and its session cookie header. With
 * `totp: true` the account also enrols TOTP through the API (what production requires of most roles)
 * and the secret is returned, so `totpCode(secret, …)` can produce later codes.
 */
export async function staffSession(
  app: FastifyInstance,
  db: Db,
  s: Omit<NewStaff, 'password'>,
  opts: { totp?: boolean } = {},
): Promise<{ cookie: string; id: string; secret?: string }> {
  const { id } = await createStaff(db, { ...s, password: TEST_PASSWORD });
  const cookie = await login(app, s.username, TEST_PASSWORD);
  if (!opts.totp) return { cookie, id };
  return { cookie, id, secret: await enrolTotp(app, cookie) };
}

/** Enrols TOTP for the session's account (begin + confirm with the current code); returns the secret. */
export async function enrolTotp(app: FastifyInstance, cookie: string): Promise<string> {
  const begin = await app.inject({ method: 'POST', url: '/api/v1/staff/me/totp', headers: { cookie } });
  if (begin.statusCode !== 200) throw new Error(`TOTP enrolment: ${begin.statusCode} ${begin.body}`);
  const { secret } = begin.json() as { secret: string };
  const ok = await app.inject({ method: 'POST', url: '/api/v1/staff/me/totp/confirm', headers: { cookie }, payload: { code: totpCode(secret) } });
  if (ok.statusCode !== 200) throw new Error(`TOTP confirmation: ${ok.statusCode} ${ok.body}`);
  return secret;
}

export async function login(app: FastifyInstance, username: string, password: string, totp?: string): Promise<string> {
  const r = await app.inject({ method: 'POST', url: '/api/v1/staff/login', payload: { username, password, ...(totp ? { totp } : {}) } });
  if (r.statusCode !== 200) throw new Error(`login ${username}: ${r.statusCode} ${r.body}`);
  const c = r.cookies.find((x) => x.name === 'hssk_staff');
  if (!c) throw new Error('no staff cookie');
  return `hssk_staff=${c.value}`;
}

let seq = 0;

/** One current episode stored directly (the ingest path has its own tests). */
export async function insertEpisode(
  db: Db,
  e: {
    facility: string;
    personId: string | null;
    ngayVao: string;
    ngayRa?: string;
    benh?: string;
    benhKt?: string;
    sensitivity?: string[];
    receivedAt?: Date;
    rows?: Record<string, Array<Record<string, string>>>;
  },
): Promise<number> {
  const n = ++seq;
  const subId = `SUB-${e.facility}-${n}-${Math.random().toString(36).slice(2, 8)}`;
  await db
    .insertInto('submission')
    .values({
      id: subId,
      facility_code: e.facility,
      channel: 'rest',
      sha256: subId,
      size_bytes: 1,
      status: 'accepted',
      episode_count: 1,
      accepted_count: 1,
      warning_count: 0,
      rejected_count: 0,
      receipt: JSON.stringify({ episodes: [] }),
      ...(e.receivedAt ? { received_at: e.receivedAt } : {}),
    })
    .execute();
  const ep = await db
    .insertInto('episode')
    .values({
      facility_code: e.facility,
      ma_lk: `LK${n}`,
      version: 1,
      is_current: true,
      submission_id: subId,
      person_id: e.personId,
      patient_source_id: `${e.facility}:BN${n}`,
      status: 'accepted',
      ma_bn: `BN${n}`,
      ho_ten: 'Người bệnh',
      ma_loai_kcb: '01',
      ngay_vao: e.ngayVao,
      ngay_ra: e.ngayRa ?? e.ngayVao,
      ma_benh_chinh: e.benh ?? 'J06.9',
      ma_benh_kt: e.benhKt ?? null,
      sensitivity: e.sensitivity ?? [],
      content_sha256: subId,
      xml1: JSON.stringify({ fields: {} }),
      issues: '[]',
      ...(e.receivedAt ? { received_at: e.receivedAt } : {}),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  // Ingest finds a MA_LK's current version through the key directory (migration 087), as for real episodes.
  await db.insertInto('episode_key').values({ facility_code: e.facility, ma_lk: `LK${n}`, person_id: e.personId }).execute();
  for (const [tbl, rows] of Object.entries(e.rows ?? {})) {
    await db
      .insertInto('episode_row')
      .values(rows.map((fields, i) => ({ episode_id: ep.id, person_id: e.personId, tbl, row_no: i + 1, fields: JSON.stringify(fields), extra: null })))
      .execute();
  }
  // Like the ingest store: an episode written completes the visits it answers.
  await closeVisits(db, e.facility, { maLks: [`LK${n}`], personIds: e.personId ? [e.personId] : [] });
  return ep.id;
}

/**
 * Several staff accounts at once, each with its session: [username, role, scope] per account; the
 * full name is "Nhân viên <username>". Returns cookie and id by username.
 */
export async function staffSessions(
  app: FastifyInstance,
  db: Db,
  accounts: ReadonlyArray<readonly [username: string, role: NewStaff['role'], scope: Pick<NewStaff, 'facilityCode' | 'adminUnitCode'>]>,
): Promise<{ cookie: Record<string, string>; id: Record<string, string> }> {
  const cookie: Record<string, string> = {};
  const id: Record<string, string> = {};
  for (const [username, role, scope] of accounts) {
    const s = await staffSession(app, db, { username, fullName: `Nhân viên ${username}`, role, ...scope });
    cookie[username] = s.cookie;
    id[username] = s.id;
  }
  return { cookie, id };
}
