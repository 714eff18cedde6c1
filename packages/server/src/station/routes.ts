import { forbidden, vietnamToday } from '@openhssk/core';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { audit } from '../audit/index.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/index.ts';
import { typedRoutes } from '../http/index.ts';
import { requireStaff, STATION_FACILITY_LEVEL, type StaffContext, type StaffRole, staffActor } from '../staff/index.ts';
import { dayList, dayListPersons, dayWindow } from './day-list.ts';
import { MAX_BATCH, registerEntry } from './entries.ts';
import { applyBatch, applyEntry, type EventContext } from './events.ts';
import { hamletKey } from './hamlet.ts';
import { ensureRegister, refreshRegister } from './households.ts';
import { batchAnswer, OFFLINE_BATCH_BODY_LIMIT, offlineBatchBody } from './offline.ts';
import { auditReads } from './reads.ts';
import { exportRows, householdView, listHouseholds, personView, registerSummary } from './register.ts';
import { personInArea, personNotInArea, REGISTER_READ_ROLES, REGISTER_WRITE_ROLES, type StationArea, stationArea } from './scope.ts';
import { searchRegister } from './search.ts';
import { householdListXlsx, householdSheetPdf, type SheetHeader } from './sheets.ts';

const tags = ['station'];
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const commune = Type.Optional(Type.String({ pattern: '^\\d{5}$', description: 'commune code: station staff act on their own commune and may leave it out' }));
const communeQuery = Type.Object({ commune });
const page = Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000, default: 1 }));
const pageSize = Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 20 }));
const householdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
const personParams = Type.Object({ personId: Type.String({ minLength: 1, maxLength: 64 }) });
const hamlet = Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'thôn / tổ dân phố, with or without diacritics' }));

export type StationConfig = Pick<Config, 'careRelationshipDays'>;

