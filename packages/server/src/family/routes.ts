import { DomainError } from '@openhssk/core';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { audit } from '../audit/index.ts';
import type { Db } from '../db/index.ts';
import { typedRoutes } from '../http/index.ts';
import { confirmGuardian, type RelationRow, relationsOf, removeGuardian } from '../person/index.ts';
import { requireStaff, type StaffContext, type StaffRole, staffActor, staffDb } from '../staff/index.ts';
import { cardsOf, type FamilyPersonCard, findByKey, inArea } from './lookup.ts';

/**
 * Commune station and district staff who meet families (front desk, clinicians, officers) record
 * who a child's parents or guardians are; facility administrators manage accounts, not families.
 */
const FAMILY_ROLES: readonly StaffRole[] = ['system_admin', 'health_officer', 'clinician', 'receptionist'];
const tags = ['family'];

const personKey = (description: string) => Type.String({ minLength: 1, maxLength: 64, description });
const keyParams = Type.Object({ key: personKey('personal ID (12 digits), BHYT card, BHXH number or person id') });
const confirmBody = Type.Object(
  {
    child: personKey('the child: personal ID, BHYT card, BHXH number or person id'),
    guardian: personKey('the parent or guardian: personal ID, BHYT card, BHXH number or person id'),
    relation: Type.Union([Type.Literal('parent'), Type.Literal('guardian')]),
    proof_type: Type.Union([Type.Literal('birth_certificate'), Type.Literal('court_decision'), Type.Literal('guardianship_registration')], {
      description: 'birth_certificate (giấy khai sinh) for parents; court_decision or guardianship_registration for guardians',
    }),
    proof_number: Type.String({ minLength: 1, maxLength: 64, description: 'number of the document seen (số giấy khai sinh, số quyết định)' }),
    note: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
const removeBody = Type.Object(
  {
    child: personKey('the child'),
    guardian: personKey('the parent or guardian'),
    reason: Type.String({ minLength: 1, maxLength: 500, description: 'why the relation is wrong' }),
  },
  { additionalProperties: false },
);

// Outside the area and unknown answer alike, so staff cannot learn who exists elsewhere.
const childNotFound = () => new DomainError('not_found', 'CHILD_NOT_FOUND', 'Không tìm thấy trẻ này trong địa bàn của bạn.', 'No such child in your area.');
const noSuchRelation = () =>
  new DomainError('not_found', 'RELATION_NOT_FOUND', 'Không có quan hệ cha mẹ/giám hộ nào giữa hai người này.', 'These two persons have no parent or guardian relation.');
const guardianNotFound = () => new DomainError('not_found', 'GUARDIAN_NOT_FOUND', 'Không tìm thấy cha mẹ/người giám hộ với số này.', 'No parent or guardian with this number.');

async function childInArea(db: Db, s: StaffContext, key: string): Promise<FamilyPersonCard> {
  const child = await findByKey(db, key, (id) => inArea(db, s, id));
  if (!child) throw childNotFound();
  return child;
}

export function registerFamilyRoutes(fastify: FastifyInstance, db: Db) {
  const app = typedRoutes(fastify);
  const staff = (req: FastifyRequest) => requireStaff(db, req, { roles: FAMILY_ROLES });

  app.get('/api/v1/family/persons/:key', { schema: { summary: 'A person in the caller’s area with their parents/guardians and children', tags, params: keyParams } }, async (req) => {
    const s = await staff(req);
    const person = await childInArea(db, s, req.params.key);
    const { guardians, children } = await relationsOf(db, person.id);
    const others = [...new Set([...guardians.map((r) => r.guardian_id), ...children.map((r) => r.child_id)])];
    const cards = await cardsOf(db, others);
    const deciders = [...new Set([...guardians, ...children].flatMap((r) => (r.decided_by ? [r.decided_by] : [])))];
    const names = new Map(
      deciders.length === 0 ? [] : (await staffDb(db).selectFrom('staff_account').select(['id', 'full_name']).where('id', 'in', deciders).execute()).map((r) => [r.id, r.full_name]),
    );
    const view = (r: RelationRow, other: string) => ({ ...r, person: cards.get(other) ?? null, decided_by_name: r.decided_by ? (names.get(r.decided_by) ?? null) : null });
    for (const personId of [person.id, ...others]) {
      await audit(db, { actor: staffActor(s), action: 'family.relations.read', personId, resource: `person/${person.id}/relations`, requestId: req.id });
    }
    return { person, guardians: guardians.map((r) => view(r, r.guardian_id)), children: children.map((r) => view(r, r.child_id)) };
  });

  app.post('/api/v1/family/relations', { schema: { summary: 'Enter or confirm a parent/guardian of a child, with the proof seen', tags, body: confirmBody } }, async (req) => {
    const s = await staff(req);
    const b = req.body;
    const child = await childInArea(db, s, b.child);
    const guardian = await findByKey(db, b.guardian);
    if (!guardian) throw guardianNotFound();
    const relation = await confirmGuardian(
      db,
      { childId: child.id, guardianId: guardian.id, relation: b.relation, proofType: b.proof_type, proofNumber: b.proof_number, note: b.note },
      staffActor(s),
      req.id,
    );
    return { relation, child, guardian };
  });

  app.post('/api/v1/family/relations/remove', { schema: { summary: 'Remove a wrong parent/guardian relation (kept as removed)', tags, body: removeBody } }, async (req) => {
    const s = await staff(req);
    const b = req.body;
    const child = await childInArea(db, s, b.child);
    const guardian = await findByKey(db, b.guardian);
    // An unknown number answers like a known one without a relation: removal is no way to learn who exists.
    if (!guardian) throw noSuchRelation();
    return removeGuardian(db, { childId: child.id, guardianId: guardian.id, reason: b.reason }, staffActor(s), req.id);
  });
}
