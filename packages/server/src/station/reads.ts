import { type Actor, auditMany } from '../audit/index.ts';
import type { Db } from '../db/index.ts';

/** Why the register was read, as the citizen's access log shows it beside the action. */
export type ReadPurpose = 'household_register' | 'search' | 'day_list' | 'print' | 'export';

export interface ReadRecord {
  personId: string | null;
  resource: string;
}

/**
 * One audit row per person shown (so each citizen's access log lists the read), written before the
 * response is sent, in one multi-row insert (the audit module chunks a commune-wide export so it
 * does not hold the chain's head lock for all its rows at once).
 */
export async function auditReads(db: Db, actor: Actor, action: string, purpose: ReadPurpose, records: readonly ReadRecord[], requestId: string, detail: Record<string, unknown> = {}) {
  const seen = new Set<string>();
  const unique = records.filter((r) => {
    const k = `${r.personId}\u0000${r.resource}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
  await auditMany(db, unique.map((r) => ({ actor, action, personId: r.personId, resource: r.resource, requestId, detail: { purpose, ...detail } })));
}
