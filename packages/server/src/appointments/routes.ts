import { addDays, vietnamToday } from '@openhssk/core';
import type { CitizenAppointments } from '@openhssk/core/api';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { audit, auditMany } from '../audit/index.ts';
import { requireConsentedCitizen } from '../auth/index.ts';
import { resolveBookSubject } from '../book/index.ts';
import type { Db } from '../db/index.ts';
import { typedRoutes } from '../http/index.ts';
import { requireStaff, staffActor } from '../staff/index.ts';
import { REGISTER_READ_ROLES, stationArea } from '../station/index.ts';
import { type Appointment, citizenAppointments, communeAppointments, facilityAppointments, noShowFigure } from './list.ts';
import { listNotifications, markNotificationsRead } from './notify.ts';
import { citizenReminders, preferencesOf, setPreference } from './preferences.ts';

const tags = ['appointments'];
const day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD' });
const rangeQuery = Type.Object({ from: Type.Optional(day), to: Type.Optional(day) });
const APPOINTMENT_ROLES = ['facility_admin', 'receptionist', 'clinician'] as const;
/** At most this many days in one list: a facility's year of appointments is a report, not a screen. */
const MAX_RANGE_DAYS = 62;

function range(q: { from?: string | undefined; to?: string | undefined }, defaultDays: number) {
  const from = q.from ?? vietnamToday();
  let to = q.to ?? addDays(from, defaultDays);
  if (to > addDays(from, MAX_RANGE_DAYS)) to = addDays(from, MAX_RANGE_DAYS);
  return { from, to };
}

const withoutPerson = ({ person_id: _p, ...a }: Appointment) => a;

