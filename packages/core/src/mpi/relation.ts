import { searchKey } from '../text/vietnamese.ts';
import type { RecordIssue } from './record.ts';

/**
 * Families from population lists: the relation-to-household-head column (quan hệ với chủ hộ),
 * ages on a Vietnam date, and the conservative rules that turn a household into parent → child
 * pairs. Pure: the server loads households and writes person_relation (server/person/families.ts).
 */

/** Relation of a household member to the head of the household, as population lists record it. */
export const HOUSEHOLD_RELATIONS = ['head', 'spouse', 'child', 'child_in_law', 'grandchild', 'parent', 'grandparent', 'sibling', 'other'] as const;
export type HouseholdRelation = (typeof HOUSEHOLD_RELATIONS)[number];

/** Cháu nội is a son's child, cháu ngoại a daughter's: it tells which of the head's children is the parent. */
export type Lineage = 'paternal' | 'maternal';

export interface HouseholdRelationValue {
  code: HouseholdRelation;
  lineage?: Lineage | undefined;
}

/**
 * Labels seen in commune registers and the national population database exports. Matching ignores
 * case, diacritics, punctuation and spaces, so "Con đẻ", "CON DE" and "con-đẻ" are one label. In-laws
 * of the head, step-relations and collateral kin are 'other' on purpose: no parent of a child can be
 * read from them. The canonical codes themselves are accepted too (lists converted by other tools).
 * "Ba" (father, in the South) is left out: typed without diacritics it is "Bà", a grandmother.
 */
const RELATION_LABELS: ReadonlyArray<{ code: HouseholdRelation; lineage?: Lineage; labels: readonly string[] }> = [
  { code: 'head', labels: ['Chủ hộ', 'CH', 'Chủ hộ gia đình', 'Chủ gia đình', 'Là chủ hộ'] },
  { code: 'spouse', labels: ['Vợ', 'Chồng', 'Vợ/chồng', 'Vợ chủ hộ', 'Chồng chủ hộ'] },
  { code: 'child', labels: ['Con', 'Con đẻ', 'Con ruột', 'Con nuôi', 'Con trai', 'Con gái', 'Con chủ hộ', 'Con đẻ/con nuôi'] },
  { code: 'child_in_law', labels: ['Con dâu', 'Con rể', 'Dâu', 'Rể'] },
  { code: 'grandchild', labels: ['Cháu', 'Cháu ruột', 'Cháu chủ hộ'] },
  { code: 'grandchild', lineage: 'paternal', labels: ['Cháu nội'] },
  { code: 'grandchild', lineage: 'maternal', labels: ['Cháu ngoại'] },
  { code: 'parent', labels: ['Bố', 'Cha', 'Mẹ', 'Bố đẻ', 'Cha đẻ', 'Mẹ đẻ', 'Bố ruột', 'Cha ruột', 'Mẹ ruột', 'Má', 'Bố mẹ', 'Cha mẹ'] },
  { code: 'grandparent', labels: ['Ông', 'Bà', 'Ông nội', 'Bà nội', 'Ông ngoại', 'Bà ngoại', 'Ông bà'] },
  {
    code: 'sibling',
    labels: ['Anh', 'Chị', 'Em', 'Anh ruột', 'Chị ruột', 'Em ruột', 'Anh trai', 'Chị gái', 'Em trai', 'Em gái', 'Anh chị em', 'Anh chị em ruột'],
  },
  {
    code: 'other',
    labels: [
      'Khác', 'Quan hệ khác', 'Người khác', 'Ở nhờ', 'Người ở nhờ', 'Ở thuê', 'Người ở thuê', 'Người giúp việc', 'Bạn',
      'Bố vợ', 'Mẹ vợ', 'Bố chồng', 'Mẹ chồng', 'Cha vợ', 'Cha chồng', 'Bố dượng', 'Cha dượng', 'Mẹ kế', 'Dì ghẻ', 'Con riêng',
      'Con riêng của vợ', 'Con riêng của chồng', 'Con vợ', 'Con chồng', 'Chắt', 'Chắt nội', 'Chắt ngoại',
      'Cô', 'Dì', 'Chú', 'Bác', 'Cậu', 'Mợ', 'Thím', 'Dượng', 'Anh rể', 'Chị dâu', 'Em rể', 'Em dâu', 'Cháu rể', 'Cháu dâu',
    ],
  },
  ...HOUSEHOLD_RELATIONS.map((code) => ({ code, labels: [code] })),
];

/** A label's key with and without spaces: registers type "CHUHO" as often as "Chủ hộ". */
const labelKeys = (label: string): string[] => {
  const k = searchKey(label);
  return [k, k.replace(/ /g, '')];
};

