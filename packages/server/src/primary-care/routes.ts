import { DomainError, forbidden, notFound, vietnamToday } from '@openhssk/core';
import { CLOSE_REASONS, CODE_LISTS, completeness, FORM_831, isIsoDate, MEASURES, ORGAN_SYSTEMS, REGISTERS, UUID, VISION_SPECIAL } from '@openhssk/core/primary-care';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { audit, auditMany } from '../audit/index.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/index.ts';
import { typedRoutes } from '../http/index.ts';
import { requireStaff, type StaffRole, unitAncestry, unitDescendants } from '../staff/index.ts';
import { CLINICIAN_ROLES, requireStation, type StationScope, scopedPerson } from './access.ts';
import { listCheckups } from './checkups.ts';
import { proposeFromEpisodes } from './proposals.ts';
import { filledOf, readRecord, recordHistory } from './record.ts';
import { acceptProposal, closeEnrolment, declineProposal, followUpsDue, personRegisters, proposalById, type RegisterList, registerList, requireRegister } from './registers.ts';
import { communeFigures, totalFigures } from './stats.ts';
import { MAX_BATCH, syncEntries } from './sync.ts';

const tags = ['primary-care'];
const P = '/api/v1/primary-care';

/** 500 entries of a few hundred bytes each, with room for long notes. */
const SYNC_BODY_LIMIT = 4 * 1024 * 1024;

const text = (maxLength: number, description?: string) => Type.Optional(Type.String({ maxLength, ...(description ? { description } : {}) }));
// Numbers are optional, never null: the framework would coerce a null to 0. Range checks are core's,
// with messages that name the measurement and its range.
const num = (description: string) => Type.Optional(Type.Number({ description }));
const day = (description: string) => Type.String({ maxLength: 10, description: `${description} (YYYY-MM-DD)` });

const recordPayload = Type.Object(
  {
    section: Type.String({ maxLength: 40, description: 'section key of the 831 form (GET /form)' }),
    itemId: Type.Optional(Type.String({ maxLength: 64, description: 'uuid of the item in a list section; absent for single sections and for the section flag "none"' })),
    // Values stay untyped here: core checks each against its field definition (a union schema would be coerced).
    values: Type.Record(Type.String({ maxLength: 60 }), Type.Unknown(), { description: 'field → value (text, number, boolean, code, list of codes; null clears)' }),
    base: Type.Optional(Type.Record(Type.String({ maxLength: 60 }), Type.Unknown(), { description: 'field → entry id of the value shown when it was edited (null: none shown)' })),
  },
  { additionalProperties: false },
);
const checkupPayload = Type.Object(
  {
    examinedOn: day('day of the examination'),
    reason: text(500),
    history: text(2000, 'bệnh sử'),
    pulse: num('lần/phút'),
    sbp: num('mmHg'),
    dbp: num('mmHg'),
    temperature: num('°C'),
    respRate: num('lần/phút'),
    heightCm: num('cm'),
    weightKg: num('kg'),
    waistCm: num('cm'),
    visionRight: text(10, 'n/10, dnt, bbt, st_duong, st_am'),
    visionLeft: text(10, 'n/10, dnt, bbt, st_duong, st_am'),
    visionCorrected: Type.Optional(Type.Boolean()),
    exam: Type.Optional(Type.Record(Type.String({ maxLength: 30 }), Type.String({ maxLength: 1000 }), { description: 'organ system → note' })),
    paraclinical: Type.Optional(
      Type.Array(Type.Object({ test: Type.String({ maxLength: 200 }), result: Type.String({ maxLength: 500 }), unit: text(30), conclusion: text(500) }, { additionalProperties: false }), { maxItems: 50 }),
    ),
    diagnoses: Type.Optional(Type.Array(Type.String({ maxLength: 10 }), { maxItems: 12, description: 'ICD-10 codes, main first' })),
    diagnosisText: text(1000),
    advice: text(2000),
  },
  { additionalProperties: false },
);
const followUpPayload = Type.Object(
  {
    register: Type.String({ maxLength: 20, description: REGISTERS.map((r) => r.key).join(' | ') }),
    visitDate: day('day of the visit'),
    sbp: num('mmHg'),
    dbp: num('mmHg'),
    pulse: num('lần/phút'),
    glucoseMmol: num('mmol/L'),
    glucoseKind: text(20, 'luc_doi | bat_ky | sau_an_2h'),
    hba1c: num('%'),
    weightKg: num('kg'),
    medicines: Type.Optional(
      Type.Array(Type.Object({ name: Type.String({ maxLength: 200 }), quantity: num('quantity dispensed'), unit: text(30), days: Type.Optional(Type.Integer()) }, { additionalProperties: false }), { maxItems: 30 }),
    ),
    adherence: text(20, 'tot | chua_tot | kem'),
    exacerbations: Type.Optional(Type.Integer()),
    symptomControl: text(20, 'kiem_soat | mot_phan | khong_kiem_soat'),
    nextDue: Type.Optional(day('appointment')),
    note: text(1000),
  },
  { additionalProperties: false },
);
const enrolmentPayload = Type.Object(
  { register: Type.String({ maxLength: 20 }), icd10: Type.String({ maxLength: 10 }), enrolledOn: day('day of enrolment') },
  { additionalProperties: false },
);
const entrySchema = Type.Object(
  {
    entryId: Type.String({ pattern: UUID.source, description: 'uuid chosen by the device; a replay with the same id changes nothing' }),
    kind: Type.Union([Type.Literal('record'), Type.Literal('checkup'), Type.Literal('followup'), Type.Literal('enrolment')]),
    personId: Type.String({ minLength: 1, maxLength: 64 }),
    recordedAt: Type.String({ maxLength: 40, description: 'ISO 8601 instant with zone, device clock' }),
    record: Type.Optional(recordPayload),
    checkup: Type.Optional(checkupPayload),
    followUp: Type.Optional(followUpPayload),
    enrolment: Type.Optional(enrolmentPayload),
  },
  { additionalProperties: false },
);
const syncBody = Type.Object({ entries: Type.Array(entrySchema, { minItems: 1, maxItems: MAX_BATCH }) }, { additionalProperties: false });

