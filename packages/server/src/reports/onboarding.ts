import { DomainError, forbidden, invalid, notFound } from '@openhssk/core';
import type { OnboardingRequestEvent, OnboardingRequestKind, OnboardingRequestStatus, OnboardingRequest as OnboardingRequestView } from '@openhssk/core/api';
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { createFacility, getFacility, issueCredential, onboardingChecklist } from '../facility/index.ts';
import { coversFacility, type StaffContext, unitAncestry, unitDescendants } from '../staff/index.ts';

/**
 * The onboarding overview of an area (each facility's QĐ 2733 checklist step) and the queue of
 * requests for a facility code or an interop account. Approval creates the code or the account
 * through the facility module; nothing here writes the facility's own tables.
 */

export type RequestKind = OnboardingRequestKind;
export type RequestStatus = OnboardingRequestStatus;
export type OnboardingRequest = OnboardingRequestView<Date>;
type RequestEvent = OnboardingRequestEvent<Date>;

const STATUS_VI: Record<RequestStatus, string> = { pending: 'Chờ duyệt', approved: 'Đã duyệt', returned: 'Trả lại' };

const notPending = (status: RequestStatus) =>
  new DomainError('conflict', 'REQUEST_NOT_PENDING', `Yêu cầu đang ở trạng thái "${STATUS_VI[status]}", không thể xử lý.`, `The request is ${status}, not pending.`);

/** Officers decide for their unit and below; a system admin anywhere. */
async function officerCovers(db: Db, s: StaffContext, unitCode: string): Promise<boolean> {
  if (s.role === 'system_admin') return true;
  if (s.role !== 'health_officer' || !s.adminUnitCode) return false;
  return (await unitAncestry(db, unitCode)).includes(s.adminUnitCode);
}

/** Who may see a request: the officers over its unit, and the admins of the facility it names. */
async function maySee(db: Db, s: StaffContext, r: OnboardingRequest): Promise<boolean> {
  if (s.role === 'facility_admin') return r.filed_by === s.id || (r.facility_code !== null && r.facility_code === s.facilityCode);
  return officerCovers(db, s, r.admin_unit_code);
}

async function load(db: Db, id: number): Promise<OnboardingRequest> {
  const r = await sql<OnboardingRequest>`select * from onboarding_request where id = ${id}`.execute(db);
  const row = r.rows[0];
  if (!row) throw notFound('yêu cầu', 'Request');
  return { ...row, id: Number(row.id) };
}

async function addEvent(db: Db, id: number, action: RequestEvent['action'], s: StaffContext, reason: string | null = null) {
  await sql`insert into onboarding_request_event (request_id, action, actor_id, actor_name, reason) values (${id}, ${action}, ${s.id}, ${s.name}, ${reason})`.execute(db);
}

export interface NewRequest {
  kind: RequestKind;
  facilityCode?: string | undefined;
  facilityName?: string | undefined;
  adminUnitCode?: string | undefined;
  applicant: string;
  note?: string | undefined;
}

/**
 * A facility admin files for its own facility (an interop account) or for a new facility of its
 * owner (a code); an officer files on behalf of an applicant without an account, within their area.
 */
