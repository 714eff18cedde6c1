import { DomainError, forbidden, notFound } from '@openhssk/core';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { audit } from '../audit/index.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/index.ts';
import { typedRoutes } from '../http/index.ts';
import { openFrontDeskVisit } from '../ingest/index.ts';
import { coversFacility, requireStaff, staffActor, staffDb } from '../staff/index.ts';
import { BREAK_GLASS_ALERT_WINDOW_HOURS, listBreakGlassAlerts, noteBreakGlassUse } from './alerts.ts';
import { findPerson, personNotFound } from './front-desk.ts';
import { CHECKIN_METHODS, type CheckinMethod, patientKey, recordedMethod } from './identify.ts';
import { accessFor, BREAK_GLASS_MINUTES, clinicianEpisode, noCareRelationship, patientSummary } from './summary.ts';

const MIN_REASON = 10;

const checkinBody = Type.Object({
  // Checked in the handler so an unknown method keeps its own bilingual METHOD_INVALID answer.
  method: Type.Optional(Type.String({ maxLength: 32, description: `how the person was identified: ${CHECKIN_METHODS.join(', ')}; default typed` })),
  value: Type.String({ maxLength: 4096, description: 'CCCD, BHYT card, BHXH number or the QR payload' }),
});
const isCheckinMethod = (v: string): v is CheckinMethod => (CHECKIN_METHODS as readonly string[]).includes(v);
const personParams = Type.Object({ personId: Type.String({ minLength: 1, maxLength: 64 }) });
// The id stays a string for the schema so a malformed one answers 404 like someone else's.
const episodeParams = Type.Object({ ...personParams.properties, episodeId: Type.String({ maxLength: 100 }) });
const breakGlassBody = Type.Object({ reason: Type.String({ maxLength: 4000 }) });
const alertsQuery = Type.Object({ facility: Type.Optional(Type.String({ minLength: 1, maxLength: 16, description: 'facility code; default the caller’s own' })) });

export type ClinicConfig = Pick<Config, 'careRelationshipDays' | 'crossFacilityHours' | 'breakGlassAlertCount'>;

