import { searchKey } from '@openhssk/core';
import { CLINICAL_ROLES, type FormData831, get, type HouseholdSummary, type PrimaryCarePerson, type RegisterSummary, type SearchHit, type SearchResult, type StaffMe, type StationPersonView } from './api.ts';
import { db, type HouseholdRow, type MemberRow, type PersonCache, setMeta } from './db.ts';

/**
 * The commune's register on the device, for search and household screens without a connection:
 * households (pages of GET /station/households) and their current members (GET /station/search by
 * hamlet, or by household where a household has no hamlet). The server has no bulk export for
 * this, so a commune of 10,000 people costs a few hundred small requests, each read audited.
 */

const PAGE = 50;

export const isClinical = (me: StaffMe) => CLINICAL_ROLES.includes(me.role);

async function allPages<T>(path: (page: number) => string, rows: (r: unknown) => T[], total: (r: unknown) => number): Promise<T[]> {
  const out: T[] = [];
  for (let page = 1; ; page++) {
    const r = await get<unknown>(path(page));
    out.push(...rows(r));
    if (out.length >= total(r) || rows(r).length === 0) return out;
  }
}

const memberRow = (h: SearchHit, hamletKey: string | null): MemberRow => {
  const bhyt = h.so_bhyt ? h.so_bhyt.toUpperCase() : null;
  return {
    personId: h.person_id,
    householdId: h.household_id,
    householdCode: h.household_code,
    hamlet: h.hamlet,
    hamletKey,
    hoTen: h.ho_ten,
    words: searchKey(h.ho_ten).split(' ').filter(Boolean),
    ngaySinh: h.ngay_sinh,
    gioiTinh: h.gioi_tinh,
    cccd: h.so_cccd,
    bhyt,
    bhxh: bhyt && bhyt.length >= 10 ? bhyt.slice(-10) : null,
    phone: h.so_dien_thoai,
    relation: h.relation,
    relationLabel: h.relation_label,
    deceasedOn: h.deceased_on,
  };
};

/** Downloads the commune's register (and the 831 form for clinical roles) into IndexedDB. */
export async function downloadSnapshot(me: StaffMe, onProgress: (done: number, total: number) => void = () => {}): Promise<{ households: number; members: number; ms: number }> {
  const t0 = performance.now();
  const summary = await get<RegisterSummary>('/api/v1/station/register');
  await setMeta('summary', summary);
  if (isClinical(me)) await setMeta('form', await get<FormData831>('/api/v1/primary-care/form'));
  const keyOfName = new Map(summary.hamlets.filter((h) => h.hamlet).map((h) => [h.hamlet!, h.hamlet_key]));
  const households = await allPages<HouseholdSummary>(
    (p) => `/api/v1/station/households?page_size=${PAGE}&page=${p}`,
    (r) => (r as { households: HouseholdSummary[] }).households,
    (r) => (r as { total: number }).total,
  );
  const steps = summary.hamlets.length + households.filter((h) => !h.hamlet).length;
  let done = 0;
  onProgress(done, steps);
  const members: MemberRow[] = [];
  for (const h of summary.hamlets) {
    if (!h.hamlet) continue;
    const hits = await allPages<SearchHit>(
      (p) => `/api/v1/station/search?hamlet=${encodeURIComponent(h.hamlet!)}&page_size=${PAGE}&page=${p}`,
      (r) => (r as SearchResult).hits,
      (r) => (r as SearchResult).total,
    );
    members.push(...hits.map((x) => memberRow(x, h.hamlet_key)));
    onProgress(++done, steps);
  }
  for (const hh of households.filter((x) => !x.hamlet)) {
    const hits = await allPages<SearchHit>(
      (p) => `/api/v1/station/search?household=${hh.id}&page_size=${PAGE}&page=${p}`,
      (r) => (r as SearchResult).hits,
      (r) => (r as SearchResult).total,
    );
    members.push(...hits.map((x) => memberRow(x, null)));
    onProgress(++done, steps);
  }
  const rows: HouseholdRow[] = households.map((h) => ({
    id: h.id,
    code: h.household_code,
    hamlet: h.hamlet,
    hamletKey: h.hamlet ? (keyOfName.get(h.hamlet) ?? searchKey(h.hamlet)) : null,
    address: h.address,
    headPersonId: h.head_person_id,
    headName: h.head_name,
    members: h.members,
  }));
  await db.transaction('rw', [db.households, db.members], async () => {
    await db.households.clear();
    await db.members.clear();
    await db.households.bulkPut(rows);
    await db.members.bulkPut(members);
  });
  const ms = Math.round(performance.now() - t0);
  await setMeta('snapshot', { households: rows.length, members: members.length, at: Date.now(), ms, staffId: me.id });
  return { households: rows.length, members: members.length, ms };
}