export function registerAppointmentRoutes(fastify: FastifyInstance, db: Db) {
  const app = typedRoutes(fastify);

  app.get(
    '/api/v1/book/appointments',
    {
      schema: {
        summary: 'The upcoming re-exams and referrals of the citizen (or, with `person`, of a dependent child), with the reminders planned for them',
        tags,
        querystring: Type.Object({
          include_sensitive: Type.Optional(Type.Boolean({ default: false })),
          person: Type.Optional(Type.String({ maxLength: 64, description: 'id of a dependent child; default the citizen' })),
        }),
      },
    },
    async (req): Promise<CitizenAppointments> => {
      // The book decides whose list may be read: the citizen's own, or a child under 14 it recognises (else 404).
      const s = await resolveBookSubject(db, req, req.query.person);
      const [appointments, reminders] = await Promise.all([citizenAppointments(db, s.personId, req.query.include_sensitive === true), citizenReminders(db, s.personId)]);
      await audit(db, {
        actor: s.actor,
        action: 'book.appointments.list',
        personId: s.personId,
        requestId: req.id,
        detail: s.dependent ? { on_behalf_of_child: true, relation: s.dependent.relation } : undefined,
      });
      // Reminders only of the appointments listed: a sensitive visit's reminders stay out with its appointment.
      const listed = new Set(appointments.map((a) => a.episode_id));
      return { appointments: appointments.map(withoutPerson), reminders: reminders.filter((r) => listed.has(r.episode_id)), viewing_child: s.dependent };
    },
  );

  app.get('/api/v1/book/notifications', { schema: { summary: 'In-app notifications of the book, newest first', tags } }, async (req) => {
    const c = await requireConsentedCitizen(db, req);
    const list = await listNotifications(db, c.personId);
    await audit(db, { actor: { type: 'citizen', id: c.subject, name: c.name }, action: 'book.notifications.list', personId: c.personId, requestId: req.id, detail: { count: list.notifications.length } });
    return list;
  });

  app.post(
    '/api/v1/book/notifications/read',
    { schema: { summary: 'Mark notifications read (the ids given, or all)', tags, body: Type.Object({ ids: Type.Union([Type.Array(Type.Integer({ minimum: 1 }), { maxItems: 500 }), Type.Literal('all')]) }) } },
    async (req) => {
      const c = await requireConsentedCitizen(db, req);
      return { changed: await markNotificationsRead(db, c.personId, req.body.ids) };
    },
  );

  app.get('/api/v1/book/notification-settings', { schema: { summary: 'Reminder channels: opted out or not, and the address used', tags } }, async (req) => {
    const c = await requireConsentedCitizen(db, req);
    return { channels: await preferencesOf(db, c.personId) };
  });

  app.put(
    '/api/v1/book/notification-settings',
    {
      schema: {
        summary: 'Opt out of (or back into) a reminder channel; give the e-mail address or phone number to use',
        tags,
        body: Type.Object({
          channel: Type.Union([Type.Literal('email'), Type.Literal('sms')]),
          opted_out: Type.Boolean(),
          address: Type.Optional(Type.Union([Type.String({ maxLength: 254 }), Type.Null()])),
        }),
      },
    },
    async (req) => {
      const c = await requireConsentedCitizen(db, req);
      await setPreference(db, c.personId, req.body.channel, req.body.opted_out, req.body.address);
      await audit(db, { actor: { type: 'citizen', id: c.subject, name: c.name }, action: 'book.notification_settings.update', personId: c.personId, requestId: req.id, detail: { channel: req.body.channel, opted_out: req.body.opted_out } });
      return { channels: await preferencesOf(db, c.personId) };
    },
  );

  app.get(
    '/api/v1/appointments/facility',
    {
      schema: {
        summary: 'Who the caller’s facility expects, day by day (one page of people, counts per day for the whole range), and its no-show figure for the last 90 days',
        tags,
        querystring: Type.Object({ ...rangeQuery.properties, page: Type.Optional(Type.Integer({ minimum: 1, default: 1 })), per_page: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })) }),
      },
    },
    async (req) => {
      const s = await requireStaff(db, req, { roles: APPOINTMENT_ROLES });
      const facility = s.facilityCode!;
      const { from, to } = range(req.query, 14);
      const [all, no_show] = await Promise.all([facilityAppointments(db, facility, from, to), noShowFigure(db, facility, addDays(vietnamToday(), -90), addDays(vietnamToday(), -1))]);
      const perPage = req.query.per_page ?? 20;
      const pages = Math.max(1, Math.ceil(all.length / perPage));
      const page = Math.min(req.query.page ?? 1, pages);
      const days = new Map<string, number>();
      for (const a of all) days.set(a.date, (days.get(a.date) ?? 0) + 1);
      // Only the people on the page are read (and audited): the day counts name nobody.
      const rows = all.slice((page - 1) * perPage, page * perPage);
      await auditMany(db, rows.map((a) => ({ actor: staffActor(s), action: 'appointments.facility.read', personId: a.person_id, resource: `episode/${a.episode_id}`, requestId: req.id })));
      const names = await personNames(db, rows.map((a) => a.person_id));
      return {
        facility_code: facility,
        from,
        to,
        total: all.length,
        page,
        pages,
        days: [...days].map(([date, count]) => ({ date, count })),
        appointments: rows.map((a) => ({ ...withoutPerson(a), ...names.get(a.person_id) })),
        no_show,
      };
    },
  );

  app.get(
    '/api/v1/appointments/station',
    { schema: { summary: 'Residents’ appointments for the commune station (no sensitive episode)', tags, querystring: Type.Object({ ...rangeQuery.properties, commune: Type.Optional(Type.String({ maxLength: 10 })) }) } },
    async (req) => {
      const s = await requireStaff(db, req, { roles: REGISTER_READ_ROLES });
      const area = await stationArea(db, s, req.query.commune);
      const { from, to } = range(req.query, 14);
      const rows = await communeAppointments(db, area.commune, from, to);
      await auditMany(db, rows.map((a) => ({ actor: staffActor(s), action: 'appointments.station.read', personId: a.person_id, resource: `episode/${a.episode_id}`, requestId: req.id })));
      const names = await personNames(db, rows.map((a) => a.person_id));
      // Collaborators and officers see who and when, not why.
      return { commune: area.commune, from, to, appointments: rows.map((a) => ({ ...a, ...names.get(a.person_id), diagnosis: area.clinical ? a.diagnosis : null })) };
    },
  );
}

async function personNames(db: Db, ids: string[]): Promise<Map<string, { ho_ten: string; ngay_sinh: string | null; so_dien_thoai: string | null }>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('person').select(['id', 'ho_ten', 'ngay_sinh', 'so_dien_thoai']).where('id', 'in', [...new Set(ids)]).execute();
  return new Map(rows.map((r) => [r.id, { ho_ten: r.ho_ten, ngay_sinh: r.ngay_sinh, so_dien_thoai: r.so_dien_thoai }]));
}
