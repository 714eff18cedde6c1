import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';

/** prev_hash of the first row (migrations/010_audit_chain.sql). */
export const GENESIS_HASH = '0'.repeat(64);

/** One audit_event row in session-independent text forms, as the chain hashes it. */
export interface ChainRow {
  id: string;
  /** `at` as UTC epoch microseconds. */
  at_us: string;
  actor_type: string;
  actor_id: string;
  actor_name: string | null;
  actor_role: string | null;
  facility_code: string | null;
  person_id: string | null;
  action: string;
  resource: string | null;
  break_glass: boolean;
  request_id: string | null;
  /** jsonb text form (PostgreSQL's canonical output). */
  detail: string | null;
  prev_hash: string | null;
  hash: string | null;
}

const field = (v: string | null) => (v === null ? '~' : `${Buffer.byteLength(v, 'utf8')}:${v}`);

/**
 * Canonical text version 1; the same as audit_event_canonical() in the migration. Kept as a second,
 * independent implementation so that a database whose hashing function was replaced cannot vouch for itself.
 */
export function canonicalText(r: ChainRow): string {
  return [
    'hssk-audit-v1',
    r.id,
    r.at_us,
    field(r.actor_type),
    field(r.actor_id),
    field(r.actor_name),
    field(r.actor_role),
    field(r.facility_code),
    field(r.person_id),
    field(r.action),
    field(r.resource),
    r.break_glass ? 't' : 'f',
    field(r.request_id),
    field(r.detail),
    field(r.prev_hash),
  ].join('|');
}

export const rowHash = (r: ChainRow): string => createHash('sha256').update(canonicalText(r), 'utf8').digest('hex');

export type ChainProblem = 'prev_hash' | 'hash' | 'head';

export interface ChainBreak {
  /** The row where the chain first fails (for `head`: the last row found, or null for none). */
  id: string | null;
  problem: ChainProblem;
  expected: string;
  found: string;
  message_vi: string;
  message_en: string;
}

export interface VerifyResult {
  ok: boolean;
  /** Rows whose link and own hash were checked and found right. */
  verified: number;
  lastId: string | null;
  /** Hash of the last verified row: kept outside the database, it proves later that the tail was not rewritten. */
  lastHash: string | null;
  seconds: number;
  broken?: ChainBreak;
  /** Weakened protection that is not (yet) a broken chain: triggers missing or off, privileges granted. */
  warnings: string[];
}

export interface VerifyOptions {
  /** Rows read per query; memory stays bounded by one page. */
  pageSize?: number;
}

const rowQuery = (after: string | null, pageSize: number) => sql<ChainRow>`
  select id::text as id, (extract(epoch from at) * 1000000)::bigint::text as at_us,
         actor_type, actor_id, actor_name, actor_role, facility_code, person_id, action, resource,
         break_glass, request_id, detail::text as detail, prev_hash, hash
  from audit_event
  where ${after === null ? sql`true` : sql`id > ${after}::bigint`}
  order by audit_event.id
  limit ${pageSize}`;

/** The protections of migration 010 as this connection sees them. */
async function protectionWarnings(db: Db): Promise<string[]> {
  const warnings: string[] = [];
  const triggers = await sql<{ tgname: string; tgenabled: string }>`
    select tgname, tgenabled from pg_trigger
    where tgrelid = 'audit_event'::regclass and not tgisinternal`.execute(db);
  // The chain needs all three of its triggers (migration 085: head locked per statement, rows chained, head written back).
  for (const name of ['audit_event_chain_begin', 'audit_event_chain', 'audit_event_chain_end', 'audit_event_no_change', 'audit_event_no_truncate']) {
    const t = triggers.rows.find((r) => r.tgname === name);
    if (!t) warnings.push(`Thiếu trigger ${name} trên audit_event. / Trigger ${name} on audit_event is missing.`);
    else if (t.tgenabled === 'D') warnings.push(`Trigger ${name} trên audit_event đang bị tắt. / Trigger ${name} on audit_event is disabled.`);
  }
  const priv = await sql<{ who: string; owner: boolean; super: boolean; can_change: boolean }>`
    select current_user as who,
           pg_has_role(current_user, (select relowner from pg_class where oid = 'audit_event'::regclass), 'USAGE') as owner,
           (select rolsuper from pg_roles where rolname = current_user) as super,
           has_table_privilege(current_user, 'audit_event', 'UPDATE')
             or has_table_privilege(current_user, 'audit_event', 'DELETE')
             or has_table_privilege(current_user, 'audit_event', 'TRUNCATE') as can_change`.execute(db);
  const p = priv.rows[0];
  if (p && !p.super && (p.owner || p.can_change)) {
    warnings.push(
      `Vai trò ${p.who} ${p.owner ? 'sở hữu bảng audit_event (có thể tắt trigger)' : 'có quyền UPDATE/DELETE/TRUNCATE trên audit_event'}; nên dùng vai trò ứng dụng riêng. / ` +
        `Role ${p.who} ${p.owner ? 'owns audit_event (it can disable the triggers)' : 'holds UPDATE/DELETE/TRUNCATE on audit_event'}; run the application as a separate role.`,
    );
  }
  return warnings;
}

