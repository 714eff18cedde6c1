import { createContext, useContext } from 'react';
import type { Navigate } from '../router.tsx';
import type { FormData831, StaffMe } from './api.ts';
import type { SyncReport } from './outbox.ts';

export interface SyncState {
  running: boolean;
  last: SyncReport | null;
  error: string | null;
}

export interface Station {
  me: StaffMe;
  /** The 831 form definition (clinical roles), from the server or the device's copy. */
  form: FormData831 | undefined;
  online: boolean;
  navigate: Navigate;
  sync: SyncState;
  runSync: () => Promise<void>;
  snapshot: { running: boolean; progress: string | null; error: string | null };
  runSnapshot: () => Promise<void>;
}

export const StationContext = createContext<Station | null>(null);

export function useStation(): Station {
  const s = useContext(StationContext);
  if (!s) throw new Error('useStation outside StationApp');
  return s;
}

/** Client routes of the app, all under /tram-y-te/. */
export const ROUTES = {
  home: '/tram-y-te/',
  search: '/tram-y-te/tim-kiem',
  registers: '/tram-y-te/so-quan-ly',
  sync: '/tram-y-te/dong-bo',
  household: (id: number) => `/tram-y-te/ho/${id}`,
  householdEvent: (id: number) => `/tram-y-te/ho/${id}/su-kien`,
  person: (id: string) => `/tram-y-te/nguoi/${encodeURIComponent(id)}`,
  section: (id: string, section: string) => `/tram-y-te/nguoi/${encodeURIComponent(id)}/ho-so/${section}`,
  checkup: (id: string) => `/tram-y-te/nguoi/${encodeURIComponent(id)}/kham`,
  followUp: (id: string, register: string) => `/tram-y-te/nguoi/${encodeURIComponent(id)}/theo-doi/${register}`,
  immunization: '/tram-y-te/tiem-chung',
  vaccineStock: '/tram-y-te/tiem-chung/kho-vac-xin',
  personImmunization: (id: string) => `/tram-y-te/nguoi/${encodeURIComponent(id)}/tiem-chung`,
} as const;
