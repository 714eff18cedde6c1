import { DomainError, forbidden, notFound } from '@openhssk/core';
import { type Static, Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { audit } from '../audit/index.ts';
import type { Db } from '../db/index.ts';
import { typedRoutes } from '../http/index.ts';
import { coversFacility, requireStaff, type StaffContext, staffActor, staffDb, unitDescendants } from '../staff/index.ts';
import { submissionMonitor } from './monitor.ts';
import { CERT_WARN_DAYS, onboardingChecklist } from './onboarding.ts';
import { createFacility, getFacility, rotateCredential } from './registry.ts';

const str = (v: string | undefined) => (v?.trim() ? v.trim() : undefined);

const codeParams = Type.Object({ code: Type.String({ minLength: 1, maxLength: 16 }) });

// Loose lengths: a mistyped code must still reach the check that explains what a code looks like.
const facilityFields = Type.Object({
  code: Type.Optional(Type.String({ maxLength: 64 })),
  name: Type.Optional(Type.String({ maxLength: 500 })),
  level: Type.Optional(Type.String({ maxLength: 64, description: 'empty or null clears it' })),
  admin_unit_code: Type.Optional(Type.String({ maxLength: 64, description: 'empty or null clears it' })),
  bhyt_contract: Type.Optional(Type.Boolean()),
  test_mode: Type.Optional(Type.Boolean()),
});
type FacilityFields = Static<typeof facilityFields>;
// Missing fields get their bilingual error in the handler, after the caller's role has been checked;
// a missing body is the same as an empty one.
const facilityBody = Type.Union([facilityFields, Type.Null()]);

const rotateBody = Type.Union([Type.Object({ grace_hours: Type.Optional(Type.Number({ description: '0–720; the old secret keeps working meanwhile' })) }), Type.Null()]);

// An empty `facility` is left to targetFacility, which says what is missing.
const facilityQuery = Type.Object({ facility: Type.Optional(Type.String({ maxLength: 16 })) });
const submissionsQuery = Type.Object({
  facility: Type.Optional(Type.String({ maxLength: 16 })),
  days: Type.Optional(Type.Integer({ description: 'look-back window, clamped to 1–366; default 30' })),
});

/** Staff-facing facility registry, onboarding, credentials and submission monitor. */
// Certificate list, upload, approval and revocation live in certificate-routes.ts (registered by
// registerFacilityRoutes, which has the configuration they need).
export async function registerFacilityAdminRoutes(app: FastifyInstance, db: Db) {
  await app.register(async (scope) => routes(scope, db));
}

async function facilityOr404(db: Db, code: string) {
  const f = await getFacility(db, code);
  if (!f) throw notFound('cơ sở', 'Facility');
  return f;
}

/** The facility a request is about: its own for facility staff, else the `facility` query/param. */
function targetFacility(s: StaffContext, requested: string | undefined): string {
  const code = requested ?? s.facilityCode ?? undefined;
  if (!code) throw new DomainError('invalid', 'FACILITY_REQUIRED', 'Chọn cơ sở KCB.', 'The facility query parameter is required.');
  return code;
}

function routes(scope: FastifyInstance, db: Db) {
  const app = typedRoutes(scope);
  const sdb = staffDb(db);
  const MANAGERS = ['system_admin', 'facility_admin'] as const;
  const VIEWERS = ['system_admin', 'facility_admin', 'health_officer'] as const;

  app.get('/api/v1/facilities', { schema: { summary: 'Facilities in the caller’s scope, with onboarding badge', tags: ['facility'] } }, async (req) => {
    const s = await requireStaff(db, req, { roles: VIEWERS });
    let q = db.selectFrom('facility as f').leftJoin('admin_unit as u', 'u.code', 'f.admin_unit_code').select(['f.code', 'f.name', 'f.level', 'f.admin_unit_code', 'u.name as admin_unit_name', 'f.bhyt_contract', 'f.test_mode']).orderBy('f.code');
    if (s.role === 'facility_admin') q = q.where('f.code', '=', s.facilityCode!);
    if (s.role === 'health_officer') q = q.where('f.admin_unit_code', 'in', await unitDescendants(db, s.adminUnitCode!));
    const rows = await q.limit(1000).execute();
    const out = [];
    for (const r of rows) out.push({ ...r, badge: (await onboardingChecklist(db, r.code))?.badge });
    return { facilities: out };
  });

  app.post('/api/v1/facilities', { schema: { summary: 'Register a facility (system admin)', tags: ['facility'], body: facilityBody } }, async (req, reply) => {
    const s = await requireStaff(db, req, { roles: ['system_admin'] });
    const b: FacilityFields = req.body ?? {};
    const code = str(b.code) ?? '';
    const name = str(b.name);
    if (!name) throw new DomainError('invalid', 'NAME_REQUIRED', 'Nhập tên cơ sở.', 'The facility name is required.');
    const unit = str(b.admin_unit_code);
    if (unit && !(await db.selectFrom('admin_unit').select('code').where('code', '=', unit).executeTakeFirst())) {
      throw new DomainError('invalid', 'UNIT_UNKNOWN', `Không có đơn vị hành chính ${unit}.`, `Admin unit ${unit} does not exist.`);
    }
    await createFacility(db, { code, name, level: str(b.level), adminUnitCode: unit, bhytContract: b.bhyt_contract !== false, testMode: b.test_mode === true });
    await audit(db, { actor: staffActor(s), action: 'facility.create', resource: `facility/${code}` });
    return reply.status(201).send(await facilityOr404(db, code));
  });

  app.get('/api/v1/facilities/:code', { schema: { summary: 'One facility with its onboarding checklist', tags: ['facility'], params: codeParams } }, async (req) => {
    const { code } = req.params;
    await requireStaff(db, req, { roles: VIEWERS, facility: code });
    const c = await onboardingChecklist(db, code);
    if (!c) throw notFound('cơ sở', 'Facility');
    return { ...c, cert_warn_days: CERT_WARN_DAYS };
  });

  /** Registry fields by the system admin; a facility admin may only switch test mode (its HIS configuration). */
  app.patch('/api/v1/facilities/:code', { schema: { summary: 'Update a facility', tags: ['facility'], params: codeParams, body: facilityBody } }, async (req) => {
    const { code } = req.params;
    const s = await requireStaff(db, req, { roles: MANAGERS, facility: code });
    await facilityOr404(db, code);
    const b: FacilityFields = req.body ?? {};
    const set: { name?: string; level?: string | null; admin_unit_code?: string | null; bhyt_contract?: boolean; test_mode?: boolean } = {};
    if (typeof b.test_mode === 'boolean') set.test_mode = b.test_mode;
    if (s.role === 'system_admin') {
      if (str(b.name)) set.name = str(b.name)!;
      if ('level' in b) set.level = str(b.level) ?? null;
      if ('admin_unit_code' in b) set.admin_unit_code = str(b.admin_unit_code) ?? null;
      if (typeof b.bhyt_contract === 'boolean') set.bhyt_contract = b.bhyt_contract;
    } else if (Object.keys(b).some((k) => k !== 'test_mode')) throw forbidden();
    if (Object.keys(set).length) await db.updateTable('facility').set(set).where('code', '=', code).execute();
    await audit(db, { actor: staffActor(s), action: 'facility.update', resource: `facility/${code}`, detail: set });
    return facilityOr404(db, code);
  });

  /** Only a facility that never sent data can be removed: episodes and receipts must keep their facility. */
  app.delete('/api/v1/facilities/:code', { schema: { summary: 'Remove a facility that has no data (system admin)', tags: ['facility'], params: codeParams } }, async (req, reply) => {
    const { code } = req.params;
    const s = await requireStaff(db, req, { roles: ['system_admin'] });
    await facilityOr404(db, code);
    const used = await db.selectFrom('submission').select('id').where('facility_code', '=', code).limit(1).executeTakeFirst();
    const staff = await sdb.selectFrom('staff_account').select('id').where('facility_code', '=', code).limit(1).executeTakeFirst();
    if (used || staff) throw new DomainError('conflict', 'FACILITY_IN_USE', 'Cơ sở đã có dữ liệu hoặc tài khoản nhân viên, không thể xóa.', 'The facility has data or staff accounts.');
    await db.transaction().execute(async (tx) => {
      await tx.deleteFrom('facility_credential').where('facility_code', '=', code).execute();
      await tx.deleteFrom('facility_certificate').where('facility_code', '=', code).execute();
      await tx.deleteFrom('facility').where('code', '=', code).execute();
    });
    await audit(db, { actor: staffActor(s), action: 'facility.delete', resource: `facility/${code}` });
    return reply.status(204).send();
  });

  app.get('/api/v1/facilities/:code/credentials', { schema: { summary: 'API credentials (never their secrets)', tags: ['facility'], params: codeParams } }, async (req) => {
    const { code } = req.params;
    await requireStaff(db, req, { roles: MANAGERS, facility: code });
    const rows = await db.selectFrom('facility_credential').select(['client_id', 'created_at', 'revoked_at']).where('facility_code', '=', code).orderBy('created_at', 'desc').execute();
    return { credentials: rows };
  });

  app.post('/api/v1/facilities/:code/credentials/rotate', { schema: { summary: 'Issue a new API credential; old ones revoked after an optional grace period', tags: ['facility'], params: codeParams, body: rotateBody } }, async (req, reply) => {
    const { code } = req.params;
    const s = await requireStaff(db, req, { roles: MANAGERS, facility: code });
    await facilityOr404(db, code);
    const grace = req.body?.grace_hours ?? 0;
    if (grace < 0 || grace > 24 * 30) {
      throw new DomainError('invalid', 'GRACE_INVALID', 'Thời gian chuyển tiếp từ 0 đến 720 giờ.', 'grace_hours must be 0–720.');
    }
    const r = await rotateCredential(db, code, grace);
    await audit(db, { actor: staffActor(s), action: 'facility.credential.rotate', resource: `facility/${code}/credential/${r.clientId}`, detail: { revoked: r.revoked, grace_hours: grace } });
    return reply.status(201).send({ client_id: r.clientId, client_secret: r.clientSecret, revoked: r.revoked, old_revoked_at: r.revokedAt, note_vi: 'Mật khẩu ứng dụng chỉ hiển thị một lần. Hãy cấu hình ngay vào phần mềm HIS.' });
  });

  app.get('/api/v1/facility/submissions', { schema: { summary: 'Submission monitor: receipts, daily counts, late episodes', tags: ['facility'], querystring: submissionsQuery } }, async (req) => {
    const q = req.query;
    const pre = await requireStaff(db, req, { roles: VIEWERS });
    const code = targetFacility(pre, q.facility);
    if (!(await coversFacility(db, pre, code))) throw forbidden();
    await facilityOr404(db, code);
    const days = Math.min(Math.max(q.days || 30, 1), 366);
    return submissionMonitor(db, code, days);
  });

  app.get('/api/v1/facility/break-glass', { schema: { summary: 'Break-glass accesses at the facility (for review)', tags: ['facility'], querystring: facilityQuery } }, async (req) => {
    const q = req.query;
    const pre = await requireStaff(db, req, { roles: ['system_admin', 'facility_admin'] });
    const code = targetFacility(pre, q.facility);
    if (!(await coversFacility(db, pre, code))) throw forbidden();
    const rows = await sdb
      .selectFrom('break_glass_grant as g')
      .innerJoin('staff_account as s', 's.id', 'g.staff_id')
      .innerJoin('person as p', 'p.id', 'g.person_id')
      .select(['g.id', 'g.person_id', 'p.ho_ten as person_name', 'g.staff_id', 's.username', 's.full_name as staff_name', 'g.reason', 'g.granted_at', 'g.expires_at'])
      .where('g.facility_code', '=', code)
      .orderBy('g.granted_at', 'desc')
      .limit(200)
      .execute();
    await audit(db, { actor: staffActor(pre), action: 'facility.break_glass.review', resource: `facility/${code}/break-glass` });
    return { facility_code: code, grants: rows };
  });
}
