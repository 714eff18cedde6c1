// Vital signs received from other systems as FHIR Observation (issue 17 item 6). Owns `vital_sign` (migration 072).
export { moveVitalRows, purgeVitalRows, type ReceivedVital, receiveVital, returnVitalRows, type VitalResult, type VitalRow, vitalFollower, vitalIdByIdentifier, vitalSigns } from './store.ts';
