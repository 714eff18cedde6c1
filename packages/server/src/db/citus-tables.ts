/**
 * Where each table lives on a Citus cluster (issue 21). migrations/citus/090_distribute.sql applies
 * it; db/citus.test.ts fails when a table is missing here, when a personal-data table is left on the
 * coordinator, and (on a cluster) when pg_dist_partition disagrees.
 *
 * - distributed: hash-distributed by `column`; `colocate` names the table it shares shards with.
 * - reference: a full copy on every node (small, or looked up from every shard).
 * - coordinator: a plain table on the coordinator only; never personal data, except `pending`.
 * - pending: personal data still on the coordinator, with the reason; listed as a TODO by the test.
 */
export type CitusPlacement =
  | { kind: 'distributed'; column: string; colocate: string; personal: true }
  | { kind: 'reference'; personal: boolean }
  | { kind: 'coordinator'; personal: false; why: string }
  | { kind: 'pending'; personal: true; why: string };

const person = (column = 'person_id'): CitusPlacement => ({ kind: 'distributed', column, colocate: 'person', personal: true });
const ref = (personal = false): CitusPlacement => ({ kind: 'reference', personal });
const local = (why: string): CitusPlacement => ({ kind: 'coordinator', personal: false, why });

export const CITUS_TABLES: Readonly<Record<string, CitusPlacement>> = {
  // Code sets, places, facilities, staff: read by every shard's joins.
  admin_unit: ref(),
  facility: ref(),
  facility_credential: ref(),
  facility_certificate: ref(),
  staff_account: ref(),
  imm_session: ref(),
  report_target: ref(),
  mpi_model: ref(),
  correction_holiday: ref(),
  relay_setting: ref(),
  smart_app: ref(),
  // Personal, but about two persons at once or the lookup that finds the person: a copy everywhere.
  station_household: ref(true),
  mpi_review: ref(true),
  mpi_merge: ref(true),
  citizen_account: ref(true),
  // A citizen account's app authorizations (keyed like citizen_account, by subject).
  smart_authorization: ref(true),

  // One person's data, co-located with person.
  person: person('id'),
  person_relation: person(),
  episode: person(),
  episode_row: person(),
  visit: person(),
  citizen_declaration: person(),
  book_share: person(),
  vaccination: person(),
  imm_reaction_report: person(),
  imm_slot_request: person(),
  imm_due: person(),
  break_glass_grant: person(),
  mpi_correction: person(),
  pc_entry: person(),
  pc_record_field: person(),
  pc_record_field_history: person(),
  pc_person_summary: person(),
  pc_checkup: person(),
  pc_enrolment: person(),
  pc_followup: person(),
  station_member: person(),
  station_event: person(),
  report_person_state: person(),
  correction_request: person(),
  correction_event: person(),
  citizen_contact: person(),
  citizen_notification: person(),
  notification_preference: person(),
  vital_sign: person(),
  // Personal data without person_id: distributed by its own key, in its own co-location group.
  // The MPI's input: its person is what linking decides and changes (citus/092).
  source_record: { kind: 'distributed', column: 'source_id', colocate: 'source_record', personal: true },
  submission_raw: { kind: 'distributed', column: 'submission_id', colocate: 'submission_raw', personal: true },
  bhyt_card_observation: { kind: 'distributed', column: 'bhxh', colocate: 'bhyt_card_observation', personal: true },
  // The check-in's identifier → person directory (migration 081): one shard per number looked up.
  person_identifier: { kind: 'distributed', column: 'identifier', colocate: 'person_identifier', personal: true },
  // Ingest's (facility, MA_LK) → person directory (migration 087): an envelope's keys are one shard.
  episode_key: { kind: 'distributed', column: 'facility_code', colocate: 'relay_message', personal: true },
  // The raw envelope or check-in as the facility sent it: personal, keyed by the sending facility.
  relay_message: { kind: 'distributed', column: 'facility_code', colocate: 'relay_message', personal: true },
  // A reminder is keyed by the episode (facility, MA_LK) and holds the address it went to.
  appointment_reminder: { kind: 'distributed', column: 'facility_code', colocate: 'relay_message', personal: true },
  // Episode ids waiting for the reminder planner, queued by the trigger on the episode_row shards.
  appointment_plan_queue: person(),

  // Personal data not yet distributed.
  audit_event: {
    kind: 'pending',
    personal: true,
    why: 'one global hash chain (audit_chain_head, migration 010) serialises every insert; distributing needs a chain per shard',
  },

  schema_migration: local('migration bookkeeping'),
  session: local('short-lived login sessions: an opaque subject and expiry'),
  app_state: local('server key/value state'),
  dev_idp_account: local('the development stand-in for VNeID, a separate system; disabled in production'),
  demo_object: local('which rows the demo seed created'),
  submission: local('envelope receipts per facility: counts and issue codes, the raw XML is in submission_raw'),
  audit_chain_head: local('the chain head of audit_event'),
  staff_session_activity: local('staff session activity'),
  staff_login_throttle: local('login throttle by client address'),
  break_glass_alert: local('per-staff alert counts, no person'),
  mpi_import: local('population import runs'),
  mpi_import_issue: local('line/field/code of rejected import rows'),
  imm_import: local('immunisation import runs'),
  imm_import_issue: local('line/field/code of rejected import rows'),
  fhir_export_job: local('bulk export jobs: scope and checkpoint, no personal data'),
  pc_state: local('primary-care module state'),
  station_register_build: local('per-commune register build counts'),
  report_watermark: local('report refresher progress'),
  report_episode_day: local('aggregate counts per facility and day'),
  report_episode_month: local('aggregate counts per facility and month'),
  report_visit_day: local('aggregate counts per facility and day'),
  report_visit_month: local('aggregate counts per facility and month'),
  report_facility_day: local('aggregate counts per facility and day'),
  report_person_agg: local('aggregate counts per commune and month'),
  report_person_daily: local('aggregate counts per commune and day'),
  report_review_pending: local('aggregate counts per commune'),
  report_weekly: local('aggregate weekly figures per unit'),
  job_key: local('idempotency keys of durable jobs'),
  imm_stock_receipt: local('vaccine stock received by a facility, no person'),
  warehouse_extract: local('warehouse extract runs: window, folder, counts'),
  onboarding_request: local('facility onboarding requests'),
  onboarding_request_event: local('facility onboarding request history'),
  appointment_planner_state: local('the reminder planner position (one row)'),
  imm_coverage_cohort: local('immunization coverage counts per commune and birth month'),
  imm_coverage_refresh: local('when each commune\'s coverage was rebuilt'),
  imm_coverage_dirty: local('communes waiting for a coverage rebuild'),
  relay_attempt: local('delivery attempts of relayed messages: status and portal answer'),
};