export function registerStationRoutes(fastify: FastifyInstance, db: Db, config: StationConfig) {
  const app = typedRoutes(fastify);
  const careDays = config.careRelationshipDays;
  const reader = (req: FastifyRequest) => requireStaff(db, req, { roles: REGISTER_READ_ROLES });
  /** The caller and the commune the request acts on; the commune's register is built on its first use. */
  const areaOf = async (s: StaffContext, requested: string | undefined): Promise<StationArea> => {
    const area = await stationArea(db, s, requested);
    await ensureRegister(db, area.commune);
    return area;
  };
  const header = async (s: StaffContext, area: StationArea): Promise<SheetHeader> => {
    const station = await db
      .selectFrom('facility')
      .select('name')
      .where((eb) => (area.stationCode ? eb('code', '=', area.stationCode) : eb.and([eb('admin_unit_code', '=', area.commune), eb('level', '=', STATION_FACILITY_LEVEL)])))
      .orderBy('code')
      .executeTakeFirst();
    return { communeName: area.communeName, communeCode: area.commune, stationName: station?.name ?? null, printedBy: s.name };
  };

  app.get('/api/v1/station/register', { schema: { summary: 'The commune’s household register in numbers, by hamlet', tags, querystring: communeQuery } }, async (req) => {
    const s = await reader(req);
    const area = await areaOf(s, req.query.commune);
    return { ...(await registerSummary(db, area)), can_write: area.canWrite, clinical: area.clinical };
  });

  app.post(
    '/api/v1/station/register/refresh',
    {
      schema: {
        summary: 'Bring the register up to date with the population lists (station records win)',
        tags,
        body: Type.Object({ commune }, { additionalProperties: false }),
      },
    },
    async (req) => {
      const refreshRoles: readonly StaffRole[] = ['system_admin', 'station_head'];
      const s = await requireStaff(db, req, { roles: refreshRoles });
      const area = await stationArea(db, s, req.body.commune);
      const r = (await refreshRegister(db, area.commune, { builtBy: s.id }))!;
      const stats = {
        commune_code: r.commune, households: r.households, members: r.members, households_added: r.householdsAdded, joined: r.joined, closed: r.closed,
        kept_by_station: r.keptByStation, built_at: r.builtAt,
      };
      await audit(db, { actor: staffActor(s), action: 'station.register.refresh', resource: `commune/${area.commune}/register`, requestId: req.id, detail: stats });
      return stats;
    },
  );

  app.get(
    '/api/v1/station/households',
    {
      schema: {
        summary: 'Households of the commune, by hamlet',
        tags,
        querystring: Type.Object({ commune, hamlet, include_dissolved: Type.Optional(Type.Boolean()), page, page_size: pageSize }),
      },
    },
    async (req) => {
      const s = await reader(req);
      const area = await areaOf(s, req.query.commune);
      const q = { page: req.query.page ?? 1, pageSize: req.query.page_size ?? 20 };
      const r = await listHouseholds(db, area.commune, { ...q, hamletKey: req.query.hamlet ? hamletKey(req.query.hamlet) : undefined, includeDissolved: req.query.include_dissolved });
      await auditReads(db, staffActor(s), 'station.household.list', 'household_register', r.households.map((h) => ({ personId: h.head_person_id, resource: `station_household/${h.id}` })), req.id);
      return { commune_code: area.commune, total: r.total, page: q.page, page_size: q.pageSize, households: r.households };
    },
  );

  app.get(
    '/api/v1/station/households.xlsx',
    { schema: { summary: 'The commune’s household list as XLSX (households and current members)', tags, querystring: Type.Object({ commune, hamlet }) } },
    async (req, reply) => {
      const s = await reader(req);
      const area = await areaOf(s, req.query.commune);
      const rows = await exportRows(db, area.commune, req.query.hamlet ? hamletKey(req.query.hamlet) : undefined);
      const body = await householdListXlsx(rows, await header(s, area));
      await auditReads(
        db,
        staffActor(s),
        'station.household_list.export',
        'export',
        [
          ...rows.members.map((m) => ({ personId: m.id, resource: `station_member/${m.membership_id}` })),
          ...rows.households.filter((h) => h.head_person_id).map((h) => ({ personId: h.head_person_id, resource: `station_household/${h.id}` })),
        ],
        req.id,
        { format: 'xlsx', commune: area.commune },
      );
      return reply.type(XLSX).header('content-disposition', `attachment; filename="so-ho-gia-dinh-${area.commune}.xlsx"`).send(body);
    },
  );

  const readHousehold = async (req: FastifyRequest, s: StaffContext, requested: string | undefined, id: number, action: string, purpose: 'household_register' | 'print') => {
    const area = await areaOf(s, requested);
    const view = await householdView(db, area, id);
    await auditReads(
      db,
      staffActor(s),
      action,
      purpose,
      [...view.members_current, ...view.members_past].map((m) => ({ personId: m.id, resource: `station_household/${view.id}` })),
      req.id,
    );
    return { area, view };
  };

  app.get(
    '/api/v1/station/households/:id',
    { schema: { summary: 'One household: members now and before, events', tags, params: householdParams, querystring: communeQuery } },
    async (req) => {
      const s = await reader(req);
      return (await readHousehold(req, s, req.query.commune, req.params.id, 'station.household.read', 'household_register')).view;
    },
  );

  app.get(
    '/api/v1/station/households/:id/sheet.pdf',
    { schema: { summary: 'One household as a printable sheet (PDF)', tags, params: householdParams, querystring: communeQuery } },
    async (req, reply) => {
      const s = await reader(req);
      const { area, view } = await readHousehold(req, s, req.query.commune, req.params.id, 'station.household.print', 'print');
      const pdf = await householdSheetPdf(view, await header(s, area));
      return reply.type('application/pdf').header('content-disposition', `attachment; filename="phieu-ho-${view.household_code}.pdf"`).send(pdf);
    },
  );

  app.get(
    '/api/v1/station/persons/:personId',
    { schema: { summary: 'A person of the commune (or checked in at the station) with their households and events', tags, params: personParams, querystring: communeQuery } },
    async (req) => {
      const s = await reader(req);
      const area = await areaOf(s, req.query.commune);
      const personId = req.params.personId;
      // Decided before the person is read: an unknown id and a person elsewhere answer alike.
      if (!(await personInArea(db, area, personId, { careDays }))) throw personNotInArea();
      const view = await personView(db, area, personId);
      if (!view) throw personNotInArea();
      await auditReads(db, staffActor(s), 'station.person.read', 'household_register', [{ personId, resource: `person/${personId}/register` }], req.id);
      return view;
    },
  );

  app.get(
    '/api/v1/station/search',
    {
      schema: {
        summary: 'Search the commune: name with or without diacritics, CCCD, BHYT/BHXH, phone; hamlet and household filters',
        tags,
        querystring: Type.Object({
          commune,
          q: Type.Optional(Type.String({ maxLength: 100, description: 'name, CCCD/CMND, BHYT card, BHXH number or phone' })),
          hamlet,
          household: Type.Optional(Type.String({ minLength: 1, maxLength: 40, description: 'household code, or the register’s household id' })),
          page,
          page_size: pageSize,
        }),
      },
    },
    async (req) => {
      const s = await reader(req);
      const area = await areaOf(s, req.query.commune);
      const r = await searchRegister(
        db,
        area.commune,
        { q: req.query.q, hamlet: req.query.hamlet, household: req.query.household, page: req.query.page ?? 1, pageSize: req.query.page_size ?? 20 },
        // Every person of the page is audited before the answer leaves (a person the detail read no
        // longer finds was still looked up).
        (ids, matchedBy) =>
          auditReads(db, staffActor(s), 'station.search', 'search', ids.map((id) => ({ personId: id, resource: `person/${id}/register` })), req.id, { matched_by: matchedBy }),
      );
      return { commune_code: area.commune, ...r };
    },
  );

  app.get(
    '/api/v1/station/day-list',
    {
      schema: {
        summary: 'Start page of a station user: re-exam appointments, discharges, referrals, births (and follow-ups due)',
        tags,
        querystring: Type.Object({
          commune,
          on: Type.Optional(Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'the day (default today, Vietnam date)' })),
          days: Type.Optional(Type.Integer({ minimum: 1, maximum: 31, description: 'appointments this many days ahead, discharges/referrals/births this many days back (default 7)' })),
        }),
      },
    },
    async (req) => {
      const s = await reader(req);
      const area = await areaOf(s, req.query.commune);
      const list = await dayList(db, area, dayWindow(req.query.on, req.query.days, vietnamToday()));
      await auditReads(db, staffActor(s), 'station.day_list.read', 'day_list', dayListPersons(list).map((id) => ({ personId: id, resource: `person/${id}/day-list` })), req.id, {
        on: list.on,
      });
      return list;
    },
  );

  const writer = async (req: FastifyRequest): Promise<EventContext> => {
    const s = await requireStaff(db, req, { roles: REGISTER_WRITE_ROLES });
    const area = await areaOf(s, undefined);
    if (!area.canWrite) throw forbidden();
    return { area, actor: staffActor(s), staffId: s.id, staffName: s.name, requestId: req.id, careDays };
  };

  app.post(
    '/api/v1/station/events',
    { schema: { summary: 'Record a birth, death, move in or move out (idempotent by entry_id)', tags, body: registerEntry } },
    async (req, reply) => {
      const ctx = await writer(req);
      const r = await applyEntry(db, ctx, req.body);
      return reply.status(r.status === 'applied' ? 201 : 200).send(r);
    },
  );

  app.post(
    '/api/v1/station/events/batch',
    {
      bodyLimit: OFFLINE_BATCH_BODY_LIMIT,
      // The sender is known before a byte of the larger body is read.
      onRequest: async (req) => {
        await requireStaff(db, req, { roles: REGISTER_WRITE_ROLES });
      },
      schema: {
        summary: `Apply up to ${MAX_BATCH} queued register events from the offline app, each in its own transaction, answered one by one`,
        tags,
        body: offlineBatchBody({ entry_id: Type.Optional(Type.String()), kind: Type.Optional(Type.String()) }, 'one entry as POST /api/v1/station/events takes it'),
      },
    },
    async (req) => {
      const ctx = await writer(req);
      const t0 = performance.now();
      const results = await applyBatch(db, ctx, req.body.entries, (e) => req.log.error({ err: e }, 'station register entry failed'));
      return batchAnswer(results, t0);
    },
  );
}
