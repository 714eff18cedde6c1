import { parseArgs } from 'node:util';
import type { Db } from '../db/index.ts';
import { CardImportError, importCardList, parseCardMapping } from './import.ts';

/** `hssk bhyt import FILE [--map canonical=Header,...]`; returns the exit code. */
export async function runBhyt(db: Db, sub: string | undefined, args: string[]): Promise<number> {
  if (sub !== 'import') throw new Error('usage: hssk bhyt import <file> [--map canonical=Header,...]');
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { map: { type: 'string' } } });
  const file = positionals[0];
  if (!file) throw new Error('usage: hssk bhyt import <file> [--map canonical=Header,...]');
  try {
    const r = await importCardList(db, file, { mapping: values.map ? parseCardMapping(values.map) : undefined });
    for (const i of r.issues) console.log(`dòng ${i.line}: ${i.reason_vi}`);
    console.log(`rows=${r.rows} accepted=${r.accepted} stored=${r.stored} persons_updated=${r.personsUpdated} rejected=${r.issues.length}`);
    return r.issues.length > 0 ? 1 : 0;
  } catch (e) {
    if (e instanceof CardImportError) {
      console.error(e.messageVi);
      return 2;
    }
    throw e;
  }
}
