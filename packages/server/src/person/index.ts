export { type IdentityKeys, type LinkResult, linkDeterministic } from './link.ts';
export { addRelations, type NewPerson, upsertPersons } from './registry.ts';
