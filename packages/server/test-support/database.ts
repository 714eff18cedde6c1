import { type DatabaseHandle, migrate, openDatabase } from '../src/db/index.ts';
import { wireIdentityFollowers } from '../src/identity-followers.ts';
import { createScratchPostgres } from './scratch-postgres.ts';

/**
 * A fresh, migrated database for one test file: in-memory PGlite, or a new PostgreSQL
 * database (HSSK_TEST_DB=postgres) that `drop()` removes afterwards.
 */
export async function createTestDatabase(): Promise<DatabaseHandle & { drop(): Promise<void> }> {
  // Tests decide merges and relinks without the app: they wire what the app's start-up wires.
  wireIdentityFollowers();
  if (process.env.HSSK_TEST_DB === 'postgres') {
    const scratch = await createScratchPostgres('hssk_test', process.env.TEST_DATABASE_URL);
    const handle = await openDatabase({ url: scratch.url, poolSize: 4 });
    await migrate(handle);
    return {
      ...handle,
      async drop() {
        await handle.close();
        await scratch.drop();
      },
    };
  }
  const handle = await openDatabase({ dataDir: 'memory://' });
  await migrate(handle);
  return { ...handle, drop: () => handle.close() };
}
