import type { Db } from '../db/index.ts';

export interface IdentityKeys {
  cccd: string | null;
  bhxh: string | null;
}

export interface LinkResult {
  personId: string | null;
  rule: 'cccd' | 'bhxh' | null;
}

/**
 * Deterministic links only: a structurally valid CCCD first, then the 10-digit social-insurance
 * number. Anything else stays unlinked for the MPI to resolve (a wrong link is worse than none).
 */
export async function linkDeterministic(db: Db, keys: readonly IdentityKeys[]): Promise<LinkResult[]> {
  const cccds = [...new Set(keys.map((k) => k.cccd).filter((v): v is string => !!v))];
  const bhxhs = [...new Set(keys.map((k) => k.bhxh).filter((v): v is string => !!v))];
  const byCccd = new Map<string, string>();
  const byBhxh = new Map<string, string>();
  if (cccds.length > 0) {
    for (const r of await db.selectFrom('person').select(['id', 'so_cccd']).where('so_cccd', 'in', cccds).execute()) {
      // Two persons with one CCCD is a data error for review, never a guess.
      if (r.so_cccd) byCccd.set(r.so_cccd, byCccd.has(r.so_cccd) ? '' : r.id);
    }
  }
  if (bhxhs.length > 0) {
    for (const r of await db.selectFrom('person').select(['id', 'bhxh']).where('bhxh', 'in', bhxhs).execute()) {
      if (r.bhxh) byBhxh.set(r.bhxh, byBhxh.has(r.bhxh) ? '' : r.id);
    }
  }
  return keys.map((k) => {
    const c = k.cccd ? byCccd.get(k.cccd) : undefined;
    if (c) return { personId: c, rule: 'cccd' };
    const b = k.bhxh ? byBhxh.get(k.bhxh) : undefined;
    if (b) return { personId: b, rule: 'bhxh' };
    return { personId: null, rule: null };
  });
}
