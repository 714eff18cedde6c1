import { sql } from 'kysely';
import type { Db } from './database.ts';

/**
 * For the rest of this transaction, a Citus coordinator uses one connection per worker. Needed by a
 * transaction that modifies a reference table (the MPI's review and merge logs) after statements that
 * touched several shards of a distributed table (moving a person's rows): Citus refuses that write
 * after a parallel multi-shard operation ("cannot modify table … because there was a parallel
 * operation on a distributed table"). Call it first in the transaction. On plain PostgreSQL and PGlite
 * it sets an unused custom setting for the transaction and changes nothing.
 */
export async function oneConnectionPerWorker(tx: Db): Promise<void> {
  await sql`set local citus.multi_shard_modify_mode to 'sequential'`.execute(tx);
}