const personParams = Type.Object({ personId: Type.String({ minLength: 1, maxLength: 64 }) });
const registerParams = Type.Object({ register: Type.String({ maxLength: 20 }) });
const idParams = Type.Object({ id: Type.String({ maxLength: 20 }) });
const onQuery = Type.Object({ on: Type.Optional(day('the day; default today in Vietnam')) });
const listQuery = Type.Object({
  on: Type.Optional(day('the day; default today in Vietnam')),
  list: Type.Optional(
    Type.Union([Type.Literal('active'), Type.Literal('proposed'), Type.Literal('due'), Type.Literal('overdue'), Type.Literal('uncontrolled')], { default: 'active' }),
  ),
});
const statsQuery = Type.Object({ unit: Type.Optional(Type.String({ maxLength: 16, description: 'administrative unit code' })), on: Type.Optional(day('the day')) });
const acceptBody = Type.Object({ enrolledOn: Type.Optional(day('day of enrolment; default today')) }, { additionalProperties: false });
const closeBody = Type.Object(
  {
    reason: Type.Union(
      CLOSE_REASONS.map((r) => Type.Literal(r.key)),
      { description: `why follow-up ends: ${CLOSE_REASONS.map((r) => r.key).join(', ')} (GET /form close_reasons)` },
    ),
    closedOn: day('the day follow-up ended (not in the future, not before enrolment)'),
    note: Type.Optional(Type.String({ maxLength: 500, description: 'required for not_confirmed and other' })),
  },
  { additionalProperties: false },
);
const declineBody = Type.Object({ reason: Type.String({ minLength: 1, maxLength: 500, description: 'why the proposal is wrong' }) }, { additionalProperties: false });

function dayOf(on: string | undefined): string {
  const d = on ?? vietnamToday();
  if (!isIsoDate(d)) throw new DomainError('invalid', 'VALIDATION_FAILED', `Ngày "${d}" không hợp lệ (dạng YYYY-MM-DD).`, `"${d}" is not a date (YYYY-MM-DD).`);
  return d;
}

const idOf = (raw: string) => {
  const n = Number(raw);
  return Number.isSafeInteger(n) && n > 0 ? n : undefined;
};

/** Every person shown in a list is a read of that person's data: one audit row each, in one commit. */
async function auditPersons(db: Db, scope: StationScope, action: string, personIds: Iterable<string>, resource: string, requestId: string) {
  const ids = [...new Set(personIds)];
  if (ids.length === 0) return;
  await auditMany(db, ids.map((personId) => ({ actor: scope.actor, action, personId, resource, requestId })));
}

const STATS_ROLES: readonly StaffRole[] = ['system_admin', 'health_officer', 'station_head'];

