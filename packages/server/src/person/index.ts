export { type IdentityKeys, type LinkResult, linkDeterministic } from './link.ts';
export { addRelations, type CardValidity, type NewPerson, updatePersonCards, upsertPersons } from './registry.ts';
