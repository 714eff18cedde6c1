import type { Problem } from '@openhssk/core';
import type { CareGroup, EpisodeSummary, LabFlag, RecordSummaryView, ServiceLine } from '@openhssk/core/api';

export type { CareGroup, EpisodeSummary };

/** Thin fetch wrapper: same-origin cookies, problem+json errors surfaced with their Vietnamese text. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The server's problem document; null when the error came from something else (a proxy, a gateway). */
    readonly problem: Problem | null = null,
  ) {
    super(message);
  }
}

/**
 * A proxy error page, a gateway timeout or a crashed server can answer with any body, so only a
 * body carrying the fields the UI relies on is trusted as the server's problem document.
 */
export function asProblem(body: unknown): Problem | null {
  if (typeof body !== 'object' || body === null) return null;
  const p = body as Record<string, unknown>;
  return typeof p.status === 'number' && typeof p.code === 'string' && typeof p.message_vi === 'string' && p.message_vi !== '' ? (body as Problem) : null;
}

const expiredListeners = new Set<() => void>();

/**
 * Called when a request finds no session (it expired or ended elsewhere): the app then shows its
 * login page instead of leaving the server's "Vui lòng đăng nhập." on a screen that still looks
 * logged in. Returns the unsubscribe function.
 */
export function onSessionExpired(listener: () => void): () => void {
  expiredListeners.add(listener);
  return () => {
    expiredListeners.delete(listener);
  };
}

export async function api<T>(path: string, init: RequestInit = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json', ...((init.headers as Record<string, string>) ?? {}) };
  if (init.body && typeof init.body === 'string') headers['content-type'] = 'application/json';
  const res = await fetch(path, { credentials: 'same-origin', ...init, headers });
  if (!res.ok) {
    let body: unknown = null;
    try {
      body = await res.json();
    } catch {
      // Not JSON (a proxy page, an empty body): the generic message below stands.
    }
    const problem = asProblem(body);
    // Only "no session": a wrong password or TOTP code (also 401) is an answer for the login form.
    if (res.status === 401 && problem?.code === 'UNAUTHENTICATED') for (const l of expiredListeners) l();
    throw new ApiProblem(res.status, problem?.code ?? `HTTP_${res.status}`, problem?.message_vi ?? 'Đã có lỗi xảy ra, vui lòng thử lại.', problem);
  }
  return (await res.json()) as T;
}

/** Adds `person=<child id>` when a parent is viewing a child's book; the server checks the relation. */
export function withPerson(path: string, personId: string | null, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams(extra);
  if (personId) params.set('person', personId);
  for (const [k, v] of [...params]) if (v === '') params.delete(k);
  const qs = params.toString();
  return qs ? `${path}${path.includes('?') ? '&' : '?'}${qs}` : path;
}

export interface Me {
  personal_id: string;
  name: string;
  has_record: boolean;
  /** (a) "Đồng ý sử dụng": the book is open. */
  consented: boolean;
  /** (b), separate: clinicians where the citizen is being treated may see history from other facilities. */
  cross_facility_consent: boolean;
}

export interface ConsentChoice {
  given: boolean;
  given_at: string | null;
  withdrawn_at: string | null;
}

/** GET /api/v1/me/consent: both choices with their times. */
export interface ConsentChoices {
  book: ConsentChoice;
  cross_facility: ConsentChoice;
  /** How long after a check-in or referral choice (b) lets that facility see other facilities' history. */
  cross_facility_hours: number;
}

export interface OpenVisit {
  id: number;
  facility_code: string;
  facility_name: string | null;
  ma_lk: string;
  ngay_vao: string;
  ma_loai_kcb: string | null;
}

export interface EpisodeList {
  /** One page of the matching visits, newest first. */
  episodes: EpisodeSummary[];
  matched: number;
  page: number;
  pages: number;
  per_page: number;
  /** Visits per year over the whole match (not only this page). */
  years_matched: Array<{ year: number; count: number }>;
  open_visits: OpenVisit[];
  total: number;
  facets: { years: number[]; facilities: Array<{ code: string; name: string }>; types: CareGroup[] };
}

export interface EpisodeDetail {
  // No id: a share names the episode by reference instead, and the screens do not need it.
  episode: Omit<EpisodeSummary, 'id'> & {
    chan_doan_vao: string | null;
    ma_benh_kt: string | null;
    xml1: { fields: Record<string, string> } | Record<string, string>;
  };
  diagnoses: {
    preliminary: string | null;
    final: Array<{ code: string; name: string | null; main: boolean; chronic: boolean; sensitivity: string | null }>;
    final_text: string | null;
  };
  medicines: Array<{ name: string; strength: string; quantity: string; unit: string; dose: string; usage: string; days: number | null }>;
  services: ServiceLine[];
  labs: Array<{
    code: string;
    name: string;
    value: string;
    unit: string;
    description: string;
    conclusion: string;
    at: string;
    range: { low: number; high: number } | null;
    abnormal: boolean;
    flag: LabFlag | null;
  }>;
  /** XML8 in the doctor's words; null when the facility sent none. */
  record_summary: RecordSummaryView | null;
  next_appointment: { date: string | null; number: string | null } | null;
  /** Destination as "name (code)", or the code when the facility is not registered. */
  referral: { number: string | null; destination: string | null; direction: string | null } | null;
  tables: Record<string, Array<Record<string, string>>>;
}

export interface Declaration {
  id: number;
  kind: 'allergy' | 'personal_history' | 'family_history' | 'risk_factor';
  title: string;
  detail: string | null;
  relation: string | null;
  since: string | null;
  updated_at: string;
}

export interface Vaccination {
  id: number;
  vaccine_name: string;
  dose_no: number | null;
  given_on: string;
  facility_name: string | null;
  reaction: string | null;
}

export interface BookSummary {
  person: { id?: string; ho_ten: string; ngay_sinh: string | null; gioi_tinh: number | null; so_cccd: string | null; so_dien_thoai?: string | null; dia_chi?: string | null };
  bhyt: { so_bhyt: string; valid_from: string | null; valid_to: string | null; facility_code: string | null; facility_name: string | null; valid_now: boolean | null } | null;
  episode_count: number;
  hidden_sensitive: number;
  open_visits: number;
  last_episode: { id: number; facility_name: string; ngay_vao: string; ma_benh_chinh: string | null; ten_benh_chinh: string | null } | null;
  chronic: Array<{ code: string; name: string | null; first_seen: string; last_seen: string; episodes: number }>;
  declarations: Declaration[];
  vaccinations: Vaccination[];
  viewing_child?: { name: string; relation: string } | null;
}

export interface Dependent {
  id: string;
  ho_ten: string;
  ngay_sinh: string | null;
  relation: string;
}

export interface Share {
  id: number;
  scope: 'summary' | 'full';
  include_sensitive: boolean;
  include_contact: boolean;
  expires_at: string;
  revoked_at: string | null;
  created_at: string;
  active: boolean;
}

/** An episode as a share lists it: `ref` (valid inside that share only) stands for the id, never shown. */
export type SharedEpisode = Omit<EpisodeSummary, 'id'> & { ref: string };

/** The book summary as a share shows it: no count of left-out episodes, the last episode by reference. */
export type SharedSummary = Omit<BookSummary, 'hidden_sensitive' | 'last_episode' | 'viewing_child'> & {
  last_episode: (Omit<NonNullable<BookSummary['last_episode']>, 'id'> & { ref: string }) | null;
};
