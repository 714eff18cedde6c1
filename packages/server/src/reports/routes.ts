import { DomainError, forbidden, notFound, vietnamToday } from '@openhssk/core';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { audit } from '../audit/index.ts';
import type { Db } from '../db/index.ts';
import { getFacility } from '../facility/index.ts';
import { typedRoutes } from '../http/index.ts';
import { coversFacility, requireStaff, type StaffContext, staffActor, unitAncestry } from '../staff/index.ts';
import { chronicCare } from './chronic-care.ts';
import { kpiWorkbook, type SixMonthly, sixMonthlyPdf, sixMonthlyWorkbook } from './export.ts';
import { childUnits, computeKpis, DELAY_BUCKETS, getUnit, monthlyEpisodes, type Period, type UnitRef } from './kpis.ts';
import { approveRequest, fileRequest, getRequest, listRequests, onboardingOverview, refileRequest, returnRequest } from './onboarding.ts';
import { refreshReports } from './refresh.ts';
import { resolveTargets, setTarget, statuses, TARGET_INDICATORS, TARGET_TITLES, targetPeriod } from './targets.ts';
import { lastDueWeek, storedWeeks, weeklyTable, weeklyWorkbook, weekOf } from './weekly.ts';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const DATE = /^\d{4}-\d{2}-\d{2}$/;

const badRequest = (vi: string, en: string) => new DomainError('invalid', 'VALIDATION_FAILED', vi, en);

function isDate(s: string) {
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

// Codes, dates, years and formats are only typed here: the handlers refuse bad values with messages
// that say what a valid one looks like.
const unitCode = Type.String({ maxLength: 16, description: 'administrative unit code' });
const periodFields = {
  from: Type.Optional(Type.String({ maxLength: 32, description: 'YYYY-MM-DD; default 1 January of the year of `to`' })),
  to: Type.Optional(Type.String({ maxLength: 32, description: 'YYYY-MM-DD; default today (Vietnam time)' })),
};
const unitsQuery = Type.Object({ parent: Type.Optional(unitCode), ...periodFields });
const kpiQuery = Type.Object({ unit: Type.Optional(unitCode), ...periodFields });
const sixMonthlyQuery = Type.Object({
  unit: Type.Optional(unitCode),
  year: Type.Optional(Type.Integer({ description: '2020–2100' })),
  half: Type.Optional(Type.Integer({ description: '1 (January–June) or 2 (July–December)' })),
  format: Type.Optional(Type.String({ maxLength: 8, description: 'xlsx (default) or pdf' })),
});
const facilitySixMonthlyQuery = Type.Object({
  facility: Type.Optional(Type.String({ maxLength: 16, description: 'facility code; default the facility admin’s own' })),
  year: Type.Optional(Type.Integer({ description: '2020–2100' })),
  half: Type.Optional(Type.Integer({ description: '1 (January–June) or 2 (July–December)' })),
  format: Type.Optional(Type.String({ maxLength: 8, description: 'xlsx (default) or pdf' })),
});
const weeklyQuery = Type.Object({
  unit: Type.Optional(unitCode),
  week: Type.Optional(Type.String({ maxLength: 32, description: 'YYYY-MM-DD, any day of the Friday–Thursday week; default the last week whose Thursday 15:00 has passed' })),
});
const requestKind = Type.Union([Type.Literal('facility_code'), Type.Literal('interop_account')]);
const requestStatus = Type.Union([Type.Literal('pending'), Type.Literal('approved'), Type.Literal('returned')]);
const requestBody = Type.Object(
  {
    kind: requestKind,
    facility_code: Type.Optional(Type.String({ maxLength: 16 })),
    facility_name: Type.Optional(Type.String({ maxLength: 200 })),
    admin_unit_code: Type.Optional(Type.String({ maxLength: 16 })),
    applicant: Type.String({ maxLength: 200, description: 'who asks, with a phone number' }),
    note: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);
const requestParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const requestsQuery = Type.Object({ unit: Type.Optional(unitCode), status: Type.Optional(requestStatus) });
const approveBody = Type.Union([Type.Object({ code: Type.Optional(Type.String({ maxLength: 16, description: 'the facility code assigned (facility-code requests)' })) }, { additionalProperties: false }), Type.Null()]);
const returnBody = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false });
const refileBody = Type.Union([
  Type.Object(
    { note: Type.Optional(Type.String({ maxLength: 2000 })), facility_name: Type.Optional(Type.String({ maxLength: 200 })), applicant: Type.Optional(Type.String({ maxLength: 200 })) },
    { additionalProperties: false },
  ),
  Type.Null(),
]);
const indicatorSchema = Type.Union(TARGET_INDICATORS.map((i) => Type.Literal(i)));
const halfSchema = Type.Union([Type.Literal(0), Type.Literal(1), Type.Literal(2)], { description: '0 = whole year, 1 or 2 = half-year' });
const targetsQuery = Type.Object({
  unit: Type.Optional(unitCode),
  year: Type.Optional(Type.Integer({ minimum: 2020, maximum: 2100 })),
  half: Type.Optional(halfSchema),
});
const targetBody = Type.Object(
  {
    unit: Type.String({ pattern: '^[0-9]{1,6}$', description: 'administrative unit code' }),
    indicator: indicatorSchema,
    year: Type.Integer({ minimum: 2020, maximum: 2100 }),
    half: Type.Optional(halfSchema),
    // No number-or-null union: with type coercion on, ajv turns a null into 0 or a 0 into null
    // depending on the order, so clearing is its own flag.
    value: Type.Optional(Type.Number({ minimum: 0, maximum: 100, description: 'percent 0–100' })),
    clear: Type.Optional(Type.Boolean({ description: 'true: remove the unit’s own value (it inherits again)' })),
  },
  { additionalProperties: false },
);
const refreshBody = Type.Union([Type.Object({ holdback_seconds: Type.Optional(Type.Number({ description: 'ignored when negative' })) }), Type.Null()]);

