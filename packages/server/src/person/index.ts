export {
  confirmGuardian, type DerivationStats, deriveHouseholdRelations, type GuardianDecision, type GuardianRelation, PROOF_TYPES, type ProofType,
  type RelationRow, type RelationSource, relationsOf, removeGuardian,
} from './families.ts';
export { createPersons, type FlagOptions, flagPersons, type GoldenRow, isoPartialDate, type MinimalPerson, newPersonId, personRow, writeGoldenRecords } from './golden.ts';
export { type MovedRelations, relationFollower } from './relation-follower.ts';
export { type RehomeOptions, rehomePersonRows, rehomeRowsByKey } from './rehome.ts';
export { type IdentifierKind, personIdsByIdentifier, syncPersonIdentifiers } from './identifiers.ts';
export { type IdentityKeys, type LinkResult, linkDeterministic } from './link.ts';
export { addRelations, type CardValidity, type NewPerson, updatePersonCards, upsertPersons } from './registry.ts';
export {
  episodesFollowSourceRecords, moveSourceRecords, setEpisodeKeys, type RegisteredLinkedSourceRecord, type RegisteredSourceRecord, registerSourceRecord, registerSourceRecords,
  type SourceLink, setSourceLinks,
  importSourceRecords, upsertImportedSourceRecords, upsertPatientSourceRecords,
} from './source-records.ts';
export {
  type IdentityFollower, identityFollowers, type LoginMove, moveRowsOfPersons, type PersonMove, returnRowsOfPersons, wireFollowers,
} from './followers.ts';
