import { cleanText, DomainError, invalid, vietnamToday } from '@openhssk/core';
import { ADULT_AGE, ageBounds, type DerivedRule, type HouseholdMember, householdParents } from '@openhssk/core/mpi';
import { sql } from 'kysely';
import { type Actor, audit } from '../audit/index.ts';
import type { Db } from '../db/index.ts';

/**
 * Who is a child's parent or guardian (person_relation: person_id = child, related_person_id =
 * parent/guardian). Derived from population lists after linking, and entered or confirmed by staff
 * with proof; a staff decision always wins over a derivation. Rules: docs/architecture.md, "Families".
 */

export type RelationSource = DerivedRule | 'staff_confirmed' | 'demo';
export type GuardianRelation = 'parent' | 'guardian';
export type ProofType = 'birth_certificate' | 'court_decision' | 'guardianship_registration';

/** The sources a derivation run owns; every other row (staff, demo, tests) it leaves alone. */
const DERIVED_SOURCES: readonly DerivedRule[] = ['population_relation', 'household_age'];

/** Which document proves which relation: a birth certificate names parents, never a guardian. */
export const PROOF_TYPES: Readonly<Record<ProofType, readonly GuardianRelation[]>> = {
  birth_certificate: ['parent'],
  court_decision: ['parent', 'guardian'],
  guardianship_registration: ['guardian'],
};

const CHUNK = 5000;
const pairKey = (child: string, parent: string) => `${child}\u0000${parent}`;

export interface DerivationStats {
  /** Households (source, commune, household id) with two or more members. */
  households: number;
  /** Parent → child pairs the households support now. */
  pairs: number;
  added: number;
  /** Derived rows whose rule changed (e.g. a relation column arrived for an age-derived pair). */
  changed: number;
  removed: number;
}

/** One linked record with a household, as a page's JSON carries it (arrays keep the text small). */
type HouseholdRow = [
  source_system: string, source_id: string, ma_xa: string, ma_ho_gia_dinh: string, quan_he_chu_ho: string | null, person_id: string,
  ngay_sinh: string | null, birth_year: number | null, gioi_tinh: number | null,
];

/**
 * Household of a record: a household id means something only within the list that issued it (the
 * BHXH household code is not the population register's) and the commune, so all three are the key.
 */
function householdKey([system, , maXa, maHo]: HouseholdRow): string | undefined {
  const commune = maXa.replace(/\s/g, '');
  const household = maHo.replace(/\s/g, '').toUpperCase();
  if (!/^\d{5}$/.test(commune) || household === '') return undefined;
  return `${system}\u0000${commune}\u0000${household}`;
}

/**
 * Re-derives parent → child relations from the households of all linked source records and brings
 * the derived rows of person_relation in line: new pairs added, pairs no longer supported removed.
 * Idempotent. Rows entered, confirmed or removed by staff, and demo rows, are never touched, and a
 * pair that has any such row gets no derived row. Meant to run in relinkAll's transaction, after the
 * links are written (source_record.person_id is what places a person in a household).
 */
