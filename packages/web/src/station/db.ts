import { Dexie, type Table } from 'dexie';
import type { DayList, FormData831, HouseholdView, PrimaryCarePerson, RegisterRow, RegisterSummary, StaffMe, StationPersonView } from './api.ts';

/**
 * What the station app keeps on the device (IndexedDB through Dexie):
 * - `outbox`: every entry the user saves, before and after it reaches the server (never dropped
 *   without the user asking; applied ones are pruned after a while);
 * - `households` / `members`: the commune's register snapshot, for offline search;
 * - `persons`, `householdViews`, `cache`: the last server answer of each screen the user opened
 *   (831 record, check-ups, registers, household), to show offline;
 * - `meta`: the signed-in staff member, the 831 form definition, snapshot and sync bookkeeping.
 * Everything but unsent entries is cleared at logout.
 */

export type EntryStatus = 'pending' | 'applied' | 'already_applied' | 'conflict' | 'refused';

export interface OutboxEntry {
  /** The entry's uuid, chosen on the device: the server applies an entry id once. */
  entryId: string;
  /** pc: POST /api/v1/primary-care/sync; station: POST /api/v1/station/events/batch; imm: POST /api/v1/immunization/station/doses/batch; stock: POST /api/v1/immunization/stock/receipts/batch. */
  target: 'pc' | 'station' | 'imm' | 'stock';
  kind: string;
  personId: string | null;
  householdId: number | null;
  /** Who recorded it: only that staff member's session sends it. */
  staffId: string;
  staffName: string;
  recordedAt: string;
  /** Exactly what is sent (the server hashes it: a replay must be identical). */
  body: Record<string, unknown>;
  /** One line in Vietnamese: what this entry is ("Theo dõi tăng huyết áp 150/95 mmHg"). */
  label: string;
  personName: string | null;
  status: EntryStatus;
  /** Vietnamese explanation of the outcome (refusal reason, conflict). */
  message: string | null;
  result: unknown;
  /** The user has read a refusal or conflict. */
  seen: boolean;
  attempts: number;
  lastError: string | null;
  createdAt: number;
  syncedAt: number | null;
}

export interface MemberRow {
  personId: string;
  householdId: number | null;
  householdCode: string | null;
  hamlet: string | null;
  hamletKey: string | null;
  hoTen: string;
  /** Words of the diacritic-free name key (searchKey), for prefix search. */
  words: string[];
  ngaySinh: string | null;
  gioiTinh: number | null;
  cccd: string | null;
  bhyt: string | null;
  /** Last 10 characters of the BHYT card: the social-insurance (BHXH) number. */
  bhxh: string | null;
  phone: string | null;
  relation: string | null;
  relationLabel: string | null;
  deceasedOn: string | null;
}

export interface HouseholdRow {
  id: number;
  code: string;
  hamlet: string | null;
  hamletKey: string | null;
  address: string | null;
  headPersonId: string | null;
  headName: string | null;
  members: number;
}

export interface PersonCache {
  personId: string;
  station: StationPersonView | null;
  pc: PrimaryCarePerson | null;
  savedAt: number;
}

export interface MetaMap {
  me: StaffMe;
  form: FormData831;
  summary: RegisterSummary;
  snapshot: { households: number; members: number; at: number; ms: number; staffId: string };
  lastSync: { at: number; sent: number; ms: number; applied: number; already: number; conflicts: number; refused: number; error: string | null };
  dayList: DayList & { savedAt: number };
}

class StationDb extends Dexie {
  outbox!: Table<OutboxEntry, string>;
  households!: Table<HouseholdRow, number>;
  members!: Table<MemberRow, string>;
  persons!: Table<PersonCache, string>;
  householdViews!: Table<{ id: number; view: HouseholdView; savedAt: number }, number>;
  registerLists!: Table<{ key: string; rows: RegisterRow[]; savedAt: number }, string>;
  /** Immunization screens' last answers (a person's doses and schedule, the vaccine catalogue), by key. */
  immunization!: Table<{ key: string; value: unknown; savedAt: number }, string>;
  meta!: Table<{ key: string; value: unknown }, string>;

  constructor() {
    super('openhssk-station');
    this.version(1).stores({
      outbox: 'entryId, status, personId, householdId, staffId, createdAt',
      households: 'id, hamletKey, code',
      members: 'personId, householdId, *words, cccd, bhyt, bhxh, phone, hamletKey',
      persons: 'personId',
      householdViews: 'id',
      registerLists: 'key',
      meta: 'key',
    });
    this.version(2).stores({ immunization: 'key' });
  }
}

export const db = new StationDb();

export async function getMeta<K extends keyof MetaMap>(key: K): Promise<MetaMap[K] | undefined> {
  return (await db.meta.get(key))?.value as MetaMap[K] | undefined;
}

export async function setMeta<K extends keyof MetaMap>(key: K, value: MetaMap[K]): Promise<void> {
  await db.meta.put({ key, value });
}

/** At logout: everything read from the server goes; entries not yet sent stay for their author. */
export async function clearReadData(): Promise<void> {
  await db.transaction('rw', [db.households, db.members, db.persons, db.householdViews, db.registerLists, db.immunization, db.meta], async () => {
    await Promise.all([db.households.clear(), db.members.clear(), db.persons.clear(), db.householdViews.clear(), db.registerLists.clear(), db.immunization.clear(), db.meta.clear()]);
  });
  // Sent entries carry personal data too: only unsent ones and refusals or conflicts the user has
  // not read yet are still needed.
  await db.outbox.filter((e) => e.status === 'applied' || e.status === 'already_applied' || (e.status !== 'pending' && e.seen)).delete();
}
