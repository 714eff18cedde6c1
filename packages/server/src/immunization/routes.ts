import { DomainError, forbidden, invalid, notFound, vietnamToday } from '@openhssk/core';
import type { ImmCatalog, ImmDueList, ImmPlan, ImmReactionList, ImmSlotRequestList, ImmStationPerson, ImmStock, ImmVerification } from '@openhssk/core/api';
import { ANTIGENS, PRODUCTS } from '@openhssk/core/immunization';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { type Actor, audit, auditMany } from '../audit/index.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/index.ts';
import { typedRoutes } from '../http/index.ts';
import { coversFacility, requireStaff, type StaffContext, type StaffRole, staffActor, unitDescendants } from '../staff/index.ts';
import { applyEach, batchAnswer, checkEntryAgainst, OFFLINE_BATCH_BODY_LIMIT, offlineBatchBody, personInArea, stationArea } from '../station/index.ts';
import { certificatePayload, certificatePdf, signCertificate, verifyCertificate } from './certificate.ts';
import { coverageReport, coverageXlsx } from './coverage.ts';
import { checkDueDay, dueList, duePersons } from './due.ts';
import { vaccinationBook } from './history.ts';
import { type CertificateKeys, loadCertificateKeys } from './keys.ts';
import { inGroup, type ListGroup, planCommune, planSummary, sessionListCsv, sessionListPdf, sessionListXlsx, sessionsIn, withDetails } from './planning.ts';
import { createSession, REACTION_SYMPTOMS, reactionReport, reactionReportsFor, sessionsFrom, setReactionStatus, slotRequestsIn, updateSlotRequest } from './requests.ts';
import { doseEntry, MAX_BATCH, ROUTES, recordBatch, recordDose, requireVaccinator, VACCINATOR_ROLES } from './station.ts';
import { communeSite, noSite, planShortfalls, recordReceipt, siteStock, stockReceipt } from './stock.ts';

const tags = ['immunization'];
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Who reads a commune's immunization data: its station's vaccinators, officers of the units above, system admins. */
export const AREA_READ_ROLES: readonly StaffRole[] = ['system_admin', 'health_officer', ...VACCINATOR_ROLES];
/** Who receives reaction reports: staff of the facility that gave the dose, officers of its unit, admins. */
const REACTION_ROLES: readonly StaffRole[] = ['system_admin', 'health_officer', 'facility_admin', 'clinician', ...VACCINATOR_ROLES];

const commune = Type.Optional(Type.String({ pattern: '^\\d{5}$', description: 'commune code: station staff act on their own commune and may leave it out' }));
const MONTH = '^\\d{4}-(0[1-9]|1[0-2])$';
const DATE = '^\\d{4}-\\d{2}-\\d{2}$';
const month = Type.Optional(Type.String({ pattern: MONTH, description: 'yyyy-mm (default: this month, Vietnam date)' }));
const group = Type.Optional(Type.Union([Type.Literal('all'), Type.Literal('children'), Type.Literal('women')], { description: 'children under 15, women (tetanus), or all (default)' }));
const personParams = Type.Object({ personId: Type.String({ minLength: 1, maxLength: 64 }) });
const idParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });

export type ImmunizationConfig = Pick<Config, 'careRelationshipDays' | 'publicUrl' | 'keysDir' | 'kek'>;

/** The certificate key, read once per app (a failed read is retried on the next certificate). */
export function certificateKeys(db: Db, config: ImmunizationConfig): () => Promise<CertificateKeys> {
  let loading: Promise<CertificateKeys> | undefined;
  return () => {
    loading ??= loadCertificateKeys(db, config).catch((e: unknown) => {
      loading = undefined;
      throw e;
    });
    return loading;
  };
}

/** One audit row per person shown, one transaction per thousand (each row takes the audit chain's head lock). */
export async function auditPersons(db: Db, actor: Actor, action: string, personIds: readonly string[], requestId: string, detail: Record<string, unknown> = {}) {
  const unique = [...new Set(personIds)];
  for (let i = 0; i < unique.length; i += 1000) {
    await db.transaction().execute(async (tx) => {
      for (const id of unique.slice(i, i + 1000)) await audit(tx, { actor, action, personId: id, resource: `person/${id}/immunization`, requestId, detail });
    });
  }
}

