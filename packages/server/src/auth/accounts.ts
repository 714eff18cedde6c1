import type { Db } from '../db/index.ts';

/** Citizen logins follow a merged person, so nobody is locked out of their own record. */
export async function moveCitizenAccounts(db: Db, fromPersonId: string, toPersonId: string): Promise<void> {
  await db.updateTable('citizen_account').set({ person_id: toPersonId }).where('person_id', '=', fromPersonId).execute();
}
