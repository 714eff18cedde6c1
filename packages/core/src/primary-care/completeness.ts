import { ageBounds } from '../mpi/relation.ts';
import { certainlyApplies, FORM_831, type PersonFacts, type SectionDef, type SectionKey } from './form.ts';

/** What is stored for one section of one person, as completeness needs it. */
export interface SectionState {
  /** Fields with a value in the single section. */
  fields: ReadonlySet<string>;
  /** Items of a list section not marked removed. */
  liveItems: number;
  /** "None" recorded for a list section (no known allergy, no surgery…). */
  none: boolean;
}

/** A section is filled when its key fields are set (single) or it has a live item or an explicit "none" (list). */
export function sectionFilled(def: SectionDef, state: SectionState | undefined): boolean {
  if (!state) return false;
  if (def.kind === 'list') return state.liveItems > 0 || state.none;
  return (def.filledWhen ?? []).length > 0 && def.filledWhen!.every((f) => state.fields.has(f));
}

export function filledSections(states: ReadonlyMap<string, SectionState>): SectionKey[] {
  return FORM_831.filter((d) => sectionFilled(d, states.get(d.key))).map((d) => d.key);
}

export interface Completeness {
  /** Sections this person's record needs (by age and sex). */
  required: SectionKey[];
  filled: SectionKey[];
  missing: SectionKey[];
  /** The "đủ" criterion: every required section filled. */
  complete: boolean;
}

/**
 * The "đủ" (complete) criterion for one person's 831 record: every section required for the
 * person's age and sex is filled. Which sections are required is the form's data (requiredFor).
 */
export function completeness(person: PersonFacts, filled: Iterable<string>): Completeness {
  const have = new Set(filled);
  const required = FORM_831.filter((d) => certainlyApplies(d.requiredFor, person)).map((d) => d.key);
  const missing = required.filter((k) => !have.has(k));
  return { required, filled: FORM_831.filter((d) => have.has(d.key)).map((d) => d.key), missing, complete: missing.length === 0 };
}

/**
 * Sex and age of a person on a Vietnam date. An unknown month or day counts as 1 January (the older
 * bound), as the citizen book does for a child's age.
 */
export function personFacts(ngaySinh: string | null, birthYear: number | null, gioiTinh: number | null, today: string): PersonFacts {
  return { sex: gioiTinh === 1 || gioiTinh === 2 ? gioiTinh : null, age: ageBounds(ngaySinh, birthYear, today)?.max ?? null };
}
