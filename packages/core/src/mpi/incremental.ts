import { compareBirthDates, DateLevel, parseBirthDate } from './dates.ts';
import { linkRecords, type LinkOptions, type MatchModel } from './match.ts';
import type { MpiRecord } from './record.ts';
import { jaroWinkler } from './similarity.ts';

/** An already linked source record that shares a blocking key with the incoming one. */
export interface LinkedCandidate {
  record: MpiRecord;
  personId: string;
}

/** A pair for a reviewer: the incoming record against one record of another person. */
export interface IncomingReview {
  candidate: number;
  score: number;
  reasons: string[];
}

export interface IncomingDecision {
  /** The person the record joins; undefined when it is someone new. */
  personId?: string | undefined;
  /** Other persons the record also matched: the next global relink or a reviewer decides them. */
  alsoMatched: string[];
  /** At most one pair per other person, strongest first. */
  reviews: IncomingReview[];
  /** Candidates of other persons carrying the same CCCD/BHXH number (a data error in one of them). */
  sharedIdWith: number[];
}

/**
 * Decides where one new source record belongs, against the records of the persons it shares a
 * block with, using the same scoring and guard rules as the global link and a model the global
 * link estimated. The candidates' persons are taken as they are: this never splits or merges
 * existing persons, it only places the newcomer (joining the person most of its matches belong to
 * when it would bridge several, which are then left to review).
 */
export function decideIncoming(
  record: MpiRecord,
  candidates: readonly LinkedCandidate[],
  model: MatchModel,
  options: Omit<LinkOptions, 'model'> & {
    /** The record's person so far: kept whenever it is among the persons matched (a changed record stays put). */
    current?: string | undefined;
  } = {},
): IncomingDecision {
  if (candidates.length === 0) return { alsoMatched: [], reviews: [], sharedIdWith: [] };
  const { current: _current, ...linkOptions } = options;
  // The candidates are a neighbourhood, not every record of their names (LinkOptions.partialView).
  const r = linkRecords([record, ...candidates.map((c) => c.record)], { ...linkOptions, model, partialView: true });
  const own = r.clusterOf[0];
  const votes = new Map<string, number>();
  candidates.forEach((c, j) => {
    if (r.clusterOf[j + 1] === own) votes.set(c.personId, (votes.get(c.personId) ?? 0) + 1);
  });
  const ranked = [...votes]
    .sort((a, b) => Number(b[0] === options.current) - Number(a[0] === options.current) || b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([p]) => p);
  const personId = ranked[0];
  const best = new Map<string, IncomingReview>();
  for (const p of r.reviewPairs) {
    if (p.a !== 0 && p.b !== 0) continue;
    const candidate = (p.a === 0 ? p.b : p.a) - 1;
    const other = candidates[candidate]!.personId;
    if (other === personId) continue;
    const prev = best.get(other);
    if (!prev || p.score > prev.score) best.set(other, { candidate, score: p.score, reasons: p.reasons });
  }
  const sharedIdWith = r.sharedIdPairs
    .filter((p) => p.a === 0 || p.b === 0)
    .map((p) => (p.a === 0 ? p.b : p.a) - 1)
    .filter((j) => candidates[j]!.personId !== personId);
  return { personId, alsoMatched: ranked.slice(1), reviews: [...best.values()].sort((a, b) => b.score - a.score), sharedIdWith };
}

/**
 * Blocking keys of one record, as stored with it (source_record.match_keys) so that a newcomer's
 * candidates are one indexed lookup: its ids, phone, household, name with birth year, family and
 * given name with birth year (a dropped middle name), and the full birth date (a mistyped name).
 */
export function matchKeys(r: MpiRecord): string[] {
  const keys: string[] = [`N:${r.nameKey}|${r.birthYear}`];
  if (r.cccd && !r.cccdMismatch) keys.push(`C:${r.cccd}`);
  if (r.bhxh) keys.push(`B:${r.bhxh}`);
  if (r.cmnd) keys.push(`M:${r.cmnd}`);
  if (r.phone) keys.push(`P:${r.phone}`);
  if (r.householdId && r.communeCode) keys.push(`H:${r.communeCode}|${r.householdId}`);
  if (r.familyKey && r.givenKey) keys.push(`F:${r.familyKey}|${r.givenKey}|${r.birthYear}`);
  if (r.birthMonth && r.birthDay) keys.push(`D:${r.birthYear}-${r.birthMonth}-${r.birthDay}`);
  return keys;
}

/**
 * The keys to look a newcomer's candidates up with: its own, plus its name in the neighbouring
 * birth years and its birth date with day and month swapped, which the scoring tolerates.
 */
export function lookupKeys(r: MpiRecord): string[] {
  const keys = matchKeys(r);
  keys.push(`N:${r.nameKey}|${r.birthYear - 1}`, `N:${r.nameKey}|${r.birthYear + 1}`);
  if (r.birthMonth && r.birthDay && r.birthDay <= 12 && r.birthDay !== r.birthMonth) keys.push(`D:${r.birthYear}-${r.birthDay}-${r.birthMonth}`);
  return keys;
}

/**
 * Whether a record linked to a person by an identifier alone (CCCD/BHXH at ingest) names someone
 * else: its name and its birth date both disagree with the person's golden record. One of them
 * differing is a typo or a name change; both is another person's number typed into this record.
 */
export function contradictsPerson(r: MpiRecord, person: { nameKey: string; birthDate: string | null }): boolean {
  if (jaroWinkler(r.nameKey, person.nameKey) >= 0.85) return false;
  const d = parseBirthDate(person.birthDate ?? '');
  if (!d.ok || d.value === undefined) return false;
  const v = d.value;
  // Another day of the same year is a different birth date too ("near" is a typo only beside a
  // matching name); only an equal, swapped or year-only date leaves the name change possible.
  const level = compareBirthDates(r.birthYear, r.birthMonth ?? 0, r.birthDay ?? 0, v.year, v.month ?? 0, v.day ?? 0);
  return level === DateLevel.disagree || level === DateLevel.near;
}
