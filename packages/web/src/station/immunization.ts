import type { ImmCatalog, ImmDoseEntry, ImmStationPerson } from '@openhssk/core/api';
import { get } from './api.ts';
import { db } from './db.ts';

/**
 * The immunization screens' data on the device: a person's doses and schedule (shown offline as last
 * read) and the vaccine catalogue (the dose form works offline). Plans, sessions, reaction reports
 * and slot requests are read only online.
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
