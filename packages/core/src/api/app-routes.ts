/**
 * The addresses each single-page app has a screen for. The apps route with these patterns and the
 * server answers them 200 with the app's page; any other address gets the same page with 404, so
 * the app shows its not-found screen and crawlers, monitors and link checkers see the truth.
 */

/** The citizen's health book (index.html). */
export const childAppointmentsPath = (childId: string) => `/con/${encodeURIComponent(childId)}/lich-hen`;

export const CITIZEN_PATHS = {
  summary: /^\/$/,
  episodes: /^\/luot-kham$/,
  episode: /^\/luot-kham\/(\d+)$/,
  declarations: /^\/tu-khai-bao$/,
  vaccinations: /^\/tiem-chung$/,
  corrections: /^\/yeu-cau-sua$/,
  appointments: /^\/lich-hen$/,
  /** A dependent's appointments (a guardian's reminder links here): opens the child's book, if the server still lists the child. */
  childAppointments: /^\/con\/([A-Za-z0-9_-]+)\/lich-hen$/,
  notifications: /^\/thong-bao$/,
  shares: /^\/chia-se$/,
  /** A doctor's view of a share link, open without a session. */
  shared: /^\/chia-se\/([A-Za-z0-9_-]+)$/,
  accessLog: /^\/ai-da-xem$/,
  settings: /^\/cai-dat$/,
  /** The vaccination certificate check, open without a session. */
  verify: /^\/verify$/,
} as const;

/** Screens of the staff portal (staff.html), the first path segment after /nhan-vien/; '' opens the first. */
export const STAFF_PAGE_IDS = ['tiep-don', 'gia-dinh', 'co-so', 'ket-noi', 'nhan-su', 'ra-soat', 'sua-thong-tin', 'lich-hen', 'bao-cao', 'tai-khoan'] as const;
export type StaffPageId = (typeof STAFF_PAGE_IDS)[number];

/** The commune health station's offline app (station.html), matched on the path without trailing slashes. */
export const STATION_PATHS = {
  home: /^\/tram-y-te$/,
  search: /^\/tram-y-te\/tim-kiem$/,
  sync: /^\/tram-y-te\/dong-bo$/,
  registers: /^\/tram-y-te\/so-quan-ly$/,
  household: /^\/tram-y-te\/ho\/(\d+)$/,
  householdEvent: /^\/tram-y-te\/ho\/(\d+)\/su-kien$/,
  person: /^\/tram-y-te\/nguoi\/([^/]+)$/,
  section: /^\/tram-y-te\/nguoi\/([^/]+)\/ho-so\/([a-z_]+)$/,
  immunization: /^\/tram-y-te\/tiem-chung$/,
  stock: /^\/tram-y-te\/tiem-chung\/kho-vac-xin$/,
  personImmunization: /^\/tram-y-te\/nguoi\/([^/]+)\/tiem-chung$/,
  checkup: /^\/tram-y-te\/nguoi\/([^/]+)\/kham$/,
  followUp: /^\/tram-y-te\/nguoi\/([^/]+)\/theo-doi\/([a-z_]+)$/,
} as const;

/** The station app's path as its router reads it: no trailing slash, the bare prefix for the home screen. */
export const stationPath = (path: string): string => path.replace(/\/+$/, '') || '/tram-y-te';

/** The staff portal's screen for a path, or null when it has none ('' is the default screen). */
export function staffPageOf(path: string): StaffPageId | '' | null {
  const rest = path.replace(/^\/nhan-vien\/?/, '').split('/')[0] ?? '';
  if (rest === '') return '';
  return (STAFF_PAGE_IDS as readonly string[]).includes(rest) ? (rest as StaffPageId) : null;
}

export type SpaPage = 'index.html' | 'staff.html' | 'station.html';

/** Which app serves a (non-API) path, and whether that app has a screen for it. */
export function spaRoute(path: string): { page: SpaPage; known: boolean } {
  const under = (prefix: string) => path === prefix || path.startsWith(`${prefix}/`);
  if (under('/nhan-vien')) return { page: 'staff.html', known: staffPageOf(path) !== null };
  if (under('/tram-y-te')) {
    const p = stationPath(path);
    return { page: 'station.html', known: Object.values(STATION_PATHS).some((r) => r.test(p)) };
  }
  return { page: 'index.html', known: Object.values(CITIZEN_PATHS).some((r) => r.test(path)) };
}
