import type { CloseReasonKey } from '@openhssk/core/primary-care';
import type { ColumnType, Generated, JSONColumnType } from 'kysely';
import type { Db } from '../db/index.ts';
import { staffDb } from '../staff/index.ts';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type Json<T extends object | null> = JSONColumnType<T, string, string>;
/** A jsonb holding any JSON value (an 831 field: text, number, boolean, list of codes or null). */
type JsonScalar = string | number | boolean | string[] | null;

/** Tables of migration 022 (this module owns them; kept out of db/tables.ts like the book's and the staff's). */
export type PrimaryCareTables = {
  pc_entry: {
    entry_id: string;
    person_id: string;
    kind: EntryKind;
    content_sha256: string;
    staff_id: string;
    facility_code: string;
    recorded_at: Timestamp;
    received_at: Generated<Date>;
    outcome: Json<Record<string, unknown>>;
  };
  pc_record_field: {
    person_id: string;
    section: string;
    item_id: string;
    field: string;
    value: ColumnType<JsonScalar, string, string>;
    entry_id: string;
    recorded_at: Timestamp;
    recorded_by: string;
    recorded_role: string;
    facility_code: string;
    received_at: Generated<Date>;
  };
  pc_record_field_history: {
    id: Generated<number>;
    person_id: string;
    section: string;
    item_id: string;
    field: string;
    value: ColumnType<JsonScalar, string, string>;
    entry_id: string;
    recorded_at: Timestamp;
    recorded_by: string;
    recorded_role: string;
    facility_code: string;
    reason: 'superseded' | 'conflict' | 'merged';
    by_entry_id: string;
    archived_at: Generated<Date>;
  };
  pc_person_summary: {
    person_id: string;
    filled_sections: string[];
    updated_at: Generated<Date>;
  };
  pc_checkup: {
    id: Generated<number>;
    entry_id: string;
    person_id: string;
    facility_code: string;
    examined_on: string;
    recorded_at: Timestamp;
    recorded_by: string;
    recorded_role: string;
    reason: string | null;
    history: string | null;
    pulse: number | null;
    sbp: number | null;
    dbp: number | null;
    temperature: number | null;
    resp_rate: number | null;
    height_cm: number | null;
    weight_kg: number | null;
    waist_cm: number | null;
    bmi: number | null;
    vision_right: string | null;
    vision_left: string | null;
    vision_corrected: boolean | null;
    exam: Json<Record<string, string>>;
    paraclinical: Json<Array<{ test: string; result: string; unit: string | null; conclusion: string | null }>>;
    diagnoses: string[];
    diagnosis_text: string | null;
    advice: string | null;
    sensitivity: string[];
    received_at: Generated<Date>;
  };
  pc_enrolment: {
    id: Generated<number>;
    person_id: string;
    register: string;
    status: 'proposed' | 'active' | 'declined' | 'closed';
    source: 'station' | 'hospital_episode' | 'station_checkup';
    icd10: string;
    episode_id: number | null;
    checkup_id: number | null;
    proposed_at: Timestamp | null;
    enrolled_on: string | null;
    facility_code: string | null;
    decided_by: string | null;
    decided_at: Timestamp | null;
    decision_note: string | null;
    entry_id: string | null;
    last_followup_id: number | null;
    last_visit_date: string | null;
    last_control: 'controlled' | 'uncontrolled' | 'unknown' | null;
    next_due: string | null;
    created_at: Generated<Date>;
    /** Migration 026: set together when status is 'closed'. */
    closed_on: Generated<string | null>;
    close_reason: Generated<CloseReason | null>;
    closed_by: Generated<string | null>;
    closed_at: Generated<Date | null>;
    close_note: Generated<string | null>;
  };
  pc_followup: {
    id: Generated<number>;
    entry_id: string;
    enrolment_id: number;
    person_id: string;
    register: string;
    facility_code: string;
    visit_date: string;
    recorded_at: Timestamp;
    recorded_by: string;
    recorded_role: string;
    sbp: number | null;
    dbp: number | null;
    pulse: number | null;
    glucose_mmol: number | null;
    glucose_kind: string | null;
    hba1c: number | null;
    weight_kg: number | null;
    medicines: Json<Array<{ name: string; quantity: number | null; unit: string | null; days: number | null }>>;
    adherence: string | null;
    exacerbations: number | null;
    symptom_control: string | null;
    next_due: string;
    control: 'controlled' | 'uncontrolled' | 'unknown';
    note: string | null;
    received_at: Generated<Date>;
  };
  pc_state: { key: string; value: number };
};

/** Why an enrolment ended (migration 026; the clinician's reasons are core's CLOSE_REASONS); 'merged' is the MPI's. */
export type CloseReason = CloseReasonKey | 'merged';

export type EntryKind = 'record' | 'checkup' | 'followup' | 'enrolment';

/** The shared Db typed with the staff tables (names of recorders) and this module's own. */
export const pcDb = (db: Db) => staffDb(db).withTables<PrimaryCareTables>();
export type PcDb = ReturnType<typeof pcDb>;