function parsePeriod(q: { from?: string | undefined; to?: string | undefined }): Period {
  const to = q.to ?? vietnamToday();
  const from = q.from ?? `${to.slice(0, 4)}-01-01`;
  if (!DATE.test(from) || !DATE.test(to) || !isDate(from) || !isDate(to)) {
    throw badRequest('Ngày không hợp lệ (định dạng YYYY-MM-DD).', 'from and to must be dates (YYYY-MM-DD).');
  }
  if (from > to) throw badRequest('Ngày bắt đầu phải trước ngày kết thúc.', 'from must not be after to.');
  return { from, to };
}

/** The half-year a six-monthly report covers and the one before it. */
function halfYear(q: { year?: number | undefined; half?: number | undefined; format?: string | undefined }) {
  const { year, half } = q;
  const format = q.format ?? 'xlsx';
  if (year === undefined || year < 2020 || year > 2100) throw badRequest('Năm báo cáo không hợp lệ.', 'year must be a year.');
  if (half !== 1 && half !== 2) throw badRequest('Kỳ báo cáo phải là 1 hoặc 2.', 'half must be 1 or 2.');
  if (format !== 'xlsx' && format !== 'pdf') throw badRequest('Định dạng phải là xlsx hoặc pdf.', 'format must be xlsx or pdf.');
  const period: Period = half === 1 ? { from: `${year}-01-01`, to: `${year}-06-30` } : { from: `${year}-07-01`, to: `${year}-12-31` };
  const previous: Period = half === 1 ? { from: `${year - 1}-07-01`, to: `${year - 1}-12-31` } : { from: `${year}-01-01`, to: `${year}-06-30` };
  return { year, half: half === 1 ? (1 as const) : (2 as const), format: format === 'pdf' ? ('pdf' as const) : ('xlsx' as const), period, previous };
}

/** A six-monthly report as the file asked for. */
async function sendSixMonthly(reply: FastifyReply, report: SixMonthly, format: 'xlsx' | 'pdf', filename: string) {
  const body = format === 'pdf' ? await sixMonthlyPdf(report) : await sixMonthlyWorkbook(report);
  return reply
    .type(format === 'pdf' ? 'application/pdf' : XLSX)
    .header('content-disposition', `attachment; filename="${filename}"`)
    .send(body);
}