const BY_KEY: ReadonlyMap<string, HouseholdRelationValue> = (() => {
  const out = new Map<string, HouseholdRelationValue>();
  for (const { code, lineage, labels } of RELATION_LABELS) {
    for (const label of labels) {
      for (const k of labelKeys(label)) {
        const prev = out.get(k);
        // A table edit that gives one spelling two meanings must fail loudly, not pick one silently.
        if (prev && (prev.code !== code || prev.lineage !== lineage)) throw new Error(`relation label "${label}" (${k}) is both ${prev.code} and ${code}`);
        out.set(k, lineage ? { code, lineage } : { code });
      }
    }
  }
  return out;
})();

export type HouseholdRelationResult = { ok: true; value: HouseholdRelationValue | undefined } | { ok: false; issue: RecordIssue };

/** Reads a relation-to-head cell: blank → no value; an unknown label → a row warning (the raw text is still kept). */
export function householdRelation(raw: string | null | undefined): HouseholdRelationResult {
  const k = searchKey(raw ?? '');
  if (k === '') return { ok: true, value: undefined };
  const hit = BY_KEY.get(k) ?? BY_KEY.get(k.replace(/ /g, ''));
  if (hit) return { ok: true, value: hit };
  const shown = (raw ?? '').trim().slice(0, 60);
  return {
    ok: false,
    issue: {
      field: 'quan_he_chu_ho',
      code: 'RELATION_UNKNOWN',
      severity: 'warning',
      message_vi: `Quan hệ với chủ hộ "${shown}" không rõ; không dùng để xác định cha mẹ – con.`,
      message_en: `Relation to household head "${shown}" not recognised; not used to find parents and children.`,
    },
  };
}

/** Adults may be guardians; a person under this age may have one. */
export const ADULT_AGE = 18;

export interface AgeBounds {
  /** Age if born on the latest day the known parts allow. */
  min: number;
  /** Age if born on the earliest day the known parts allow. */
  max: number;
}

const BIRTH = /^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?/;

function yearsBetween(y: number, m: number, d: number, today: string): number {
  const ty = Number(today.slice(0, 4));
  const tm = Number(today.slice(5, 7));
  const td = Number(today.slice(8, 10));
  // Someone born on 29 February is a year older on 1 March in common years.
  return ty - y - (tm < m || (tm === m && td < d) ? 1 : 0);
}

/**
 * Whole years on `today` (a Vietnam date, 'YYYY-MM-DD'; see vietnamToday) from a person's birth
 * date as stored (yyyy-mm-dd, yyyy-mm or yyyy) or the birth year. A birth date known only to the
 * month or year gives a range: callers pick the bound that errs on the safe side (the oldest age
 * to end a parent's view, the youngest to call someone an adult).
 */
export function ageBounds(ngaySinh: string | null | undefined, birthYear: number | null | undefined, today: string): AgeBounds | null {
  const m = BIRTH.exec(ngaySinh ?? '');
  const y = m ? Number(m[1]) : birthYear;
  if (!y) return null;
  const mo = m?.[2] && m[2] !== '00' ? Number(m[2]) : undefined;
  const d = m?.[3] && m[3] !== '00' ? Number(m[3]) : undefined;
  const lastDay = (month: number) => new Date(Date.UTC(y, month, 0)).getUTCDate();
  const max = yearsBetween(y, mo ?? 1, d ?? 1, today);
  const min = yearsBetween(y, mo ?? 12, d ?? lastDay(mo ?? 12), today);
  return { min, max };
}

/** A person of a household as the derivation sees it. */
export interface HouseholdMember {
  personId: string;
  /** Non-blank relation-to-head values of the member's records in this household (raw text). */
  relationLabels: readonly string[];
  ngaySinh: string | null;
  birthYear: number | null;
  /** 1 male, 2 female (XML 130 codes); anything else unknown. */
  sex: number | null;
}

export type DerivedRule = 'population_relation' | 'household_age';

export interface DerivedParent {
  childId: string;
  parentId: string;
  rule: DerivedRule;
}

/** With relation labels: a labelled parent must be at least this many birth years older (catches swapped labels). */
export const LABELLED_MIN_GAP = 14;
/** Without labels: how many birth years older than a child an adult must be to be taken as a parent. */
export const AGE_RULE_GAP = { min: 16, max: 40 } as const;
/** Without labels: two candidate parents must be born within this many years of each other (a couple, not parent and grandparent). */
export const AGE_RULE_COUPLE_SPREAD = 15;

interface Known {
  m: HouseholdMember;
  year: number;
  age: AgeBounds;
  /** Undefined when the member's records carry no label, an unknown one, or labels that disagree. */
  rel?: HouseholdRelationValue | undefined;
}

const isMinor = (k: Known) => k.age.max < ADULT_AGE;
const isAdult = (k: Known) => k.age.min >= ADULT_AGE;
const gap = (parent: Known, child: Known) => child.year - parent.year;

