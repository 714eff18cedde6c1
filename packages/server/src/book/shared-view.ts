import { createHmac } from 'node:crypto';
import type { EpisodeSummary } from '@openhssk/core/api';
import { XML130_TABLES } from '@openhssk/core/xml130';
import type { Db } from '../db/index.ts';
import { type bookSummary, getEpisodeForPerson, isSensitiveEpisode, listEpisodes } from './queries.ts';

// What a doctor receives through a share link. Two promises are kept here, in one place:
// 1. Nothing tells a person with sensitive (HIV, TB, mental-health) episodes apart from one without,
//    unless the citizen included them: no count of hidden episodes, no episode ids (their gaps would
//    show where one was left out), and a reference to a left-out episode answers like a made-up one.
// 2. Phone and address appear only when the citizen ticked "include contact details", in no field
//    at all otherwise, including the raw XML 130 rows of an episode.

export interface ShareView {
  include_sensitive: boolean;
  include_contact: boolean;
  ref_key: string;
}

/**
 * An episode's reference inside one share: an HMAC of its id under the share's own secret key, so
 * references cannot be computed from ids, do not order like ids, and differ between shares.
 */
export const episodeRef = (refKey: string, episodeId: number): string => createHmac('sha256', refKey).update(String(episodeId)).digest('base64url').slice(0, 22);
export const EPISODE_REF = /^[A-Za-z0-9_-]{22}$/;

/** Meanings in the XML 130 table definitions that make an element a contact detail. */
const CONTACT_MEANING = /\b(address|phone|e-?mail|residence)\b/i;
/** Element and column names of contact details, whatever their table (the standard reuses names). */
const CONTACT_NAME = /(^|_)(DIA_CHI|DIEN_THOAI|EMAIL|CU_TRU)(_|$)|^(dia_chi|so_dien_thoai|email)$/i;

/**
 * Every field name that carries a contact detail: the book's own person columns, every XML 130
 * element whose definition reads as an address, residence code, phone or e-mail, and any name of the
 * same pattern (unknown elements kept in `extra` included). Derived from the table definitions, so a
 * contact field added to the standard is covered without a change here.
 */
export const CONTACT_FIELDS: ReadonlySet<string> = new Set([
  'dia_chi',
  'so_dien_thoai',
  ...XML130_TABLES.flatMap((t) => t.fields.filter((f) => CONTACT_MEANING.test(f.meaning) || CONTACT_NAME.test(f.name)).map((f) => f.name)),
]);
const isContactField = (key: string) => CONTACT_FIELDS.has(key) || CONTACT_NAME.test(key);

/** Free-text contact values (not residence codes) long enough to be searched for in other text. */
const SEARCHABLE_CONTACT = /(^|_)(DIA_CHI|DIEN_THOAI|EMAIL)(_|$)|^(dia_chi|so_dien_thoai|email|NOI_CU_TRU_NND)$/i;

function collectContactValues(v: unknown, out: Set<string>) {
  if (Array.isArray(v)) for (const x of v) collectContactValues(x, out);
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (typeof x === 'string' && SEARCHABLE_CONTACT.test(k) && x.trim().length >= 8) out.add(x.trim());
      else collectContactValues(x, out);
    }
  }
}

/**
 * A copy without contact fields at any depth. As a second line, the contact values found (and the
 * person's own phone and address) are cut out of any other text, so a phone number a facility typed
 * into a note does not travel through a share either.
 */
export function withoutContact<T>(value: T, known: ReadonlyArray<string | null | undefined> = []): T {
  const values = new Set(known.filter((k): k is string => !!k && k.trim().length >= 8).map((k) => k.trim()));
  collectContactValues(value, values);
  const needles = [...values].sort((a, b) => b.length - a.length);
  const clean = (v: unknown): unknown => {
    if (typeof v === 'string') return needles.reduce((s, n) => (s.includes(n) ? s.split(n).join('…') : s), v);
    if (Array.isArray(v)) return v.map(clean);
    if (v instanceof Date) return v;
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).flatMap(([k, x]) => (isContactField(k) ? [] : [[k, clean(x)]])));
    return v;
  };
  return clean(value) as T;
}

type Summary = NonNullable<Awaited<ReturnType<typeof bookSummary>>>;

/** The episodes a share shows: sensitive ones only when the citizen included them. */
async function shownEpisodes(db: Db, personId: string, share: ShareView) {
  return (await listEpisodes(db, personId)).filter((e) => share.include_sensitive || !isSensitiveEpisode(e));
}

const refOnly = ({ id, ...e }: EpisodeSummary, share: ShareView) => ({ ref: episodeRef(share.ref_key, id), ...e });

/**
 * The share's front page and (full scope) episode list. The summary must have been built with the
 * share's own include_sensitive; the count of left-out episodes and the internal person id are
 * dropped, and the last episode is named by its reference.
 */
export async function sharedBook(db: Db, personId: string, share: ShareView & { scope: 'summary' | 'full' }, summary: Summary) {
  const { hidden_sensitive: _hidden, last_episode, person, ...rest } = summary;
  const { id: _id, ...personShown } = person;
  const episodes = share.scope === 'full' ? (await shownEpisodes(db, personId, share)).map((e) => refOnly(e, share)) : [];
  const { id: lastId, ...last } = last_episode ?? { id: 0 };
  const view = {
    summary: { ...rest, person: personShown, last_episode: last_episode ? { ref: episodeRef(share.ref_key, lastId), ...last } : null },
    episodes,
  };
  return share.include_contact ? view : withoutContact(view, [person.so_dien_thoai, person.dia_chi]);
}

// Internal bookkeeping of an episode row that a doctor has no use for and that would number episodes.
const INTERNAL = ['id', 'person_id', 'submission_id', 'patient_source_id', 'content_sha256', 'issues', 'is_current', 'received_at'] as const;

/** One episode through a full share, found by its reference among the shown episodes only. */
export async function sharedEpisode(db: Db, personId: string, share: ShareView, ref: string, contact: { so_dien_thoai: string | null; dia_chi: string | null }) {
  if (!EPISODE_REF.test(ref)) return undefined;
  const match = (await shownEpisodes(db, personId, share)).find((e) => episodeRef(share.ref_key, e.id) === ref);
  const found = match ? await getEpisodeForPerson(db, personId, match.id) : undefined;
  if (!match || !found) return undefined;
  const episode: Record<string, unknown> = { ref, ...found.episode };
  for (const k of INTERNAL) delete episode[k];
  const view = { ...found, episode };
  // The id goes to the access log only (the citizen sees which visit was opened), never to the doctor.
  return { episodeId: match.id, view: share.include_contact ? view : withoutContact(view, [contact.so_dien_thoai, contact.dia_chi]) };
}