export async function deriveHouseholdRelations(
  tx: Db,
  options: { today?: string | undefined; pageSize?: number | undefined; log?: ((message: string) => void) | undefined } = {},
): Promise<DerivationStats> {
  const t0 = performance.now();
  const log = options.log ?? (() => {});
  const today = options.today ?? vietnamToday();
  const pageSize = options.pageSize ?? 50_000;
  const households = new Map<string, Map<string, HouseholdMember & { relationLabels: string[] }>>();
  // Per list and person, the one household the list puts them in; '' when it names two (a duplicate
  // registration or a move between imports): such a person is left out of that list's households.
  const placed = new Map<string, string>();
  let after: [string, string] | undefined;
  for (;;) {
    // One JSON text per page: PGlite hands rows to JavaScript one by one, which measured 3x slower
    // than parsing the page's records from a single string.
    const page = await sql<{ rows: string | null }>`
      select json_agg(json_build_array(x.source_system, x.source_id, x.ma_xa, x.ma_ho_gia_dinh, x.quan_he_chu_ho, x.person_id,
             x.ngay_sinh, x.birth_year, x.gioi_tinh) order by x.source_system, x.source_id)::text as rows
      from (select sr.source_system, sr.source_id, sr.ma_xa, sr.ma_ho_gia_dinh, sr.quan_he_chu_ho, sr.person_id,
                   p.ngay_sinh, p.birth_year, p.gioi_tinh
            from source_record sr join person p on p.id = sr.person_id
            where sr.ma_xa is not null and sr.ma_ho_gia_dinh is not null
              and ${after ? sql`(sr.source_system, sr.source_id) > (${after[0]}, ${after[1]})` : sql`true`}
            order by sr.source_system, sr.source_id
            limit ${pageSize}) x`.execute(tx);
    const rows: HouseholdRow[] = JSON.parse(page.rows[0]?.rows ?? '[]');
    for (const r of rows) {
      const key = householdKey(r);
      if (!key) continue;
      const [system, , , , label, personId, ngaySinh, birthYear, sex] = r;
      const who = `${system}\u0000${personId}`;
      const prev = placed.get(who);
      placed.set(who, prev === undefined || prev === key ? key : '');
      let members = households.get(key);
      if (!members) {
        members = new Map();
        households.set(key, members);
      }
      let m = members.get(personId);
      if (!m) {
        m = { personId, relationLabels: [], ngaySinh, birthYear, sex };
        members.set(personId, m);
      }
      const text = label?.trim();
      if (text) m.relationLabels.push(text);
    }
    const last = rows.at(-1);
    if (!last || rows.length < pageSize) break;
    after = [last[0], last[1]];
  }

  log(`families: loaded ${households.size} households in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const wanted = new Map<string, { c: string; p: string; s: DerivedRule }>();
  let counted = 0;
  for (const [key, byPerson] of households) {
    const system = key.slice(0, key.indexOf('\u0000'));
    const members = [...byPerson.values()].filter((m) => placed.get(`${system}\u0000${m.personId}`) === key);
    if (members.length < 2) continue;
    counted++;
    for (const d of householdParents(members, today)) {
      const k = pairKey(d.childId, d.parentId);
      // Two lists may support one pair: the relation column is the stronger evidence.
      if (wanted.get(k)?.s !== 'population_relation') wanted.set(k, { c: d.childId, p: d.parentId, s: d.rule });
    }
  }

  log(`families: ${wanted.size} pairs in ${counted} households after ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const derived = sql`${[...DERIVED_SOURCES]}::text[]`;
  const existingJson = await sql<{ rows: string | null }>`
    select json_agg(json_build_array(person_id, related_person_id, relation, source))::text as rows
    from person_relation where source = any(${derived}) and decided_at is null`.execute(tx);
  const existing: Array<[child: string, parent: string, relation: string, source: string]> = JSON.parse(existingJson.rows[0]?.rows ?? '[]');
  const have = new Map<string, string>();
  const stale: Array<{ c: string; p: string; r: string }> = [];
  for (const [child, parent, relation, source] of existing) {
    const k = pairKey(child, parent);
    if (relation === 'parent' && wanted.has(k)) have.set(k, source);
    else stale.push({ c: child, p: parent, r: relation });
  }
  const fresh = [...wanted].filter(([k]) => !have.has(k)).map(([, v]) => v);
  const moved = [...wanted].filter(([k, v]) => have.has(k) && have.get(k) !== v.s).map(([, v]) => v);

  let added = 0;
  let changed = 0;
  let removed = 0;
  for (let i = 0; i < fresh.length; i += CHUNK) {
    const json = JSON.stringify(fresh.slice(i, i + CHUNK));
    // Any other row for the pair (staff, demo, removed by staff) means the pair is not ours to add.
    const r = await sql`insert into person_relation (person_id, related_person_id, relation, source)
      select x.c, x.p, 'parent', x.s from jsonb_to_recordset(${json}::jsonb) as x(c text, p text, s text)
      where not exists (select 1 from person_relation r where r.person_id = x.c and r.related_person_id = x.p)
      on conflict do nothing`.execute(tx);
    added += Number(r.numAffectedRows ?? 0);
  }
  for (let i = 0; i < moved.length; i += CHUNK) {
    const json = JSON.stringify(moved.slice(i, i + CHUNK));
    const r = await sql`update person_relation r set source = x.s
      from jsonb_to_recordset(${json}::jsonb) as x(c text, p text, s text)
      where r.person_id = x.c and r.related_person_id = x.p and r.relation = 'parent'
        and r.source = any(${derived}) and r.decided_at is null`.execute(tx);
    changed += Number(r.numAffectedRows ?? 0);
  }
  for (let i = 0; i < stale.length; i += CHUNK) {
    const json = JSON.stringify(stale.slice(i, i + CHUNK));
    // Re-checked in the statement: a staff decision taken since the read above keeps its row.
    const r = await sql`delete from person_relation r using jsonb_to_recordset(${json}::jsonb) as x(c text, p text, r text)
      where r.person_id = x.c and r.related_person_id = x.p and r.relation = x.r
        and r.source = any(${derived}) and r.decided_at is null`.execute(tx);
    removed += Number(r.numAffectedRows ?? 0);
  }
  log(`families: +${added} ~${changed} -${removed} relations in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return { households: counted, pairs: wanted.size, added, changed, removed };
}

export interface GuardianDecision {
  childId: string;
  guardianId: string;
  relation: GuardianRelation;
  proofType: ProofType;
  /** Number of the birth certificate (số giấy khai sinh), court decision or guardianship registration. */
  proofNumber: string;
  note?: string | undefined;
}

export interface RelationRow {
  child_id: string;
  guardian_id: string;
  relation: GuardianRelation;
  source: string;
  proof_type: ProofType | null;
  proof_number: string | null;
  note: string | null;
  decided_by: string | null;
  decided_at: Date | null;
  removed_at: Date | null;
  removal_reason: string | null;
}

interface PersonAge {
  id: string;
  ngay_sinh: string | null;
  birth_year: number | null;
}

async function personAges(db: Db, ids: readonly string[]): Promise<Map<string, PersonAge>> {
  const rows = await db.selectFrom('person').select(['id', 'ngay_sinh', 'birth_year']).where('id', 'in', [...ids]).execute();
  return new Map(rows.map((r) => [r.id, r]));
}

const personNotFound = () => new DomainError('not_found', 'PERSON_NOT_FOUND', 'Không tìm thấy người này trong danh sách.', 'No such person.');

/** The document number as typed, cleaned; refused when it cannot be a document number. */
function proofNumber(raw: string): string {
  const v = cleanText(raw);
  // Numbers look like "123/2015", "Số 45, quyển 01" or "12/2023/QĐ-TA": any text, but with a digit.
  if (v.length < 1 || v.length > 64 || !/\d/.test(v) || /[\u0000-\u001f\u007f]/.test(v)) {
    throw invalid('PROOF_NUMBER_INVALID', 'Số giấy tờ chứng minh không hợp lệ (1–64 ký tự, có ít nhất một chữ số).', 'The proof document number is invalid (1–64 characters, at least one digit).');
  }
  return v;
}

/**
 * Staff enter or confirm that `guardianId` is the parent or guardian of `childId`, with the proof
 * they saw. The child must be under 18 (by the youngest age the birth date allows), the guardian 18
 * or more (by the youngest age too), and the two different persons. Another kind of relation held
 * for the same pair (e.g. a derived 'parent' when staff confirm a 'guardian') is marked removed, so
 * the pair has one meaning. Audited on both persons in the same transaction.
 */
export async function confirmGuardian(db: Db, d: GuardianDecision, actor: Actor, requestId?: string): Promise<RelationRow> {
  if (d.childId === d.guardianId) {
    throw invalid('RELATION_SAME_PERSON', 'Trẻ và cha mẹ/người giám hộ phải là hai người khác nhau.', 'The child and the parent or guardian must be different persons.');
  }
  if (!PROOF_TYPES[d.proofType].includes(d.relation)) {
    throw invalid(
      'PROOF_TYPE_MISMATCH',
      'Giấy khai sinh chỉ chứng minh quan hệ cha mẹ – con; người giám hộ cần quyết định của tòa án hoặc trích lục đăng ký giám hộ.',
      'A birth certificate proves parenthood only; a guardian needs a court decision or a guardianship registration.',
    );
  }
  const number = proofNumber(d.proofNumber);
  const note = d.note ? cleanText(d.note).slice(0, 500) || null : null;
  const today = vietnamToday();
  const ages = await personAges(db, [d.childId, d.guardianId]);
  const child = ages.get(d.childId);
  const guardian = ages.get(d.guardianId);
  if (!child || !guardian) throw personNotFound();
  const childAge = ageBounds(child.ngay_sinh, child.birth_year, today);
  if (!childAge) throw invalid('CHILD_BIRTH_DATE_UNKNOWN', 'Chưa có ngày sinh của trẻ: không kiểm tra được tuổi.', 'The child’s birth date is unknown: the age cannot be checked.');
  if (childAge.min >= ADULT_AGE) throw invalid('CHILD_NOT_MINOR', 'Trẻ phải dưới 18 tuổi.', 'The child must be under 18.');
  const guardianAge = ageBounds(guardian.ngay_sinh, guardian.birth_year, today);
  if (!guardianAge) throw invalid('GUARDIAN_BIRTH_DATE_UNKNOWN', 'Chưa có ngày sinh của cha mẹ/người giám hộ: không kiểm tra được tuổi.', 'The guardian’s birth date is unknown: the age cannot be checked.');
  if (guardianAge.min < ADULT_AGE) throw invalid('GUARDIAN_NOT_ADULT', 'Cha mẹ/người giám hộ phải đủ 18 tuổi.', 'The parent or guardian must be 18 or older.');

  return db.transaction().execute(async (tx) => {
    const now = new Date();
    const row = await tx
      .insertInto('person_relation')
      .values({
        person_id: d.childId, related_person_id: d.guardianId, relation: d.relation, source: 'staff_confirmed',
        proof_type: d.proofType, proof_number: number, note, decided_by: actor.id, decided_at: now, removed_at: null, removal_reason: null,
      })
      .onConflict((oc) =>
        oc.columns(['person_id', 'related_person_id', 'relation']).doUpdateSet({
          source: 'staff_confirmed', proof_type: d.proofType, proof_number: number, note, decided_by: actor.id, decided_at: now,
          removed_at: null, removal_reason: null,
        }),
      )
      .returningAll()
      .executeTakeFirstOrThrow();
    await tx
      .updateTable('person_relation')
      .set({ removed_at: now, removal_reason: `Thay bằng quan hệ đã xác nhận (${d.relation})`, decided_by: actor.id, decided_at: now })
      .where('person_id', '=', d.childId)
      .where('related_person_id', '=', d.guardianId)
      .where('relation', '!=', d.relation)
      .where('removed_at', 'is', null)
      .execute();
    const detail = { child_id: d.childId, guardian_id: d.guardianId, relation: d.relation, proof_type: d.proofType };
    for (const personId of [d.childId, d.guardianId]) {
      await audit(tx, { actor, action: 'family.relation.confirm', personId, resource: `person_relation/${d.childId}/${d.guardianId}`, requestId, detail });
    }
    return relationRow(row);
  });
}

/** Staff remove a wrong relation; the row stays, marked, so no later derivation adds it back. Audited. */
export async function removeGuardian(db: Db, r: { childId: string; guardianId: string; reason: string }, actor: Actor, requestId?: string): Promise<{ removed: number }> {
  const reason = cleanText(r.reason);
  if (reason.length < 5 || reason.length > 500) {
    throw invalid('REASON_INVALID', 'Cần ghi lý do gỡ quan hệ (5–500 ký tự).', 'A reason for the removal is required (5–500 characters).');
  }
  return db.transaction().execute(async (tx) => {
    const now = new Date();
    const rows = await tx
      .updateTable('person_relation')
      .set({ removed_at: now, removal_reason: reason, decided_by: actor.id, decided_at: now })
      .where('person_id', '=', r.childId)
      .where('related_person_id', '=', r.guardianId)
      .where('removed_at', 'is', null)
      .returning('relation')
      .execute();
    if (rows.length === 0) {
      throw new DomainError('not_found', 'RELATION_NOT_FOUND', 'Không có quan hệ cha mẹ/giám hộ nào giữa hai người này.', 'These two persons have no parent or guardian relation.');
    }
    const detail = { child_id: r.childId, guardian_id: r.guardianId, relations: rows.map((x) => x.relation) };
    for (const personId of [r.childId, r.guardianId]) {
      await audit(tx, { actor, action: 'family.relation.remove', personId, resource: `person_relation/${r.childId}/${r.guardianId}`, requestId, detail });
    }
    return { removed: rows.length };
  });
}

function relationRow(r: {
  person_id: string; related_person_id: string; relation: GuardianRelation; source: string; proof_type: ProofType | null; proof_number: string | null;
  note: string | null; decided_by: string | null; decided_at: Date | null; removed_at: Date | null; removal_reason: string | null;
}): RelationRow {
  return {
    child_id: r.person_id, guardian_id: r.related_person_id, relation: r.relation, source: r.source, proof_type: r.proof_type,
    proof_number: r.proof_number, note: r.note, decided_by: r.decided_by, decided_at: r.decided_at, removed_at: r.removed_at,
    removal_reason: r.removal_reason,
  };
}

/** Every relation (removed ones included, for the history) where the person is the child or the parent/guardian. */
export async function relationsOf(db: Db, personId: string): Promise<{ guardians: RelationRow[]; children: RelationRow[] }> {
  const rows = await db
    .selectFrom('person_relation')
    .selectAll()
    .where((eb) => eb.or([eb('person_id', '=', personId), eb('related_person_id', '=', personId)]))
    .orderBy('created_at')
    .execute();
  const all = rows.map(relationRow);
  return { guardians: all.filter((r) => r.child_id === personId), children: all.filter((r) => r.guardian_id === personId) };
}
