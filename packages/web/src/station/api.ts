import { STATION_ROLES as STATION_ROLE_LIST, type StaffRoleName } from '@openhssk/core/api';
import { ApiProblem, api } from '../api.ts';


/**
 * Shapes of the answers the station app reads: declared once in `@openhssk/core/api` (station.ts,
 * primary-care.ts, staff.ts), the same types the server's station/ and primary-care/ modules
 * answer with. The form itself (sections, fields, code lists, measures, registers, closing reasons)
 * is data from GET /api/v1/primary-care/form.
 */
export type {
  Applicability,
  Checkup,
  CloseReasonDef,
  Completeness,
  ControlRule,
  DayList,
  Enrolment,
  EventView,
  FieldConflict,
  FieldDef,
  FieldType,
  FieldValue,
  FieldView,
  FollowUpMeasure,
  FollowUpRow,
  FormData831,
  HistoryRow,
  HouseholdSummary,
  HouseholdView,
  ItemView,
  Measure,
  MemberView,
  PcEntryResult,
  PrimaryCarePerson,
  RegisterDef,
  RegisterListKind,
  RegisterRow,
  RegisterSummary,
  SearchHit,
  SearchResult,
  SectionDef,
  SectionView,
  StaffMe,
  StationEntryResult,
  StationPersonView,
  ValueVersion,
} from '@openhssk/core/api';
export { ApiProblem };

export type Role = StaffRoleName;

// The role lists are the server's own (@openhssk/core/api staff.ts).
export const STATION_ROLES: readonly Role[] = STATION_ROLE_LIST;
export { STATION_CLINICAL_ROLES as CLINICAL_ROLES, STATION_CLINICIAN_ROLES as CLINICIAN_ROLES } from '@openhssk/core/api';
export type { StaffRoleName };

// ---- calls ----

export const get = <T,>(path: string) => api<T>(path);
export const post = <T,>(path: string, body: unknown = {}) => api<T>(path, { method: 'POST', body: JSON.stringify(body) });

/** A failed fetch (no network, server unreachable) as opposed to an answer from the server. */
export const isNetworkError = (e: unknown) => !(e instanceof ApiProblem) || e.status === 502 || e.status === 503 || e.status === 504;
