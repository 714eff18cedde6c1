import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { sql } from 'kysely';
import { type Actor, audit } from '../audit/index.ts';
import type { Db } from '../db/index.ts';

export const EXPORT_HEADER = 'source_system,source_id,person_id';

/** RFC 4180: quote only when needed, double embedded quotes. */
export function csvField(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** Who ran a command-line export: the operating-system account, as far as it is known. */
function cliActor(): Actor {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // No passwd entry for the uid (some containers): the uid still names the account.
    user = `uid:${process.getuid?.() ?? '?'}`;
  }
  return { type: 'system', id: `cli:${user}`, name: 'hssk mpi export' };
}

/**
 * Writes the link of every source record (rows rejected at import never became source records,
 * so they are absent). UTF-8 without BOM, `\n` line ends; records not yet linked have an empty
 * person_id. Streams by keyset pages so a million rows need no more memory than one page.
 */
export async function exportLinks(db: Db, outPath: string, options: { pageSize?: number; actor?: Actor } = {}): Promise<{ rows: number }> {
  const pageSize = options.pageSize ?? 50_000;
  const actor = options.actor ?? cliActor();
  const file = resolve(outPath);
  // A bulk copy of identity links leaves the system: recorded before the first row is written, like
  // any read of personal data, so an export that stops half-way is on record too; the second event
  // gives the extent of a finished one.
  await audit(db, { actor, action: 'mpi.export', resource: 'source_record', detail: { file } });
  const out = createWriteStream(outPath, { encoding: 'utf8' });
  const failed = new Promise<never>((_, reject) => out.once('error', reject));
  failed.catch(() => {});
  const write = async (s: string) => {
    if (!out.write(s)) await Promise.race([once(out, 'drain'), failed]);
  };
  let rows = 0;
  try {
    await write(`${EXPORT_HEADER}\n`);
    let after: [string, string] | undefined;
    for (;;) {
      const page = await sql<{ source_system: string; source_id: string; person_id: string | null }>`
        select source_system, source_id, person_id from source_record
        where ${after ? sql`(source_system, source_id) > (${after[0]}, ${after[1]})` : sql`true`}
        order by source_system, source_id
        limit ${pageSize}`.execute(db);
      let text = '';
      for (const r of page.rows) text += `${csvField(r.source_system)},${csvField(r.source_id)},${csvField(r.person_id ?? '')}\n`;
      if (text) await write(text);
      rows += page.rows.length;
      const last = page.rows.at(-1);
      if (!last || page.rows.length < pageSize) break;
      after = [last.source_system, last.source_id];
    }
    out.end();
    await Promise.race([once(out, 'finish'), failed]);
  } catch (e) {
    out.destroy();
    throw e;
  }
  await audit(db, { actor, action: 'mpi.export.complete', resource: 'source_record', detail: { file, rows } });
  return { rows };
}
