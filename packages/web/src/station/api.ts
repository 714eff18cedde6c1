import type { StaffRoleName } from '@openhssk/core/api';
import { ApiProblem, api } from '../api.ts';

export { ApiProblem };

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

export type Role = StaffRoleName;
export type { StaffRoleName };

export const STATION_ROLES: readonly Role[] = ['station_head', 'station_clinician', 'station_nurse', 'population_collaborator'];
/** Who reads and writes clinical data (the 831 record, check-ups, registers). */
export const CLINICAL_ROLES: readonly Role[] = ['station_head', 'station_clinician', 'station_nurse'];
/** Who may diagnose, enrol, decide proposals and end an enrolment. */
export const CLINICIAN_ROLES: readonly Role[] = ['station_head', 'station_clinician'];

// ---- calls ----

export const get = <T,>(path: string) => api<T>(path);
export const post = <T,>(path: string, body: unknown = {}) => api<T>(path, { method: 'POST', body: JSON.stringify(body) });

/** A failed fetch (no network, server unreachable) as opposed to an answer from the server. */
export const isNetworkError = (e: unknown) => !(e instanceof ApiProblem) || e.status === 502 || e.status === 503 || e.status === 504;