/** The person's golden record fields the engine and the certificate need. */
export const subjectPerson = (db: Db, personId: string) =>
  db.selectFrom('person').select(['id', 'ho_ten', 'ngay_sinh', 'gioi_tinh', 'ma_xa']).where('id', '=', personId).executeTakeFirst();

export function registerImmunizationRoutes(fastify: FastifyInstance, db: Db, config: ImmunizationConfig) {
  const app = typedRoutes(fastify);
  const careDays = config.careRelationshipDays;
  const keys = certificateKeys(db, config);
  const areaReader = async (req: FastifyRequest, requested: string | undefined) => {
    const s = await requireStaff(db, req, { roles: AREA_READ_ROLES });
    return { s, area: await stationArea(db, s, requested) };
  };
  /** A person of the area (residents, household members, persons checked in at the station); others answer like unknown ones. */
  const personOfArea = async (req: FastifyRequest, requested: string | undefined, personId: string) => {
    const { s, area } = await areaReader(req, requested);
    if (!(await personInArea(db, area, personId, { careDays }))) throw notFound('người dân này trong địa bàn', 'Person in the area');
    const person = await subjectPerson(db, personId);
    if (!person) throw notFound('người dân này trong địa bàn', 'Person in the area');
    return { s, area, person };
  };

  app.get('/api/v1/immunization/catalog', { schema: { summary: 'Vaccine products, antigens, routes and reaction symptoms (reference data, no personal data)', tags } }, async (): Promise<ImmCatalog> => ({
    products: PRODUCTS.map((p) => ({ id: p.id, name_vi: p.name_vi, name_en: p.name_en, antigens: p.antigens, programme: p.programme, aliases: p.aliases })),
    routes: ROUTES,
    reaction_symptoms: Object.entries(REACTION_SYMPTOMS).map(([code, s]) => ({ code, ...s })),
  }));

  // ---- station entry ----------------------------------------------------------------------------

  app.post('/api/v1/immunization/station/doses', { schema: { summary: 'Record a dose given at the station (idempotent by entry_id)', tags, body: doseEntry } }, async (req, reply) => {
    const ctx = await requireVaccinator(db, req, careDays);
    const r = await recordDose(db, ctx, req.body);
    return reply.status(r.status === 'applied' ? 201 : 200).send(r);
  });

  app.post(
    '/api/v1/immunization/station/doses/batch',
    {
      bodyLimit: OFFLINE_BATCH_BODY_LIMIT,
      // The sender is known before a byte of the larger body is read.
      onRequest: async (req) => {
        await requireStaff(db, req, { roles: VACCINATOR_ROLES });
      },
      schema: {
        summary: `Record up to ${MAX_BATCH} queued doses from the offline station app, each in its own transaction, answered one by one`,
        tags,
        body: offlineBatchBody({ entry_id: Type.Optional(Type.String()) }, 'one entry as POST /api/v1/immunization/station/doses takes it'),
      },
    },
    async (req) => {
      const ctx = await requireVaccinator(db, req, careDays);
      const t0 = performance.now();
      const results = await recordBatch(db, ctx, req.body.entries, (e) => req.log.error({ err: e }, 'station dose entry failed'));
      return batchAnswer(results, t0);
    },
  );

  app.get(
    '/api/v1/immunization/persons/:personId',
    { schema: { summary: 'A person’s doses by antigen and schedule (station view)', tags, params: personParams, querystring: Type.Object({ commune }) } },
    async (req): Promise<ImmStationPerson> => {
      const { s, person } = await personOfArea(req, req.query.commune, req.params.personId);
      const view = await vaccinationBook(db, person);
      await audit(db, { actor: staffActor(s), action: 'immunization.person.read', personId: person.id, resource: `person/${person.id}/immunization`, requestId: req.id });
      return { person: { id: person.id, ho_ten: person.ho_ten, ngay_sinh: person.ngay_sinh, gioi_tinh: person.gioi_tinh }, ...view };
    },
  );

  app.get(
    '/api/v1/immunization/persons/:personId/certificate.pdf',
    { schema: { summary: 'Vaccination certificate with a signed QR code, printed at the station', tags, params: personParams, querystring: Type.Object({ commune }) } },
    async (req, reply) => {
      const { s, person } = await personOfArea(req, req.query.commune, req.params.personId);
      const pdf = await certificateFor(db, config, await keys(), person);
      await audit(db, { actor: staffActor(s), action: 'immunization.certificate.print', personId: person.id, resource: `person/${person.id}/immunization-certificate`, requestId: req.id });
      return reply.type('application/pdf').header('content-disposition', 'attachment; filename="giay-chung-nhan-tiem-chung.pdf"').header('cache-control', 'no-store').send(pdf);
    },
  );

  // ---- vaccine stock -----------------------------------------------------------------------------

  app.get(
    '/api/v1/immunization/stock',
    {
      schema: {
        summary: 'Vaccine stock of the commune’s station: receipts, doses used (recorded vaccinations), opened-vial wastage, on hand, expiry alerts',
        tags,
        querystring: Type.Object({ commune, as_of: Type.Optional(Type.String({ pattern: DATE, description: 'default today (Vietnam date)' })) }),
      },
    },
    async (req): Promise<ImmStock> => {
      const { s, area } = await areaReader(req, req.query.commune);
      const site = await communeSite(db, area);
      if (!site) throw noSite();
      const stock = await siteStock(db, site, req.query.as_of ?? vietnamToday());
      await audit(db, { actor: staffActor(s), action: 'immunization.stock.read', resource: `facility/${site}/vaccine-stock`, requestId: req.id, detail: { commune: area.commune, as_of: stock.as_of } });
      return stock;
    },
  );

  app.post('/api/v1/immunization/stock/receipts', { schema: { summary: 'Record a vaccine receipt at the station (idempotent by entry_id)', tags, body: stockReceipt } }, async (req, reply) => {
    const ctx = await requireVaccinator(db, req, careDays);
    const r = await recordReceipt(db, ctx, req.body, vietnamToday());
    return reply.status(r.status === 'applied' ? 201 : 200).send(r);
  });

  app.post(
    '/api/v1/immunization/stock/receipts/batch',
    {
      bodyLimit: OFFLINE_BATCH_BODY_LIMIT,
      onRequest: async (req) => {
        await requireStaff(db, req, { roles: VACCINATOR_ROLES });
      },
      schema: {
        summary: `Record up to ${MAX_BATCH} queued vaccine receipts from the offline station app, each answered`,
        tags,
        body: offlineBatchBody({ entry_id: Type.Optional(Type.String()) }, 'one receipt as POST /api/v1/immunization/stock/receipts takes it'),
      },
    },
    async (req) => {
      const ctx = await requireVaccinator(db, req, careDays);
      const t0 = performance.now();
      const today = vietnamToday();
      const results = await applyEach(req.body.entries, (raw) => recordReceipt(db, ctx, checkEntryAgainst(stockReceipt, raw), today), (e) => req.log.error({ err: e }, 'stock receipt failed'));
      return batchAnswer(results, t0);
    },
  );

  // ---- coverage (health-department dashboard) --------------------------------------------------------

  /** The unit an officer or system admin asked for (default: the officer's own), refused outside the officer's area. */
  const officerUnit = async (s: { role: string; adminUnitCode?: string | null }, requested: string | undefined): Promise<string> => {
    const unit = requested ?? s.adminUnitCode;
    if (!unit) throw invalid('UNIT_REQUIRED', 'Chọn đơn vị hành chính (tỉnh, huyện hoặc xã).', 'Choose an administrative unit (province, district or commune).');
    if (s.role === 'health_officer' && !(await unitDescendants(db, s.adminUnitCode ?? '')).includes(unit)) throw forbidden();
    return unit;
  };

  app.get(
    '/api/v1/immunization/coverage',
    {
      schema: {
        summary: 'Coverage of a province, district or commune (hepatitis B birth dose within 24 h, fully immunized under 1, MR by 24 months), per unit under it; JSON or XLSX',
        tags,
        querystring: Type.Object({
          unit: Type.Optional(Type.String({ pattern: '^\\d{2,5}$', description: 'administrative unit code (default: the officer’s own unit)' })),
          month: Type.Optional(Type.String({ pattern: MONTH, description: 'yyyy-mm (default: this month)' })),
          format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('xlsx')], { default: 'json' })),
        }),
      },
    },
    async (req, reply) => {
      const s = await requireStaff(db, req, { roles: ['system_admin', 'health_officer'] });
      const unit = await officerUnit(s, req.query.unit);
      const report = await coverageReport(db, unit, req.query.month ?? vietnamToday().slice(0, 7));
      await audit(db, { actor: staffActor(s), action: 'immunization.coverage.read', resource: `admin_unit/${unit}/immunization-coverage`, requestId: req.id, detail: { month: report.month, format: req.query.format ?? 'json' } });
      if (req.query.format === 'xlsx') {
        return reply.type(XLSX).header('content-disposition', `attachment; filename="ty-le-tiem-chung-${unit}-${report.month}.xlsx"`).send(await coverageXlsx(report));
      }
      return report;
    },
  );

  // ---- due list (a province, district or commune in one request) ------------------------------------

  app.get(
    '/api/v1/immunization/due',
    {
      schema: {
        summary: 'Who is due or overdue on a day in a province, district or commune: counts per series, antigen and unit under it, and the persons paged by keyset',
        tags,
        querystring: Type.Object({
          unit: Type.Optional(Type.String({ pattern: '^\\d{2,5}$', description: 'administrative unit code (default: the officer’s unit, the station’s commune)' })),
          on: Type.Optional(Type.String({ pattern: DATE, description: 'yyyy-mm-dd, from today to the end of next month (default today, Vietnam date)' })),
          status: Type.Optional(Type.Union([Type.Literal('all'), Type.Literal('due'), Type.Literal('overdue')], { default: 'all' })),
          group: Type.Optional(Type.Union([Type.Literal('all'), Type.Literal('children'), Type.Literal('women')], { default: 'children', description: 'children under 15 (default), women (tetanus), or all' })),
          antigen: Type.Optional(Type.Union(ANTIGENS.map((a) => Type.Literal(a)))),
          after: Type.Optional(Type.String({ maxLength: 400, description: 'the `next` cursor of the previous page' })),
          limit: Type.Optional(Type.Integer({ minimum: 0, maximum: 500, default: 50 })),
        }),
      },
    },
    async (req): Promise<ImmDueList> => {
      const s = await requireStaff(db, req, { roles: AREA_READ_ROLES });
      let unit: string;
      if (s.role === 'system_admin' || s.role === 'health_officer') {
        unit = await officerUnit(s, req.query.unit);
      } else {
        // Station staff: their own commune only (stationArea refuses another).
        unit = (await stationArea(db, s, req.query.unit)).commune;
      }
      const on = req.query.on ?? vietnamToday();
      checkDueDay(on);
      const { page, ...list } = await dueList(db, {
        unit, on, status: req.query.status ?? 'all', group: req.query.group ?? 'children', antigen: req.query.antigen, after: req.query.after, limit: req.query.limit ?? 50,
      });
      const persons = await duePersons(db, page, on);
      const actor = staffActor(s);
      // The counts name no one; each person listed is a read of their immunization data.
      await auditMany(db, [
        { actor, action: 'immunization.due.read', resource: `admin_unit/${unit}/immunization-due`, requestId: req.id, detail: { on, status: list.status, group: list.group, persons: persons.length } },
        ...persons.map((p) => ({ actor, action: 'immunization.due.read', personId: p.person_id, resource: `person/${p.person_id}/immunization`, requestId: req.id, detail: { unit, on } })),
      ]);
      return { ...list, persons };
    },
  );

  // ---- planning ---------------------------------------------------------------------------------

  app.get(
    '/api/v1/immunization/plan',
    {
      schema: {
        summary: 'Month plan of a commune: due/overdue per series and antigen, vaccine needs, the persons to invite',
        tags,
        querystring: Type.Object({
          commune,
          month,
          group,
          page: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000, default: 1 })),
          page_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 200 })),
        }),
      },
    },
    async (req): Promise<ImmPlan> => {
      const { s, area } = await areaReader(req, req.query.commune);
      const m = req.query.month ?? vietnamToday().slice(0, 7);
      const plan = await planCommune(db, area.commune, m);
      const site = await communeSite(db, area);
      const wanted = plan.persons.filter((p) => inGroup(p, req.query.group ?? 'all'));
      const page = req.query.page ?? 1;
      const size = req.query.page_size ?? 200;
      const shown = await withDetails(db, wanted.slice((page - 1) * size, page * size));
      await auditPersons(db, staffActor(s), 'immunization.plan.read', shown.map((p) => p.person_id), req.id, { commune: area.commune, month: m });
      return {
        commune: area.commune,
        commune_name: area.communeName,
        month: m,
        as_of: plan.as_of,
        schedule_id: plan.schedule_id,
        population: plan.population,
        ...planSummary(plan.plan),
        sessions: await sessionsIn(db, area.commune, m),
        stock_shortfalls: site ? await planShortfalls(db, site, plan.plan.byProduct, `${m}-01`, vietnamToday()) : null,
        total: wanted.length,
        page,
        page_size: size,
        persons: shown,
      };
    },
  );

  app.get(
    '/api/v1/immunization/plan/session-list',
    {
      schema: {
        summary: 'The month’s session list as XLSX or CSV (with reminder texts ready for SMS/Zalo) or PDF to print',
        tags,
        querystring: Type.Object({ commune, month, group, format: Type.Optional(Type.Union([Type.Literal('xlsx'), Type.Literal('csv'), Type.Literal('pdf')], { default: 'xlsx' })) }),
      },
    },
    async (req, reply) => {
      const { s, area } = await areaReader(req, req.query.commune);
      const m = req.query.month ?? vietnamToday().slice(0, 7);
      const plan = await planCommune(db, area.commune, m);
      const wantedGroup: ListGroup = req.query.group ?? 'all';
      const persons = await withDetails(db, plan.persons.filter((p) => inGroup(p, wantedGroup)));
      const station = area.stationCode
        ? await db.selectFrom('facility').select('name').where('code', '=', area.stationCode).executeTakeFirst()
        : await db.selectFrom('facility').select('name').where('admin_unit_code', '=', area.commune).where('level', '=', 'xã').orderBy('code').executeTakeFirst();
      const header = { commune: area.commune, communeName: area.communeName, stationName: station?.name ?? 'Trạm Y tế', month: m, sessions: await sessionsIn(db, area.commune, m), printedBy: s.name };
      const format = req.query.format ?? 'xlsx';
      await auditPersons(db, staffActor(s), 'immunization.session_list.export', persons.map((p) => p.person_id), req.id, { commune: area.commune, month: m, format });
      const name = `danh-sach-tiem-chung-${area.commune}-${m}`;
      if (format === 'pdf') return reply.type('application/pdf').header('content-disposition', `attachment; filename="${name}.pdf"`).send(await sessionListPdf(persons, header));
      if (format === 'csv') return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}.csv"`).send(sessionListCsv(persons, header));
      return reply.type(XLSX).header('content-disposition', `attachment; filename="${name}.xlsx"`).send(await sessionListXlsx(persons, header));
    },
  );

  app.get(
    '/api/v1/immunization/sessions',
    { schema: { summary: 'Immunization sessions of a commune from a date (default today)', tags, querystring: Type.Object({ commune, from: Type.Optional(Type.String({ pattern: DATE })) }) } },
    async (req) => {
      const { area } = await areaReader(req, req.query.commune);
      return { commune: area.commune, sessions: await sessionsFrom(db, area.commune, req.query.from ?? vietnamToday()) };
    },
  );

  app.post(
    '/api/v1/immunization/sessions',
    {
      schema: {
        summary: 'Set an immunization session of the station’s commune',
        tags,
        body: Type.Object(
          { session_on: Type.String({ pattern: DATE }), place: Type.Optional(Type.String({ maxLength: 200 })), note: Type.Optional(Type.String({ maxLength: 500 })) },
          { additionalProperties: false },
        ),
      },
    },
    async (req, reply) => {
      const ctx = await requireVaccinator(db, req, careDays);
      const row = await createSession(db, ctx.commune, req.body, ctx.staff.id);
      await audit(db, { actor: ctx.actor, action: 'immunization.session.create', resource: `imm_session/${row.id}`, requestId: req.id, detail: { commune: ctx.commune, session_on: row.session_on } });
      return reply.status(201).send(row);
    },
  );

  app.get(
    '/api/v1/immunization/slot-requests',
    {
      schema: {
        summary: 'Slot requests (đăng ký tiêm) of the commune',
        tags,
        querystring: Type.Object({
          commune,
          status: Type.Optional(Type.Union([Type.Literal('requested'), Type.Literal('scheduled'), Type.Literal('done'), Type.Literal('cancelled')])),
        }),
      },
    },
    async (req): Promise<ImmSlotRequestList> => {
      const { s, area } = await areaReader(req, req.query.commune);
      const rows = await slotRequestsIn(db, area.commune, req.query.status);
      await auditPersons(db, staffActor(s), 'immunization.slot_request.list', rows.map((r) => r.person_id), req.id, { commune: area.commune });
      return { commune: area.commune, requests: rows };
    },
  );

  app.post(
    '/api/v1/immunization/slot-requests/:id',
    {
      schema: {
        summary: 'Schedule, complete or cancel a slot request (station vaccinators)',
        tags,
        params: idParams,
        body: Type.Object(
          {
            status: Type.Union([Type.Literal('scheduled'), Type.Literal('done'), Type.Literal('cancelled')]),
            session_id: Type.Optional(Type.Integer({ minimum: 1 })),
            note: Type.Optional(Type.String({ maxLength: 500 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      const ctx = await requireVaccinator(db, req, careDays);
      const row = await updateSlotRequest(db, ctx.commune, req.params.id, req.body, ctx.staff.id);
      await audit(db, { actor: ctx.actor, action: 'immunization.slot_request.update', personId: row.person_id, resource: `imm_slot_request/${row.id}`, requestId: req.id, detail: { status: row.status } });
      return row;
    },
  );

  // ---- reactions (báo phản ứng sau tiêm) ------------------------------------------------------------

  /** Facilities and communes whose reports the caller receives; a named one outside them is refused. */
  const reactionScope = async (s: StaffContext, q: { facility?: string | undefined; commune?: string | undefined }) => {
    if (s.role === 'system_admin') {
      if (!q.facility && !q.commune) throw new DomainError('invalid', 'SCOPE_REQUIRED', 'Chọn cơ sở (facility) hoặc xã (commune).', 'Give a facility or a commune.');
      return { facilities: q.facility ? [q.facility] : [], communes: q.commune ? [q.commune] : [] };
    }
    if (s.role === 'health_officer') {
      if (q.facility) {
        if (!(await coversFacility(db, s, q.facility))) throw forbidden();
        return { facilities: [q.facility] };
      }
      if (!q.commune) throw new DomainError('invalid', 'SCOPE_REQUIRED', 'Chọn cơ sở (facility) hoặc xã (commune).', 'Give a facility or a commune.');
      if (!(await unitDescendants(db, s.adminUnitCode ?? '')).includes(q.commune)) throw forbidden();
      const stations = await db.selectFrom('facility').select('code').where('admin_unit_code', '=', q.commune).execute();
      return { facilities: stations.map((f) => f.code), communes: [q.commune] };
    }
    if (!s.facilityCode || (q.facility && q.facility !== s.facilityCode)) throw forbidden();
    return { facilities: [s.facilityCode] };
  };

  app.get(
    '/api/v1/immunization/reactions',
    {
      schema: {
        summary: 'Reactions citizens reported on doses given by the caller’s facility (or a facility/commune of an officer’s unit)',
        tags,
        querystring: Type.Object({
          facility: Type.Optional(Type.String({ maxLength: 32 })),
          commune,
          status: Type.Optional(Type.Union([Type.Literal('new'), Type.Literal('acknowledged'), Type.Literal('closed')])),
        }),
      },
    },
    async (req): Promise<ImmReactionList> => {
      const s = await requireStaff(db, req, { roles: REACTION_ROLES });
      const rows = await reactionReportsFor(db, await reactionScope(s, req.query), req.query.status);
      await auditPersons(db, staffActor(s), 'immunization.reaction.list', rows.map((r) => r.person_id), req.id);
      return { reports: rows };
    },
  );

  app.post(
    '/api/v1/immunization/reactions/:id',
    {
      schema: {
        summary: 'Acknowledge or close a reaction report',
        tags,
        params: idParams,
        body: Type.Object({ status: Type.Union([Type.Literal('acknowledged'), Type.Literal('closed')]), note: Type.Optional(Type.String({ maxLength: 1000 })) }, { additionalProperties: false }),
      },
    },
    async (req) => {
      const s = await requireStaff(db, req, { roles: REACTION_ROLES });
      const report = await reactionReport(db, req.params.id);
      const allowed =
        report &&
        (report.facility_code
          ? await coversFacility(db, s, report.facility_code)
          : s.role === 'system_admin' || (s.role === 'health_officer' && report.commune_code !== null && (await unitDescendants(db, s.adminUnitCode ?? '')).includes(report.commune_code)));
      // Another facility's report answers like a missing one.
      if (!report || !allowed) throw notFound('báo cáo phản ứng', 'Reaction report');
      const row = await setReactionStatus(db, report.id, req.body.status, { id: s.id, name: s.name }, req.body.note);
      await audit(db, { actor: staffActor(s), action: 'immunization.reaction.update', personId: report.person_id, resource: `imm_reaction_report/${report.id}`, requestId: req.id, detail: { status: row.status } });
      return row;
    },
  );

  // ---- verification (public) ----------------------------------------------------------------------

  app.get('/.well-known/jwks.json', { schema: { summary: 'Public keys that sign vaccination certificates (ES256), current and earlier', tags } }, async (_req, reply) => {
    const k = await keys();
    // Public keys for anyone's verifier, from any origin.
    return reply.header('cache-control', 'public, max-age=3600').header('access-control-allow-origin', '*').header('cross-origin-resource-policy', 'cross-origin').send(k.jwks);
  });

  app.post(
    '/api/v1/immunization/verify',
    {
      schema: {
        summary: 'Check a vaccination certificate (the QR code’s content, or the verification link)',
        tags,
        body: Type.Object({ certificate: Type.String({ minLength: 1, maxLength: 8000, description: 'the JWS, or the link the QR code holds' }) }, { additionalProperties: false }),
      },
    },
    async (req): Promise<ImmVerification> => {
      const r = await verifyCertificate(req.body.certificate, (await keys()).jwks);
      if (!r.valid) return r;
      const codes = [...new Set(r.doses.map((d) => d.facility_code).filter((c): c is string => c !== null))];
      const names = new Map(codes.length ? (await db.selectFrom('facility').select(['code', 'name']).where('code', 'in', codes).execute()).map((f) => [f.code, f.name]) : []);
      return { ...r, doses: r.doses.map((d) => ({ ...d, facility_name: d.facility_code ? (names.get(d.facility_code) ?? null) : null })) };
    },
  );
}

/** A person's certificate: the book's view of the doses, the signed payload and the PDF. */
export async function certificateFor(db: Db, config: Pick<Config, 'publicUrl'>, keys: CertificateKeys, person: { id: string; ho_ten: string; ngay_sinh: string | null; gioi_tinh: number | null }) {
  const view = await vaccinationBook(db, person);
  const jws = await signCertificate(keys, certificatePayload(config.publicUrl, person, view.vaccinations));
  const left = view.vaccinations.filter((d) => d.duplicate_of === null && !d.recognised).length;
  return certificatePdf(person, view.vaccinations, jws, { publicUrl: config.publicUrl, kid: keys.signer.kid, issuedOn: vietnamToday(), left });
}