/**
 * Recomputes the hash chain of audit_event in id order, one page at a time, and reports the first
 * broken link: a row whose content no longer matches its hash (edited), a row whose prev_hash is not
 * its predecessor's hash (a row before it deleted, or inserted behind the trigger's back), or a chain
 * that ends before the recorded head (rows at the end deleted). Rows and head are read in one
 * REPEATABLE READ snapshot so audit writes going on meanwhile cannot look like a break.
 */
export async function verifyAuditChain(db: Db, options: VerifyOptions = {}): Promise<VerifyResult> {
  const pageSize = options.pageSize ?? 5000;
  const started = performance.now();
  const warnings = await protectionWarnings(db);
  const outcome = await db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (tx) => {
      await sql`set transaction read only`.execute(tx);
      const head = (await sql<{ last_id: string | null; last_hash: string }>`select last_id::text as last_id, last_hash from audit_chain_head where id = 1`.execute(tx)).rows[0];
      let prev = GENESIS_HASH;
      let lastId: string | null = null;
      let verified = 0;
      const fail = (b: Omit<ChainBreak, 'message_vi' | 'message_en'>, vi: string, en: string) => ({ verified, lastId, lastHash: null, broken: { ...b, message_vi: vi, message_en: en } });
      for (;;) {
        const page: ChainRow[] = (await rowQuery(lastId, pageSize).execute(tx)).rows;
        for (const r of page) {
          if (r.prev_hash !== prev) {
            return fail(
              { id: r.id, problem: 'prev_hash', expected: prev, found: r.prev_hash ?? 'NULL' },
              `Bản ghi ${r.id}: prev_hash không khớp với mã băm của bản ghi trước${lastId ? ` (${lastId})` : ''} — một bản ghi ở giữa đã bị xóa hoặc thêm ngoài trigger.`,
              `Row ${r.id}: prev_hash differs from the hash of the previous row${lastId ? ` (${lastId})` : ''} — a row in between was deleted, or this row was inserted around the trigger.`,
            );
          }
          const computed = rowHash(r);
          if (r.hash !== computed) {
            return fail(
              { id: r.id, problem: 'hash', expected: computed, found: r.hash ?? 'NULL' },
              `Bản ghi ${r.id}: nội dung không còn khớp với mã băm đã lưu — bản ghi đã bị sửa.`,
              `Row ${r.id}: its content no longer matches its stored hash — the row was edited.`,
            );
          }
          prev = r.hash;
          lastId = r.id;
          verified++;
        }
        if (page.length < pageSize) break;
      }
      const headId = head?.last_id ?? null;
      const headHash = head?.last_hash ?? GENESIS_HASH;
      if (headId !== lastId || headHash !== prev) {
        return fail(
          { id: lastId, problem: 'head', expected: `${headId ?? '-'} ${headHash}`, found: `${lastId ?? '-'} ${prev}` },
          `Chuỗi kết thúc ở bản ghi ${lastId ?? '(không có)'} nhưng đầu chuỗi ghi nhận bản ghi ${headId ?? '(không có)'} — các bản ghi cuối đã bị xóa hoặc đầu chuỗi bị sửa.`,
          `The chain ends at row ${lastId ?? '(none)'} but the recorded head is row ${headId ?? '(none)'} — rows at the end were deleted or the head was altered.`,
        );
      }
      return { verified, lastId, lastHash: lastId ? prev : null, broken: undefined };
    });
  return {
    ok: outcome.broken === undefined,
    verified: outcome.verified,
    lastId: outcome.lastId,
    lastHash: outcome.lastHash,
    seconds: (performance.now() - started) / 1000,
    ...(outcome.broken ? { broken: outcome.broken } : {}),
    warnings,
  };
}