/** Health officers see their unit and below; system admins everything; other roles nothing. */
async function scopedUnit(db: Db, s: StaffContext, code: string | undefined): Promise<UnitRef> {
  const wanted = code ?? s.adminUnitCode ?? undefined;
  if (!wanted) throw badRequest('Thiếu mã đơn vị hành chính (unit).', 'unit is required.');
  if (!/^[0-9]{1,6}$/.test(wanted)) throw badRequest('Mã đơn vị hành chính không hợp lệ.', 'unit must be an administrative unit code.');
  const unit = await getUnit(db, wanted);
  if (!unit) throw notFound('đơn vị hành chính', 'Administrative unit');
  if (s.role === 'health_officer' && !(await unitAncestry(db, unit.code)).includes(s.adminUnitCode ?? '')) throw forbidden();
  return unit;
}

const staffGuard = { roles: ['system_admin', 'health_officer'] as const };

/**
 * Targets are set by a system admin, or by a province's health officer for the province and what
 * lies below it (the plans are the province's); a district officer only reads them.
 */
async function mayEditTargets(db: Db, s: StaffContext): Promise<boolean> {
  if (s.role === 'system_admin') return true;
  if (s.role !== 'health_officer' || !s.adminUnitCode) return false;
  return (await getUnit(db, s.adminUnitCode))?.level === 'province';
}

async function kpiTable(db: Db, unit: UnitRef, period: Period, children?: UnitRef[]) {
  const kids = children ?? (await childUnits(db, unit.code, period));
  const codes = [unit.code, ...kids.map((c) => c.code)];
  const { year, half } = targetPeriod(period);
  const [figures, targets] = await Promise.all([computeKpis(db, codes, period), resolveTargets(db, codes, year, half)]);
  // computeKpis and resolveTargets return an entry for every unit they were given.
  const row = (u: UnitRef) => {
    const kpis = figures.get(u.code)!;
    const t = targets.get(u.code)!;
    return { unit: u, kpis, targets: t, statuses: statuses(kpis, t) };
  };
  return { own: row(unit), children: kids.map(row) };
}

/** The units from the top the caller may see down to `code` (a health officer starts at their own unit). */
async function unitPath(db: Db, s: StaffContext, code: string): Promise<UnitRef[]> {
  const path: UnitRef[] = [];
  for (const c of (await unitAncestry(db, code)).reverse()) {
    if (s.role === 'health_officer' && path.length === 0 && c !== s.adminUnitCode) continue;
    const u = await getUnit(db, c);
    if (u) path.push(u);
  }
  return path;
}