export function registerClinicRoutes(fastify: FastifyInstance, db: Db, config: ClinicConfig) {
  const app = typedRoutes(fastify);
  app.post('/api/v1/clinic/checkin', { schema: { summary: 'Front-desk check-in by VNeID QR, chip CCCD, BHYT card or typed number', tags: ['clinic'], body: checkinBody } }, async (req, reply) => {
    const s = await requireStaff(db, req, { roles: ['receptionist', 'clinician'] });
    const method = req.body.method ?? 'typed';
    if (!isCheckinMethod(method)) {
      throw new DomainError('invalid', 'METHOD_INVALID', 'Cách tiếp nhận không hợp lệ.', `method must be one of ${CHECKIN_METHODS.join(', ')}.`);
    }
    const key = patientKey(method, req.body.value);
    const recorded = recordedMethod(method, req.body.value);
    const facilityCode = s.facilityCode!;
    const card = await findPerson(db, key);
    if (!card) {
      await audit(db, { actor: staffActor(s), action: 'clinic.checkin.not_found', requestId: req.id, detail: { method: recorded, key_kind: key.kind } });
      throw personNotFound();
    }
    const visit = await openFrontDeskVisit(db, facilityCode, card, recorded, staffActor(s), req.id);
    return reply.status(visit.reopened ? 200 : 201).send({
      patient: card,
      visit: {
        id: visit.id,
        ma_lk: visit.ma_lk,
        ngay_vao: visit.ngay_vao,
        id_method: recorded,
        // Said back so the screen shows what was recorded, not what was ticked.
        method_changed: recorded !== method ? { requested: method, note_vi: 'Không có dữ liệu đọc từ mã QR/chip: ghi nhận là nhập số.', note_en: 'No QR/chip payload was read: recorded as typed.' } : null,
        status: 'open',
        already_open: visit.reopened,
      },
    });
  });

  /** Identification methods per day at the caller's facility: the VNeID-usage indicator. */
  app.get('/api/v1/clinic/checkin-stats', { schema: { summary: 'Check-ins by identification method (VNeID usage)', tags: ['clinic'] } }, async (req) => {
    const s = await requireStaff(db, req, { roles: ['facility_admin', 'receptionist', 'clinician'] });
    const rows = await db
      .selectFrom('visit')
      .select(['id_method', db.fn.countAll<number>().as('n')])
      .where('facility_code', '=', s.facilityCode!)
      .where('received_at', '>=', new Date(Date.now() - 30 * 86400_000))
      .groupBy('id_method')
      .execute();
    const total = rows.reduce((a, r) => a + Number(r.n), 0);
    const vneid = rows.filter((r) => r.id_method === 'vneid_qr' || r.id_method === 'chip_cccd').reduce((a, r) => a + Number(r.n), 0);
    return { days: 30, by_method: rows, total, vneid_or_chip_share: total ? vneid / total : null };
  });

  app.get('/api/v1/clinic/patients/:personId/summary', { schema: { summary: 'Patient summary for a clinician (consent / break-glass aware)', tags: ['clinic'], params: personParams } }, async (req) => {
    const s = await requireStaff(db, req, { roles: ['clinician'] });
    const { personId } = req.params;
    // Access is decided before the person is looked up: an unknown id and a person not in care here
    // answer alike, so sequential ids cannot be walked to learn who exists.
    const access = await accessFor(db, s.id, s.facilityCode!, personId, config);
    if (!access) {
      await audit(db, { actor: staffActor(s), action: 'clinic.summary.denied', personId, requestId: req.id });
      throw noCareRelationship();
    }
    const patient = await findPerson(db, { kind: 'id', value: personId });
    if (!patient) throw notFound('người bệnh', 'Person');
    const { shown_episode_ids, ...summary } = await patientSummary(db, personId, s.facilityCode!, access);
    await audit(db, {
      actor: staffActor(s),
      action: 'clinic.summary.read',
      personId,
      resource: `person/${personId}/summary`,
      breakGlass: access.basis === 'break_glass',
      requestId: req.id,
      // Which visits' data the summary put on the screen: the citizen's access log can name them.
      detail: { basis: access.basis, episodes: shown_episode_ids },
    });
    return { patient, ...summary };
  });

  app.get(
    '/api/v1/clinic/patients/:personId/episodes/:episodeId',
    { schema: { summary: 'One visit of the patient, on the summary’s access rules (own facility; others with consent or break-glass; never sensitive ones elsewhere)', tags: ['clinic'], params: episodeParams } },
    async (req) => {
      const s = await requireStaff(db, req, { roles: ['clinician'] });
      const { personId } = req.params;
      const access = await accessFor(db, s.id, s.facilityCode!, personId, config);
      if (!access) {
        await audit(db, { actor: staffActor(s), action: 'clinic.episode.denied', personId, requestId: req.id });
        throw noCareRelationship();
      }
      const id = Number(req.params.episodeId);
      const found = Number.isSafeInteger(id) && id > 0 ? await clinicianEpisode(db, personId, s.facilityCode!, access, id) : undefined;
      // A sensitive visit elsewhere, another person's and a missing one answer alike.
      if (!found) throw notFound('lượt khám', 'Episode');
      await audit(db, {
        actor: staffActor(s),
        action: 'clinic.episode.read',
        personId,
        resource: `episode/${id}`,
        breakGlass: access.basis === 'break_glass',
        requestId: req.id,
        detail: { basis: access.basis, other_facility: found.episode.facility_code !== s.facilityCode },
      });
      return found;
    },
  );

  app.post('/api/v1/clinic/patients/:personId/break-glass', { schema: { summary: 'Emergency access for 30 minutes with a typed reason', tags: ['clinic'], params: personParams, body: breakGlassBody } }, async (req, reply) => {
    const s = await requireStaff(db, req, { roles: ['clinician'] });
    const { personId } = req.params;
    const reason = req.body.reason.trim();
    if (reason.length < MIN_REASON) {
      throw new DomainError('invalid', 'REASON_REQUIRED', `Nhập lý do truy cập khẩn cấp (ít nhất ${MIN_REASON} ký tự).`, `A reason of at least ${MIN_REASON} characters is required.`);
    }
    if (!(await db.selectFrom('person').select('id').where('id', '=', personId).executeTakeFirst())) throw notFound('người bệnh', 'Person');
    const expiresAt = new Date(Date.now() + BREAK_GLASS_MINUTES * 60_000);
    const grant = await staffDb(db)
      .insertInto('break_glass_grant')
      .values({ person_id: personId, staff_id: s.id, facility_code: s.facilityCode!, reason: reason.slice(0, 1000), expires_at: expiresAt })
      .returning(['id'])
      .executeTakeFirstOrThrow();
    await audit(db, {
      actor: staffActor(s),
      action: 'clinic.break_glass',
      personId,
      resource: `break-glass/${grant.id}`,
      breakGlass: true,
      requestId: req.id,
      detail: { reason: reason.slice(0, 1000), expires_at: expiresAt.toISOString() },
    });
    await noteBreakGlassUse(db, s.id, s.facilityCode!, config.breakGlassAlertCount, staffActor(s), req.id);
    return reply.status(201).send({ id: grant.id, expires_at: expiresAt, minutes: BREAK_GLASS_MINUTES });
  });

  /** Unusual break-glass use (more than HSSK_BREAK_GLASS_ALERT_COUNT grants by one clinician in 24 h). */
  app.get(
    '/api/v1/clinic/break-glass-alerts',
    { schema: { summary: 'Break-glass alerts of a facility, for its admin', tags: ['clinic'], querystring: alertsQuery } },
    async (req) => {
      const s = await requireStaff(db, req, { roles: ['system_admin', 'facility_admin'] });
      const code = req.query.facility ?? s.facilityCode;
      if (!code) throw new DomainError('invalid', 'FACILITY_REQUIRED', 'Chọn cơ sở KCB.', 'The facility query parameter is required.');
      if (!(await coversFacility(db, s, code))) throw forbidden();
      const alerts = await listBreakGlassAlerts(db, code);
      await audit(db, { actor: staffActor(s), action: 'clinic.break_glass_alert.list', resource: `facility/${code}/break-glass-alerts` });
      return { facility_code: code, threshold: config.breakGlassAlertCount, window_hours: BREAK_GLASS_ALERT_WINDOW_HOURS, alerts };
    },
  );
}
