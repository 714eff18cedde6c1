import type { HouseholdRelation } from '@openhssk/core/mpi';
import type { ColumnType, Generated, JSONColumnType, Kysely } from 'kysely';
import type { Db, Schema } from '../db/index.ts';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export const EVENT_KINDS = ['birth', 'death', 'move_in', 'move_out'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];
export type JoinReason = 'population' | 'birth' | 'move_in';
export type LeaveReason = 'death' | 'move_out' | 'moved_elsewhere' | 'population_list' | 'merged';
export type Origin = 'population' | 'station';

export interface StationHouseholdTable {
  id: Generated<number>;
  commune_code: string;
  household_code: string;
  hamlet: string | null;
  hamlet_key: string | null;
  address: string | null;
  head_person_id: string | null;
  head_by_station: Generated<boolean>;
  origin: Origin;
  created_event_id: number | null;
  created_at: Generated<Date>;
  dissolved_on: string | null;
}

export interface StationMemberTable {
  id: Generated<number>;
  household_id: number;
  person_id: string;
  commune_code: string;
  relation: HouseholdRelation | null;
  relation_label: string | null;
  joined_on: string | null;
  joined_reason: JoinReason;
  joined_event_id: number | null;
  left_on: string | null;
  left_reason: LeaveReason | null;
  left_event_id: number | null;
  origin: Origin;
  closed_at: Timestamp | null;
}

export interface StationEventTable {
  id: Generated<number>;
  entry_id: string;
  kind: EventKind;
  commune_code: string;
  facility_code: string;
  household_id: number | null;
  person_id: string | null;
  occurred_on: string;
  recorded_by: string;
  recorded_by_name: string | null;
  recorded_at: Generated<Date>;
  client_recorded_at: Timestamp | null;
  payload_sha256: string;
  /** Migration 025: a second death of what an MPI merge showed to be one person points at the one that stands. */
  duplicate_of: Generated<number | null>;
  payload: JSONColumnType<Record<string, unknown>, string, string>;
  result: JSONColumnType<Record<string, unknown>, string, string>;
}

export interface StationRegisterBuildTable {
  commune_code: string;
  built_at: Timestamp;
  built_by: string | null;
  households: number;
  members: number;
}

// A type alias, not an interface: withTables<T> needs an implicit index signature.
export type StationTables = {
  station_household: StationHouseholdTable;
  station_member: StationMemberTable;
  station_event: StationEventTable;
  station_register_build: StationRegisterBuildTable;
};

export type StationDb = Kysely<Schema & StationTables>;

/** The shared Db typed with the tables of migration 021 (kept out of db/tables.ts: this module owns them). */
export const stationDb = (db: Db): StationDb => db.withTables<StationTables>();
