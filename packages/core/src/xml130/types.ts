import type { BilingualMessage } from '../errors.ts';

/** One element of an XML 130 table as published (3176 consolidated sheet + BHXH 4750 check sheet). */
export interface FieldDef {
  name: string;
  type: 'S' | 'N';
  /** Max length; null where the standard says `n` (no fixed limit). */
  max: number | null;
  req: 'Y' | 'N' | 'C';
  /** Raw condition text for req 'C' (after `C:`), or wording such as `as QĐ 4210`. */
  condition?: string;
  meaning: string;
}

export interface TableDef {
  /** LOAIHOSO code: XML0 .. XML15. */
  code: string;
  root: string;
  /** Other root names seen in the wild; accepted when parsing. */
  altRoots?: string[];
  /** True where sources disagree about the structure (XML12). */
  uncertain?: boolean;
  /** Element wrapping the rows; null when the root itself is the single row. */
  list: string | null;
  row: string;
  multi: boolean;
  fields: FieldDef[];
}

/** A problem found in an episode or check-in document; errors reject the episode. */
export interface Issue extends BilingualMessage {
  table: string | null;
  row: number | null;
  field: string | null;
  severity: 'error' | 'warning';
}