function understood(m: HouseholdMember, today: string): Known | undefined {
  const age = ageBounds(m.ngaySinh, m.birthYear, today);
  if (!age) return undefined;
  const year = Number((m.ngaySinh ?? '').slice(0, 4)) || m.birthYear!;
  const parsed = m.relationLabels.map(householdRelation);
  const values = parsed.flatMap((p) => (p.ok && p.value ? [p.value] : []));
  const distinct = new Set(values.map((v) => `${v.code}/${v.lineage ?? ''}`));
  const unclear = parsed.some((p) => !p.ok) || distinct.size > 1;
  return { m, year, age, rel: unclear ? undefined : values[0] };
}

/** Rules when the list says how each member relates to the head (documented in docs/architecture.md, "Families"). */
function byRelation(known: readonly Known[]): DerivedParent[] {
  const out: DerivedParent[] = [];
  const add = (child: Known, parent: Known) => out.push({ childId: child.m.personId, parentId: parent.m.personId, rule: 'population_relation' });
  const withCode = (code: HouseholdRelation) => known.filter((k) => k.rel?.code === code);
  const heads = withCode('head');
  // Every label is relative to the head: without exactly one, none of them can be read.
  if (heads.length !== 1) return out;
  const head = heads[0]!;
  const spouses = withCode('spouse');
  const headCouple = spouses.length === 1 ? [head, spouses[0]!] : [head];
  const canParent = (p: Known, c: Known) => isAdult(p) && gap(p, c) >= LABELLED_MIN_GAP;

  for (const child of withCode('child').filter(isMinor)) {
    for (const p of headCouple) if (canParent(p, child)) add(child, p);
  }
  // A grandchild's parent is one of the head's children, but which one only the household can tell:
  // only when exactly one of them could be, and cháu nội/ngoại agrees with that child's sex.
  for (const grandchild of withCode('grandchild').filter(isMinor)) {
    const parents = withCode('child').filter((c) => canParent(c, grandchild));
    if (parents.length !== 1) continue;
    const parent = parents[0]!;
    const lineage = grandchild.rel?.lineage;
    if (lineage && parent.m.sex !== (lineage === 'paternal' ? 1 : 2)) continue;
    add(grandchild, parent);
    const inLaws = withCode('child_in_law').filter((c) => canParent(c, grandchild));
    const inLaw = inLaws[0];
    if (inLaws.length === 1 && (parent.m.sex === 1 || parent.m.sex === 2) && (inLaw!.m.sex === 1 || inLaw!.m.sex === 2) && inLaw!.m.sex !== parent.m.sex) {
      add(grandchild, inLaw!);
    }
  }
  // A minor head of household (orphaned siblings, young couples) with their own parents listed.
  if (isMinor(head)) {
    const parents = withCode('parent').filter((p) => canParent(p, head));
    if (parents.length >= 1 && parents.length <= 2) for (const p of parents) add(head, p);
  }
  return out;
}

/** Rule when the list has household ids but no relations: only an unambiguous pair of generations. */
function byAge(known: readonly Known[]): DerivedParent[] {
  const out: DerivedParent[] = [];
  for (const child of known.filter(isMinor)) {
    const candidates = known.filter((k) => k !== child && isAdult(k) && gap(k, child) >= AGE_RULE_GAP.min && gap(k, child) <= AGE_RULE_GAP.max);
    if (candidates.length === 2) {
      const [a, b] = candidates as [Known, Known];
      const couple = (a.m.sex === 1 || a.m.sex === 2) && (b.m.sex === 1 || b.m.sex === 2) && a.m.sex !== b.m.sex && Math.abs(a.year - b.year) <= AGE_RULE_COUPLE_SPREAD;
      if (!couple) continue;
    } else if (candidates.length !== 1) continue;
    for (const p of candidates) out.push({ childId: child.m.personId, parentId: p.m.personId, rule: 'household_age' });
  }
  return out;
}

/**
 * Parent → child pairs one household supports on `today` (a Vietnam date). A household whose list
 * carries relation labels is read only through them (an unknown label counts as carried: the list
 * meant something the age rule would only guess at); otherwise the age rule applies. Members
 * without a birth year take no part. Children are minors (certainly under 18), parents adults
 * (certainly 18 or more).
 */
export function householdParents(members: readonly HouseholdMember[], today: string): DerivedParent[] {
  const known = members.map((m) => understood(m, today)).filter((k): k is Known => k !== undefined);
  const labelled = members.some((m) => m.relationLabels.length > 0);
  const pairs = labelled ? byRelation(known) : byAge(known);
  const seen = new Set<string>();
  return pairs.filter((p) => {
    const k = `${p.childId}\u0000${p.parentId}`;
    if (p.childId === p.parentId || seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