export async function fileRequest(db: Db, s: StaffContext, n: NewRequest): Promise<OnboardingRequest> {
  let facilityCode: string | null = null;
  let name = n.facilityName?.trim() ?? '';
  let unit = n.adminUnitCode ?? '';
  if (n.kind === 'interop_account') {
    const code = n.facilityCode ?? (s.role === 'facility_admin' ? (s.facilityCode ?? undefined) : undefined);
    if (!code) throw invalid('FACILITY_REQUIRED', 'Chọn cơ sở cần cấp tài khoản liên thông.', 'facility_code is required for an interop account.');
    const f = await getFacility(db, code);
    if (!f) throw notFound('cơ sở', 'Facility');
    if (!(await coversFacility(db, s, code))) throw forbidden();
    if (!f.admin_unit_code) throw invalid('FACILITY_NO_UNIT', 'Cơ sở chưa có đơn vị hành chính; liên hệ quản trị hệ thống.', 'The facility has no administrative unit.');
    facilityCode = f.code;
    name = f.name;
    unit = f.admin_unit_code;
  } else {
    if (!name) throw invalid('NAME_REQUIRED', 'Nhập tên cơ sở đề nghị cấp mã.', 'facility_name is required.');
    const u = await db.selectFrom('admin_unit').select('code').where('code', '=', unit).executeTakeFirst();
    if (!u) throw invalid('UNIT_UNKNOWN', 'Chọn xã/phường nơi cơ sở đặt trụ sở.', 'admin_unit_code must be an administrative unit.');
    // A facility admin applies for a unit of its own province; an officer within their area.
    if (s.role === 'facility_admin') {
      const own = s.facilityCode ? await getFacility(db, s.facilityCode) : undefined;
      const ownProvince = (await unitAncestry(db, own?.admin_unit_code ?? null)).at(-1);
      if (!ownProvince || (await unitAncestry(db, unit)).at(-1) !== ownProvince) throw forbidden();
    } else if (!(await officerCovers(db, s, unit))) throw forbidden();
  }
  const applicant = n.applicant.trim();
  if (!applicant) throw invalid('APPLICANT_REQUIRED', 'Nhập người đề nghị và số điện thoại liên hệ.', 'applicant is required.');
  if (facilityCode) {
    const open = await sql`select 1 from onboarding_request where facility_code = ${facilityCode} and kind = ${n.kind} and status = 'pending'`.execute(db);
    if (open.rows.length) throw new DomainError('conflict', 'REQUEST_OPEN', 'Cơ sở đã có yêu cầu cùng loại đang chờ duyệt.', 'The facility already has a pending request of this kind.');
  }
  const id = await db.transaction().execute(async (tx) => {
    const r = await sql<{ id: string }>`
      insert into onboarding_request (kind, facility_code, facility_name, admin_unit_code, applicant, note, filed_by)
      values (${n.kind}, ${facilityCode}, ${name}, ${unit}, ${applicant}, ${n.note?.trim() || null}, ${s.id}) returning id`.execute(tx);
    const newId = Number(r.rows[0]!.id);
    await addEvent(tx, newId, 'filed', s);
    return newId;
  });
  return load(db, id);
}

export async function getRequest(db: Db, s: StaffContext, id: number): Promise<{ request: OnboardingRequest; history: RequestEvent[] }> {
  const request = await load(db, id);
  // Not 403: whether a request exists elsewhere is not the caller's business.
  if (!(await maySee(db, s, request))) throw notFound('yêu cầu', 'Request');
  const h = await sql<RequestEvent>`select at, action, actor_name, reason from onboarding_request_event where request_id = ${id} order by id`.execute(db);
  return { request, history: h.rows };
}

/** Requests an officer decides (their area) or a facility admin filed/concerns, newest first. */
export async function listRequests(db: Db, s: StaffContext, q: { unit?: string | undefined; status?: RequestStatus | undefined }): Promise<OnboardingRequest[]> {
  const status = q.status ? sql`and status = ${q.status}` : sql``;
  let rows: OnboardingRequest[];
  if (s.role === 'facility_admin') {
    rows = (await sql<OnboardingRequest>`
      select * from onboarding_request where (filed_by = ${s.id} or facility_code = ${s.facilityCode ?? ''}) ${status}
       order by filed_at desc, id desc limit 500`.execute(db)).rows;
  } else {
    const unit = q.unit ?? s.adminUnitCode;
    if (!unit) throw invalid('UNIT_REQUIRED', 'Thiếu mã đơn vị hành chính (unit).', 'unit is required.');
    if (!(await officerCovers(db, s, unit))) throw forbidden();
    const units = await unitDescendants(db, unit);
    rows = (await sql<OnboardingRequest>`
      select * from onboarding_request where admin_unit_code = any(${units}) ${status}
       order by status <> 'pending', filed_at desc, id desc limit 500`.execute(db)).rows;
  }
  return rows.map((r) => ({ ...r, id: Number(r.id) }));
}

async function decidable(db: Db, s: StaffContext, id: number): Promise<OnboardingRequest> {
  const r = await load(db, id);
  if (!(await officerCovers(db, s, r.admin_unit_code))) {
    if (await maySee(db, s, r)) throw forbidden();
    throw notFound('yêu cầu', 'Request');
  }
  if (r.status !== 'pending') throw notPending(r.status);
  return r;
}

/**
 * Approves a pending request. A facility code is the code the province assigns (5 digits, given by
 * the officer): the facility is registered in test mode, so its checklist starts at "configuration".
 * An interop account is a new API credential; its secret is returned once, to the approving officer,
 * who hands it to the facility.
 */