export function registerReportRoutes(fastify: FastifyInstance, db: Db) {
  const app = typedRoutes(fastify);

  app.get('/api/v1/reports/units', { schema: { summary: 'Administrative unit tree for the reports', tags: ['reports'], querystring: unitsQuery } }, async (req) => {
    const s = await requireStaff(db, req, staffGuard);
    const { parent } = req.query;
    const period = parsePeriod(req.query);
    if (!parent) {
      // The top of what the caller may see.
      if (s.role === 'health_officer') return { parent: null, units: [await scopedUnit(db, s, undefined)] };
      const roots = await db.selectFrom('admin_unit').select(['code', 'name', 'level']).where('parent_code', 'is', null).orderBy('code').execute();
      return { parent: null, units: roots };
    }
    const unit = await scopedUnit(db, s, parent);
    return { parent: unit, units: await childUnits(db, unit.code, period) };
  });

  app.get('/api/v1/reports/kpis', { schema: { summary: 'KPIs of a unit and its children for a period', tags: ['reports'], querystring: kpiQuery } }, async (req) => {
    const s = await requireStaff(db, req, staffGuard);
    const unit = await scopedUnit(db, s, req.query.unit);
    const period = parsePeriod(req.query);
    const kids = await childUnits(db, unit.code, period);
    // Independent reads on separate pool connections: the page waits for the slowest, not the sum.
    const [{ own, children }, path, monthly, chronic_care] = await Promise.all([
      kpiTable(db, unit, period, kids),
      unitPath(db, s, unit.code),
      monthlyEpisodes(db, unit.code, period),
      // Control of hypertension and diabetes in the commune registers (primary care), live; residents as of the last refresh.
      chronicCare(db, [unit, ...kids], vietnamToday()),
    ]);
    return { unit, period, path, targets: own.targets, statuses: own.statuses, delayBuckets: DELAY_BUCKETS, kpis: own.kpis, children, monthly, chronic_care };
  });

  app.get('/api/v1/reports/kpis.xlsx', { schema: { summary: 'KPI table as XLSX', tags: ['reports'], querystring: kpiQuery } }, async (req, reply) => {
    const s = await requireStaff(db, req, staffGuard);
    const unit = await scopedUnit(db, s, req.query.unit);
    const period = parsePeriod(req.query);
    const { own, children } = await kpiTable(db, unit, period);
    const body = await kpiWorkbook(own, children, period, await monthlyEpisodes(db, unit.code, period));
    await audit(db, { actor: staffActor(s), action: 'report.kpis.download', resource: `unit:${unit.code}`, requestId: req.id, detail: { ...period, format: 'xlsx' } });
    return reply
      .type(XLSX)
      .header('content-disposition', `attachment; filename="chi-so-${unit.code}-${period.from}-${period.to}.xlsx"`)
      .send(body);
  });

  app.get('/api/v1/reports/six-monthly', { schema: { summary: 'Six-monthly report (Điều 8 QĐ 2733/QĐ-BYT)', tags: ['reports'], querystring: sixMonthlyQuery } }, async (req, reply) => {
    const s = await requireStaff(db, req, staffGuard);
    const unit = await scopedUnit(db, s, req.query.unit);
    const { year, half, format, period, previous } = halfYear(req.query);
    const { own, children } = await kpiTable(db, unit, period);
    const prior = await computeKpis(db, [unit.code, ...children.map((c) => c.unit.code)], previous);
    const report: SixMonthly = { unit, year, half, period, previous, current: [own, ...children], prior };
    await audit(db, { actor: staffActor(s), action: 'report.six_monthly.download', resource: `unit:${unit.code}`, requestId: req.id, detail: { year, half, format } });
    return sendSixMonthly(reply, report, format, `bao-cao-6-thang-${unit.code}-${year}-${half}.${format}`);
  });

  /**
   * A facility's own six-monthly report (Điều 8 QĐ 2733 asks facilities to report too): the
   * dashboard's definitions over the facility's own episodes and check-ins, against the targets in
   * force for its commune. Facility admins get their own facility only.
   */
  app.get('/api/v1/reports/facility/six-monthly', { schema: { summary: 'A facility’s own six-monthly report', tags: ['reports'], querystring: facilitySixMonthlyQuery } }, async (req, reply) => {
    const s = await requireStaff(db, req, { roles: ['system_admin', 'health_officer', 'facility_admin'] });
    const code = req.query.facility ?? s.facilityCode ?? undefined;
    if (!code) throw badRequest('Chọn cơ sở KCB.', 'facility is required.');
    const f = await getFacility(db, code);
    if (!f) throw notFound('cơ sở', 'Facility');
    if (!(await coversFacility(db, s, code))) throw forbidden();
    if (!f.admin_unit_code) throw badRequest('Cơ sở chưa có đơn vị hành chính.', 'The facility has no administrative unit.');
    const { year, half, format, period, previous } = halfYear(req.query);
    const scope = { facility: f.code };
    const cur = (await computeKpis(db, [f.admin_unit_code], period, scope)).get(f.admin_unit_code)!;
    const prev = (await computeKpis(db, [f.admin_unit_code], previous, scope)).get(f.admin_unit_code)!;
    const t = (await resolveTargets(db, [f.admin_unit_code], year, half)).get(f.admin_unit_code)!;
    const subject = { code: f.code, name: f.name, level: 'facility' as const };
    const report: SixMonthly = { unit: subject, year, half, period, previous, current: [{ unit: subject, kpis: cur, targets: t, statuses: statuses(cur, t) }], prior: new Map([[f.code, prev]]) };
    await audit(db, { actor: staffActor(s), action: 'report.facility_six_monthly.download', resource: `facility:${f.code}`, requestId: req.id, detail: { year, half, format } });
    return sendSixMonthly(reply, report, format, `bao-cao-6-thang-co-so-${f.code}-${year}-${half}.${format}`);
  });

  /** The weekly Đề án 06 progress table of a stored week (snapshots are taken by the background job). */
  const weekly = async (req: { query: { unit?: string | undefined; week?: string | undefined } }, s: StaffContext) => {
    const unit = await scopedUnit(db, s, req.query.unit);
    const w = req.query.week;
    if (w !== undefined && (!DATE.test(w) || !isDate(w))) throw badRequest('Tuần không hợp lệ (YYYY-MM-DD).', 'week must be a date (YYYY-MM-DD).');
    return weeklyTable(db, unit, w ? weekOf(w) : lastDueWeek());
  };
  app.get('/api/v1/reports/weekly', { schema: { summary: 'Weekly Đề án 06 progress table (stored snapshot)', tags: ['reports'], querystring: weeklyQuery } }, async (req) => {
    const s = await requireStaff(db, req, staffGuard);
    const t = await weekly(req, s);
    return { ...t, weeks: await storedWeeks(db, t.unit.code) };
  });
  app.get('/api/v1/reports/weekly.xlsx', { schema: { summary: 'Weekly Đề án 06 progress table as XLSX', tags: ['reports'], querystring: weeklyQuery } }, async (req, reply) => {
    const s = await requireStaff(db, req, staffGuard);
    const t = await weekly(req, s);
    await audit(db, { actor: staffActor(s), action: 'report.weekly.download', resource: `unit:${t.unit.code}`, requestId: req.id, detail: { week_end: t.weekEnd, format: 'xlsx' } });
    return reply
      .type(XLSX)
      .header('content-disposition', `attachment; filename="tien-do-tuan-${t.unit.code}-${t.weekEnd}.xlsx"`)
      .send(await weeklyWorkbook(t));
  });

  // Onboarding overview and the request queue for facility codes and interop accounts.
  const QUEUE_ROLES = { roles: ['system_admin', 'health_officer', 'facility_admin'] as const };
  app.get('/api/v1/reports/onboarding', { schema: { summary: 'Each facility of an area at its onboarding step (QĐ 2733)', tags: ['reports'], querystring: kpiQuery } }, async (req) => {
    const s = await requireStaff(db, req, staffGuard);
    const unit = await scopedUnit(db, s, req.query.unit);
    return { unit, facilities: await onboardingOverview(db, unit.code) };
  });
  app.get('/api/v1/onboarding/requests', { schema: { summary: 'Requests for facility codes and interop accounts', tags: ['reports'], querystring: requestsQuery } }, async (req) => {
    const s = await requireStaff(db, req, QUEUE_ROLES);
    return { requests: await listRequests(db, s, req.query) };
  });
  app.post('/api/v1/onboarding/requests', { schema: { summary: 'File a request for a facility code or an interop account', tags: ['reports'], body: requestBody } }, async (req, reply) => {
    const s = await requireStaff(db, req, QUEUE_ROLES);
    const b = req.body;
    const r = await fileRequest(db, s, { kind: b.kind, facilityCode: b.facility_code, facilityName: b.facility_name, adminUnitCode: b.admin_unit_code, applicant: b.applicant, note: b.note });
    await audit(db, { actor: staffActor(s), action: 'onboarding.request.file', resource: `onboarding_request/${r.id}`, requestId: req.id, detail: { kind: r.kind, facility_code: r.facility_code, unit: r.admin_unit_code } });
    return reply.status(201).send({ request: r });
  });
  app.get('/api/v1/onboarding/requests/:id', { schema: { summary: 'One request with its history', tags: ['reports'], params: requestParams } }, async (req) => {
    const s = await requireStaff(db, req, QUEUE_ROLES);
    return getRequest(db, s, req.params.id);
  });
  app.post('/api/v1/onboarding/requests/:id/approve', { schema: { summary: 'Approve: creates the facility code or the interop account', tags: ['reports'], params: requestParams, body: approveBody } }, async (req) => {
    const s = await requireStaff(db, req, staffGuard);
    const { result, secret } = await approveRequest(db, s, req.params.id, { code: req.body?.code });
    await audit(db, { actor: staffActor(s), action: 'onboarding.request.approve', resource: `onboarding_request/${req.params.id}`, requestId: req.id, detail: result });
    return {
      ...(await getRequest(db, s, req.params.id)),
      ...(secret ? { client_id: secret.clientId, client_secret: secret.clientSecret, note_vi: 'Mật khẩu ứng dụng chỉ hiển thị một lần: chuyển cho cơ sở qua kênh an toàn.' } : {}),
    };
  });
  app.post('/api/v1/onboarding/requests/:id/return', { schema: { summary: 'Return a request with a reason', tags: ['reports'], params: requestParams, body: returnBody } }, async (req) => {
    const s = await requireStaff(db, req, staffGuard);
    await returnRequest(db, s, req.params.id, req.body.reason);
    await audit(db, { actor: staffActor(s), action: 'onboarding.request.return', resource: `onboarding_request/${req.params.id}`, requestId: req.id, detail: { reason: req.body.reason } });
    return getRequest(db, s, req.params.id);
  });
  app.post('/api/v1/onboarding/requests/:id/refile', { schema: { summary: 'File a returned request again, corrected', tags: ['reports'], params: requestParams, body: refileBody } }, async (req) => {
    const s = await requireStaff(db, req, QUEUE_ROLES);
    const b = req.body ?? {};
    await refileRequest(db, s, req.params.id, { note: b.note, facilityName: b.facility_name, applicant: b.applicant });
    await audit(db, { actor: staffActor(s), action: 'onboarding.request.refile', resource: `onboarding_request/${req.params.id}`, requestId: req.id });
    return getRequest(db, s, req.params.id);
  });

  app.get('/api/v1/reports/targets', { schema: { summary: 'Targets in force for a unit and year (and who may change them)', tags: ['reports'], querystring: targetsQuery } }, async (req) => {
    const s = await requireStaff(db, req, staffGuard);
    const unit = await scopedUnit(db, s, req.query.unit);
    const year = req.query.year ?? Number(vietnamToday().slice(0, 4));
    const half = req.query.half ?? 0;
    const t = (await resolveTargets(db, [unit.code], year, half)).get(unit.code)!;
    return {
      unit,
      year,
      half,
      editable: await mayEditTargets(db, s),
      targets: TARGET_INDICATORS.map((i) => ({ indicator: i, title: TARGET_TITLES[i], ...t[i] })),
    };
  });

  app.put('/api/v1/reports/targets', { schema: { summary: 'Set (or clear) a target of a unit for a year or half-year', tags: ['reports'], body: targetBody } }, async (req) => {
    const s = await requireStaff(db, req, staffGuard);
    if (!(await mayEditTargets(db, s))) throw forbidden();
    const unit = await scopedUnit(db, s, req.body.unit);
    const { indicator, year } = req.body;
    const half = req.body.half ?? 0;
    if (!req.body.clear && req.body.value === undefined) throw badRequest('Thiếu giá trị mục tiêu (0–100 %).', 'value (percent 0–100) or clear is required.');
    // Stored as a share; percent in the API because that is how the plans and the screen write it.
    const value = req.body.clear || req.body.value === undefined ? null : Math.round(req.body.value * 100) / 10000;
    const previous = await setTarget(db, { unit: unit.code, indicator, year, half, value, by: s.id });
    await audit(db, {
      actor: staffActor(s),
      action: 'report.target.set',
      resource: `unit:${unit.code}`,
      requestId: req.id,
      detail: { indicator, year, half, value, previous },
    });
    const t = (await resolveTargets(db, [unit.code], year, half)).get(unit.code)!;
    return { unit, year, half, indicator, target: t[indicator] };
  });

  /** On-demand refresh (system admin): after a bulk import, without waiting for the timer. */
  app.post('/api/v1/reports/refresh', { schema: { summary: 'Fold new rows into the report summaries now', tags: ['reports'], body: refreshBody } }, async (req) => {
    await requireStaff(db, req, { roles: ['system_admin'] });
    const requested = req.body?.holdback_seconds;
    const holdback = requested !== undefined && requested >= 0 ? requested : undefined;
    return refreshReports(db, { holdbackSeconds: holdback });
  });
}
