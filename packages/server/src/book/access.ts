import { notFound, vietnamToday } from '@openhssk/core';
import { ageBounds } from '@openhssk/core/mpi';
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../audit/index.ts';
import { type CitizenContext, requireConsentedCitizen } from '../auth/index.ts';
import type { Db } from '../db/index.ts';

/** Parents and guardians see a child's book until the child turns 14 (then the child decides alone). */
export const DEPENDENT_MAX_AGE = 14;

export interface BookSubject {
  citizen: CitizenContext & { personId: string };
  /** Whose book is read: the citizen's own or a dependent child's. */
  personId: string;
  dependent: { name: string; relation: string } | null;
  actor: Actor;
}

/**
 * Age in whole years on the Vietnam date of `today` (a parent's view ends on the 14th birthday as it
 * is counted in Vietnam, whatever the server's zone). Unknown month/day count as January 1st: the
 * child is then taken as older, so an imprecise birth date never extends a parent's access past it.
 */
export function ageOn(ngaySinh: string | null, birthYear: number | null, today: Date = new Date()): number | null {
  return ageBounds(ngaySinh, birthYear, vietnamToday(today))?.max ?? null;
}

/**
 * Children under 14 for whom this person is recorded as parent or guardian by a population list's
 * relation column, by staff with proof, or by the demo; relations staff removed are not. A parent
 * guessed from the ages in a household (source household_age) opens nothing: a lodger or an uncle
 * fits the same ages, and the book holds the child's sensitive visits — staff confirm it first.
 */
export async function listDependents(db: Db, parentPersonId: string, today: Date = new Date()) {
  const rows = await db
    .selectFrom('person_relation as r')
    .innerJoin('person as p', 'p.id', 'r.person_id')
    .select(['p.id', 'p.ho_ten', 'p.ngay_sinh', 'p.birth_year', 'p.gioi_tinh', 'r.relation'])
    .where('r.related_person_id', '=', parentPersonId)
    .where('r.relation', 'in', ['parent', 'guardian'])
    .where('r.removed_at', 'is', null)
    .where('r.source', '<>', 'household_age')
    .orderBy('p.ngay_sinh', 'desc')
    .execute();
  const seen = new Set<string>();
  return rows.filter((r) => {
    const age = ageOn(r.ngay_sinh, r.birth_year, today);
    if (seen.has(r.id) || age === null || age >= DEPENDENT_MAX_AGE || r.id === parentPersonId) return false;
    seen.add(r.id);
    return true;
  });
}

/**
 * The book a request may read: the citizen's own, or with `?person=` (passed as `person`, already
 * validated by the route) a dependent's. Anything else answers 404 like a missing record, so person
 * ids cannot be probed.
 */
export async function resolveBookSubject(db: Db, req: FastifyRequest, person: string | undefined): Promise<BookSubject> {
  const citizen = await requireConsentedCitizen(db, req);
  const actor: Actor = { type: 'citizen', id: citizen.subject, name: citizen.name };
  const wanted = person || citizen.personId;
  if (wanted === citizen.personId) return { citizen, personId: citizen.personId, dependent: null, actor };
  const child = (await listDependents(db, citizen.personId)).find((d) => d.id === wanted);
  if (!child) throw notFound('sổ sức khỏe', 'Health book');
  return { citizen, personId: child.id, dependent: { name: child.ho_ten, relation: child.relation }, actor: { ...actor, role: child.relation } };
}

/**
 * The parents and guardians who may open the child's book today (the inverse of listDependents, by
 * the same rule): nobody once the child is 14, and no parent guessed from a household's ages.
 */
export async function guardiansOf(db: Db, childPersonId: string, today: Date = new Date()): Promise<{ child: { id: string; ho_ten: string }; guardians: string[] } | null> {
  const child = await db.selectFrom('person').select(['id', 'ho_ten', 'ngay_sinh', 'birth_year']).where('id', '=', childPersonId).executeTakeFirst();
  const age = child ? ageOn(child.ngay_sinh, child.birth_year, today) : null;
  if (!child || age === null || age >= DEPENDENT_MAX_AGE) return null;
  const rows = await db
    .selectFrom('person_relation')
    .select('related_person_id')
    .distinct()
    .where('person_id', '=', childPersonId)
    .where('relation', 'in', ['parent', 'guardian'])
    .where('removed_at', 'is', null)
    .where('source', '<>', 'household_age')
    .where('related_person_id', '<>', childPersonId)
    .orderBy('related_person_id')
    .execute();
  return { child: { id: child.id, ho_ten: child.ho_ten }, guardians: rows.map((r) => r.related_person_id) };
}