export async function approveRequest(db: Db, s: StaffContext, id: number, opts: { code?: string | undefined }) {
  const r = await decidable(db, s, id);
  return db.transaction().execute(async (tx) => {
    // The row lock makes two officers approving at once see each other: the second gets "not pending".
    const locked = await sql<{ status: RequestStatus }>`select status from onboarding_request where id = ${id} for update`.execute(tx);
    if (locked.rows[0]?.status !== 'pending') throw notPending(locked.rows[0]?.status ?? 'approved');
    let result: Record<string, unknown>;
    let secret: { clientId: string; clientSecret: string } | undefined;
    if (r.kind === 'facility_code') {
      if (!opts.code) throw invalid('CODE_REQUIRED', 'Nhập mã cơ sở KCB được cấp (5 chữ số).', 'code is required to approve a facility code.');
      await createFacility(tx, { code: opts.code, name: r.facility_name, adminUnitCode: r.admin_unit_code, bhytContract: true, testMode: true });
      result = { facility_code: opts.code };
    } else {
      secret = await issueCredential(tx, r.facility_code!);
      result = { facility_code: r.facility_code, client_id: secret.clientId };
    }
    await sql`update onboarding_request set status = 'approved', decided_by = ${s.id}, decided_at = now(), return_reason = null,
                     facility_code = ${String(result.facility_code)}, result = ${JSON.stringify(result)}::jsonb where id = ${id}`.execute(tx);
    await addEvent(tx, id, 'approved', s);
    return { result, secret };
  });
}

export async function returnRequest(db: Db, s: StaffContext, id: number, reason: string): Promise<void> {
  const why = reason.trim();
  if (!why) throw invalid('REASON_REQUIRED', 'Nhập lý do trả lại để cơ sở biết cần bổ sung gì.', 'reason is required.');
  await decidable(db, s, id);
  await db.transaction().execute(async (tx) => {
    const u = await sql`update onboarding_request set status = 'returned', decided_by = ${s.id}, decided_at = now(), return_reason = ${why}
                         where id = ${id} and status = 'pending'`.execute(tx);
    if (Number(u.numAffectedRows ?? 0) === 0) throw notPending('approved');
    await addEvent(tx, id, 'returned', s, why);
  });
}

/** The filer (or the named facility's admin) corrects a returned request and files it again. */
export async function refileRequest(db: Db, s: StaffContext, id: number, change: { note?: string | undefined; facilityName?: string | undefined; applicant?: string | undefined }) {
  const r = await load(db, id);
  const mine = r.filed_by === s.id || (s.role === 'facility_admin' && r.facility_code !== null && r.facility_code === s.facilityCode) || (await officerCovers(db, s, r.admin_unit_code));
  if (!mine) throw notFound('yêu cầu', 'Request');
  if (r.status !== 'returned') throw new DomainError('conflict', 'REQUEST_NOT_RETURNED', 'Chỉ gửi lại được yêu cầu đã bị trả lại.', 'Only a returned request can be filed again.');
  const name = r.kind === 'facility_code' ? change.facilityName?.trim() || r.facility_name : r.facility_name;
  await db.transaction().execute(async (tx) => {
    await sql`update onboarding_request set status = 'pending', decided_by = null, decided_at = null, facility_name = ${name},
                     applicant = ${change.applicant?.trim() || r.applicant}, note = ${change.note?.trim() || r.note}
               where id = ${id}`.execute(tx);
    await addEvent(tx, id, 'refiled', s, r.return_reason);
  });
  return load(db, id);
}

/** Each facility of an area at its QĐ 2733 onboarding step, with its open requests. */
export async function onboardingOverview(db: Db, unit: string) {
  const units = await unitDescendants(db, unit);
  const facilities = await db
    .selectFrom('facility as f')
    .leftJoin('admin_unit as u', 'u.code', 'f.admin_unit_code')
    .select(['f.code', 'f.name', 'f.admin_unit_code', 'u.name as admin_unit_name'])
    .where('f.admin_unit_code', 'in', units)
    .orderBy('f.code')
    .limit(2000)
    .execute();
  const open = await sql<{ facility_code: string; n: number }>`
    select facility_code, count(*)::int n from onboarding_request where status = 'pending' and facility_code is not null group by 1`.execute(db);
  const openBy = new Map(open.rows.map((r) => [r.facility_code, Number(r.n)]));
  const out = [];
  for (const f of facilities) {
    const c = await onboardingChecklist(db, f.code);
    if (!c) continue;
    const next = c.items.find((i) => i.state === 'missing');
    const done = c.items.filter((i) => i.state !== 'missing').length;
    out.push({
      code: f.code,
      name: f.name,
      admin_unit_code: f.admin_unit_code,
      admin_unit_name: f.admin_unit_name,
      badge: c.badge,
      badge_vi: c.badge_vi,
      steps_done: done,
      steps_total: c.items.length,
      // The step the facility is at: the first one not done yet (null when connected).
      step: next ? { key: next.key, label_vi: next.label_vi } : null,
      items: c.items.map((i) => ({ key: i.key, state: i.state, label_vi: i.label_vi })),
      open_requests: openBy.get(f.code) ?? 0,
    });
  }
  return out;
}
