import type { ImmCatalog, ImmDoseEntry, ImmPlan, ImmStationPerson, ImmStock } from '@openhssk/core/api';
import { get } from './api.ts';
import { db } from './db.ts';

/**
 * The immunization screens' data on the device: a person's doses and schedule (shown offline as last
 * read), the vaccine catalogue (the dose form works offline), the commune's month plan with its due
 * list and the station's vaccine stock (read offline as last loaded, with the time they were loaded).
 * Sessions, reaction reports and slot requests are read only online.
 */

const personKey = (id: string) => `person:${id}`;

export async function refreshImmunizationPerson(personId: string): Promise<ImmStationPerson> {
  const view = await get<ImmStationPerson>(`/api/v1/immunization/persons/${encodeURIComponent(personId)}`);
  await db.immunization.put({ key: personKey(personId), value: view, savedAt: Date.now() });
  return view;
}

export async function cachedImmunizationPerson(personId: string): Promise<{ view: ImmStationPerson; savedAt: number } | undefined> {
  const row = await db.immunization.get(personKey(personId));
  return row ? { view: row.value as ImmStationPerson, savedAt: row.savedAt } : undefined;
}

export async function refreshCatalog(): Promise<ImmCatalog> {
  const catalog = await get<ImmCatalog>('/api/v1/immunization/catalog');
  await db.immunization.put({ key: 'catalog', value: catalog, savedAt: Date.now() });
  return catalog;
}

export async function cachedCatalog(): Promise<ImmCatalog | undefined> {
  return (await db.immunization.get('catalog'))?.value as ImmCatalog | undefined;
}

/** What a queued dose carries: the body of POST /api/v1/immunization/station/doses without entry id and time (the outbox adds them). */
export type DosePayload = Omit<ImmDoseEntry, 'entry_id' | 'client_recorded_at'>;

async function cachedRead<T>(key: string): Promise<{ value: T; savedAt: number } | undefined> {
  const row = await db.immunization.get(key);
  return row ? { value: row.value as T, savedAt: row.savedAt } : undefined;
}

/** The month plan and its first 500 persons: the commune's due list, kept for reading offline. */
export async function refreshPlan(month: string): Promise<ImmPlan> {
  const plan = await get<ImmPlan>(`/api/v1/immunization/plan?month=${month}&page_size=500`);
  await db.immunization.put({ key: `plan:${month}`, value: plan, savedAt: Date.now() });
  return plan;
}
export const cachedPlan = (month: string) => cachedRead<ImmPlan>(`plan:${month}`);

export async function refreshStock(): Promise<ImmStock> {
  const stock = await get<ImmStock>('/api/v1/immunization/stock');
  await db.immunization.put({ key: 'stock', value: stock, savedAt: Date.now() });
  return stock;
}
export const cachedStock = () => cachedRead<ImmStock>('stock');