/** Reads a person's register view (and 831 record for clinical roles) from the server into the cache. */
export async function refreshPerson(me: StaffMe, personId: string): Promise<PersonCache> {
  const id = encodeURIComponent(personId);
  const [station, pc] = await Promise.all([
    get<StationPersonView>(`/api/v1/station/persons/${id}`),
    isClinical(me) ? get<PrimaryCarePerson>(`/api/v1/primary-care/persons/${id}`) : Promise.resolve(null),
  ]);
  const row: PersonCache = { personId, station, pc, savedAt: Date.now() };
  await db.persons.put(row);
  return row;
}

/** Persons read again for offline use when the device's copy is older than this. */
const PERSON_MAX_AGE_MS = 12 * 3600_000;
/** At most this many persons of the day list are fetched ahead. */
const PREFETCH_LIMIT = 30;

/**
 * Keeps the day's work available offline: the records of the persons due today are read ahead
 * (each read is audited like opening the person), one at a time so the station's line stays free.
 */
export async function prefetchPersons(me: StaffMe, personIds: readonly string[]): Promise<void> {
  for (const id of [...new Set(personIds)].slice(0, PREFETCH_LIMIT)) {
    if (!navigator.onLine) return;
    const cached = await db.persons.get(id);
    if (cached && Date.now() - cached.savedAt < PERSON_MAX_AGE_MS) continue;
    await refreshPerson(me, id).catch(() => undefined);
  }
}

type Reading = { by: 'name'; words: string[] } | { by: 'cccd' | 'bhyt' | 'bhxh' | 'phone'; value: string } | { by: 'none' };

/** What the search box holds, read as the server reads it (station/search.ts). */
export function readQuery(q: string): Reading {
  const text = q.normalize('NFC').trim();
  if (!text) return { by: 'none' };
  const compact = text.replace(/[\s.-]/g, '').toUpperCase();
  if (/^\d{12}$/.test(compact) || /^\d{9}$/.test(compact)) return { by: 'cccd', value: compact };
  if (/^[A-Z]{2}\d{13}$/.test(compact)) return { by: 'bhyt', value: compact };
  if (/^[1-9]\d{9}$/.test(compact)) return { by: 'bhxh', value: compact };
  if (/^\+?\d[\d\s.()-]{7,}$/.test(text)) {
    let digits = text.replace(/\D/g, '');
    if (digits.startsWith('84') && digits.length >= 11) digits = `0${digits.slice(2)}`;
    return { by: 'phone', value: digits };
  }
  const words = searchKey(text).split(' ').filter(Boolean);
  return words.length ? { by: 'name', words } : { by: 'none' };
}

/** Search in the device's snapshot: the same box and hamlet filter as online, no server. */
export async function offlineSearch(q: string, hamletKey: string | null, limit = 50): Promise<{ hits: MemberRow[]; total: number }> {
  const r = readQuery(q);
  let rows: MemberRow[];
  if (r.by === 'name') {
    // The longest word narrows most through the index; every word must start a word of the name.
    const longest = [...r.words].sort((a, b) => b.length - a.length)[0]!;
    rows = await db.members
      .where('words')
      .startsWith(longest)
      .distinct()
      .filter((m) => r.words.every((w) => m.words.some((x) => x.startsWith(w))))
      .toArray();
  } else if (r.by === 'none') {
    rows = hamletKey ? await db.members.where('hamletKey').equals(hamletKey).toArray() : [];
  } else {
    const field = r.by === 'cccd' ? 'cccd' : r.by === 'bhyt' ? 'bhyt' : r.by === 'bhxh' ? 'bhxh' : 'phone';
    rows = await db.members.where(field).equals(r.value).toArray();
  }
  if (hamletKey) rows = rows.filter((m) => m.hamletKey === hamletKey);
  rows.sort((a, b) => a.words.join(' ').localeCompare(b.words.join(' ')) || a.personId.localeCompare(b.personId));
  return { hits: rows.slice(0, limit), total: rows.length };
}