export function registerPrimaryCareRoutes(fastify: FastifyInstance, db: Db, config: Config) {
  const app = typedRoutes(fastify);
  const careDays = config.careRelationshipDays;
  // Episodes are folded into proposals once older than the report hold-back: both rely on ingest
  // transactions committing within it.
  const sweep = () => proposeFromEpisodes(db, { holdbackSeconds: config.reportHoldbackSeconds });

  app.get(`${P}/form`, { schema: { summary: 'The 831 form, code lists, registers and measurement ranges (data, no personal data)', tags } }, async (req) => {
    await requireStaff(db, req);
    return { sections: FORM_831, code_lists: CODE_LISTS, registers: REGISTERS, measures: MEASURES, organ_systems: ORGAN_SYSTEMS, vision_special: VISION_SPECIAL, close_reasons: CLOSE_REASONS };
  });

  app.post(
    `${P}/sync`,
    { bodyLimit: SYNC_BODY_LIMIT, schema: { summary: 'Apply up to 500 queued entries (831 items, check-ups, follow-ups, enrolments), each idempotent by entryId', tags, body: syncBody } },
    async (req) => {
      const scope = await requireStation(db, req);
      const results = await syncEntries(db, scope, req.body.entries, { careDays, requestId: req.id, log: (err) => req.log.error({ err }, 'primary-care entry failed') });
      const count = (s: string) => results.filter((r) => r.status === s).length;
      return { results, summary: { applied: count('applied'), already_applied: count('already_applied'), conflict: count('conflict'), refused: count('refused') } };
    },
  );

  app.get(`${P}/persons/:personId`, { schema: { summary: 'A person’s 831 record, completeness, check-ups and registers (station view)', tags, params: personParams } }, async (req) => {
    const scope = await requireStation(db, req);
    const p = await scopedPerson(db, scope, req.params.personId, careDays);
    const sensitive = { facility: scope.facilityCode };
    const [record, filled, checkups, registers] = await Promise.all([
      readRecord(db, p.id, { sensitive, includeRemoved: true }),
      filledOf(db, p.id),
      listCheckups(db, p.id, { sensitive }),
      personRegisters(db, p.id),
    ]);
    await audit(db, { actor: scope.actor, action: 'primary_care.person.read', personId: p.id, resource: `person/${p.id}/primary-care`, requestId: req.id });
    return {
      person: { id: p.id, ho_ten: p.ho_ten, ngay_sinh: p.ngay_sinh ?? (p.birth_year ? String(p.birth_year) : null), gioi_tinh: p.gioi_tinh, ma_xa: p.ma_xa, age: p.facts.age, basis: p.basis },
      record: record.sections,
      completeness: completeness(p.facts, filled),
      checkups: checkups.checkups,
      registers,
    };
  });

  app.get(`${P}/persons/:personId/history`, { schema: { summary: 'Earlier values of the 831 record: superseded edits and conflict losers', tags, params: personParams } }, async (req) => {
    const scope = await requireStation(db, req);
    const p = await scopedPerson(db, scope, req.params.personId, careDays);
    const history = await recordHistory(db, p.id);
    await audit(db, { actor: scope.actor, action: 'primary_care.history.read', personId: p.id, resource: `person/${p.id}/primary-care/history`, requestId: req.id });
    return { history };
  });

  app.get(`${P}/registers/:register`, { schema: { summary: 'A register of the station’s commune: active, proposed, due, overdue or not controlled', tags, params: registerParams, querystring: listQuery } }, async (req) => {
    const scope = await requireStation(db, req);
    const def = requireRegister(req.params.register);
    const on = dayOf(req.query.on);
    const list: RegisterList = req.query.list ?? 'active';
    // Hospital episodes that arrived since the last look become proposals before any list is read.
    await sweep();
    const rows = await registerList(db, scope.commune, def, list, on);
    await auditPersons(db, scope, 'primary_care.register.list', rows.map((r) => r.person_id), `register/${def.key}/${list}`, req.id);
    return { register: def.key, list, on, commune: scope.commune, rows };
  });

  app.get(`${P}/due`, { schema: { summary: 'Follow-ups due on the day or earlier in the station’s commune (every register)', tags, querystring: onQuery } }, async (req) => {
    const scope = await requireStation(db, req);
    const on = dayOf(req.query.on);
    const due = await followUpsDue(db, scope.commune, on);
    await auditPersons(db, scope, 'primary_care.due.list', due.map((d) => d.personId), `due/${on}`, req.id);
    return { on, commune: scope.commune, due };
  });

  const decide = async (req: { id: string; params: { id: string } }, scope: StationScope) => {
    const id = idOf(req.params.id);
    const p = id ? await proposalById(db, id) : undefined;
    // A proposal of someone outside the station's people answers like a missing one.
    if (!p || !(await scopedPerson(db, scope, p.person_id, careDays).then(() => true, () => false))) throw notFound('đề xuất', 'Proposal');
    return p;
  };

  app.post(`${P}/proposals/:id/accept`, { schema: { summary: 'Accept a proposed enrolment (station clinician)', tags, params: idParams, body: acceptBody } }, async (req) => {
    const scope = await requireStation(db, req, CLINICIAN_ROLES);
    const p = await decide(req, scope);
    const on = dayOf(req.body.enrolledOn);
    await db.transaction().execute(async (tx) => {
      await acceptProposal(tx, scope, p.id, on, vietnamToday());
      await audit(tx, { actor: scope.actor, action: 'primary_care.proposal.accept', personId: p.person_id, resource: `enrolment/${p.id}`, requestId: req.id, detail: { register: p.register } });
    });
    return { id: p.id, status: 'active', enrolled_on: on };
  });

  app.post(`${P}/proposals/:id/decline`, { schema: { summary: 'Decline a proposed enrolment with a reason (station clinician)', tags, params: idParams, body: declineBody } }, async (req) => {
    const scope = await requireStation(db, req, CLINICIAN_ROLES);
    const p = await decide(req, scope);
    await db.transaction().execute(async (tx) => {
      await declineProposal(tx, scope, p.id, req.body.reason.trim());
      await audit(tx, { actor: scope.actor, action: 'primary_care.proposal.decline', personId: p.person_id, resource: `enrolment/${p.id}`, requestId: req.id, detail: { register: p.register } });
    });
    return { id: p.id, status: 'declined' };
  });

  app.post(`${P}/enrolments/:id/close`, { schema: { summary: 'End an active enrolment with a reason and a day (station clinician)', tags, params: idParams, body: closeBody } }, async (req) => {
    const scope = await requireStation(db, req, CLINICIAN_ROLES);
    const id = idOf(req.params.id);
    const e = id ? await proposalById(db, id) : undefined;
    // An enrolment of someone outside the station's people answers like a missing one.
    if (!e || !(await scopedPerson(db, scope, e.person_id, careDays).then(() => true, () => false))) throw notFound('lần quản lý', 'Enrolment');
    return db.transaction().execute(async (tx) => {
      const closed = await closeEnrolment(tx, scope, e.id, { reason: req.body.reason, closedOn: req.body.closedOn, note: req.body.note }, vietnamToday());
      await audit(tx, {
        actor: scope.actor, action: 'primary_care.enrolment.close', personId: e.person_id, resource: `enrolment/${e.id}`, requestId: req.id,
        detail: { register: e.register, reason: closed.close_reason, closed_on: closed.closed_on },
      });
      return closed;
    });
  });

  app.get(`${P}/stats`, { schema: { summary: '831 completeness and register control rates per commune (aggregates only)', tags, querystring: statsQuery } }, async (req) => {
    const s = await requireStaff(db, req, { roles: STATS_ROLES });
    const on = dayOf(req.query.on);
    let unit = req.query.unit;
    if (s.role === 'station_head') {
      const scope = await requireStation(db, req, ['station_head']);
      if (unit && unit !== scope.commune) throw forbidden();
      unit = scope.commune;
    }
    unit ??= s.adminUnitCode ?? undefined;
    if (!unit) throw new DomainError('invalid', 'VALIDATION_FAILED', 'Thiếu mã đơn vị hành chính (unit).', 'unit is required.');
    const row = await db.selectFrom('admin_unit').select(['code', 'name', 'level']).where('code', '=', unit).executeTakeFirst();
    if (!row) throw notFound('đơn vị hành chính', 'Administrative unit');
    if (s.role === 'health_officer' && !(await unitAncestry(db, row.code)).includes(s.adminUnitCode ?? '')) throw forbidden();
    const below = await unitDescendants(db, row.code);
    const communes = (await db.selectFrom('admin_unit').select(['code', 'name']).where('code', 'in', below).where('level', '=', 'commune').orderBy('code').execute());
    await sweep();
    const figures = await communeFigures(db, communes.map((c) => c.code), on);
    const names = new Map(communes.map((c) => [c.code, c.name]));
    return { unit: row, on, total: totalFigures(figures), communes: figures.map((f) => ({ ...f, name: names.get(f.commune) ?? f.commune })) };
  });
}

