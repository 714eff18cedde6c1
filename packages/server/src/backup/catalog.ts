import { DomainError } from '@openhssk/core';
import { type Kysely, sql } from 'kysely';

/**
 * What a logical dump needs to know about the schema, read from pg_catalog on either driver:
 * every ordinary table of the current schema with its columns and primary key, foreign keys for
 * the insert order, user triggers, sequences. Nothing is excluded: schema_migration, app_state and
 * audit_event are data like the rest.
 */

export interface ColumnInfo {
  name: string;
  /** format_type() of the column, e.g. `timestamp with time zone`, `text[]`. */
  type: string;
  /** json/jsonb travel as their text: JSON null and SQL NULL would otherwise look the same. */
  json: boolean;
}

export interface TableInfo {
  name: string;
  columns: ColumnInfo[];
  primaryKey: string[];
  /** The table references itself with a constraint that is checked per statement. */
  selfReferencing: boolean;
  hasUserTriggers: boolean;
}

export interface Catalog {
  tables: TableInfo[];
  sequences: string[];
  /** child table → parent tables it references through non-deferrable foreign keys (itself excluded). */
  parents: Map<string, Set<string>>;
}

// biome-ignore lint/suspicious/noExplicitAny: catalog queries run on any Kysely instance (database or transaction)
type AnyDb = Kysely<any>;

export const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

export async function readCatalog(db: AnyDb): Promise<Catalog> {
  const tables = (
    await sql<{ name: string; triggers: boolean }>`
      select c.relname as name,
             exists (select 1 from pg_trigger t where t.tgrelid = c.oid and not t.tgisinternal) as triggers
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = current_schema() and c.relkind = 'r'
       order by c.relname`.execute(db)
  ).rows;
  const columns = (
    await sql<{ table: string; name: string; type: string; json: boolean }>`
      select c.relname as table, a.attname as name, format_type(a.atttypid, a.atttypmod) as type,
             a.atttypid in ('json'::regtype, 'jsonb'::regtype) as json
        from pg_attribute a
        join pg_class c on c.oid = a.attrelid
        join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = current_schema() and c.relkind = 'r' and a.attnum > 0 and not a.attisdropped
         and a.attgenerated = ''
       order by c.relname, a.attnum`.execute(db)
  ).rows;
  const keys = (
    await sql<{ table: string; column: string }>`
      select cl.relname as table, a.attname as column
        from pg_constraint con
        join pg_class cl on cl.oid = con.conrelid
        join pg_namespace n on n.oid = cl.relnamespace
        cross join lateral unnest(con.conkey) with ordinality as k(attnum, ord)
        join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.attnum
       where con.contype = 'p' and n.nspname = current_schema()
       order by cl.relname, k.ord`.execute(db)
  ).rows;
  const fks = (
    await sql<{ child: string; parent: string; deferrable: boolean }>`
      select c.relname as child, p.relname as parent, con.condeferrable as deferrable
        from pg_constraint con
        join pg_class c on c.oid = con.conrelid
        join pg_class p on p.oid = con.confrelid
        join pg_namespace n on n.oid = c.relnamespace
       where con.contype = 'f' and n.nspname = current_schema()`.execute(db)
  ).rows;
  const sequences = (
    await sql<{ name: string }>`
      select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = current_schema() and c.relkind = 'S' order by c.relname`.execute(db)
  ).rows.map((r) => r.name);

  const parents = new Map<string, Set<string>>();
  const selfRef = new Set<string>();
  for (const fk of fks) {
    // A deferrable constraint is deferred for the whole restore (`set constraints all deferred`).
    if (fk.deferrable) continue;
    if (fk.child === fk.parent) selfRef.add(fk.child);
    else parents.set(fk.child, (parents.get(fk.child) ?? new Set()).add(fk.parent));
  }
  return {
    tables: tables.map((t) => ({
      name: t.name,
      columns: columns.filter((c) => c.table === t.name).map((c) => ({ name: c.name, type: c.type, json: c.json })),
      primaryKey: keys.filter((k) => k.table === t.name).map((k) => k.column),
      selfReferencing: selfRef.has(t.name),
      hasUserTriggers: t.triggers,
    })),
    sequences,
    parents,
  };
}

/**
 * Tables in an order where every table comes after the tables it references, so rows can be
 * inserted with every foreign key checked as usual (no `session_replication_role`, which needs a
 * superuser). Ties are broken by name so the order is stable.
 */
export function insertOrder(catalog: Catalog): string[] {
  const remaining = new Set(catalog.tables.map((t) => t.name));
  const order: string[] = [];
  while (remaining.size) {
    const ready = [...remaining].filter((t) => ![...(catalog.parents.get(t) ?? [])].some((p) => remaining.has(p))).sort();
    if (!ready.length) {
      throw new DomainError(
        'internal',
        'BACKUP_FK_CYCLE',
        `Các bảng ${[...remaining].join(', ')} tham chiếu vòng tròn bằng khóa ngoại không hoãn được; không xác định được thứ tự khôi phục.`,
        `Tables ${[...remaining].join(', ')} reference each other in a cycle of non-deferrable foreign keys; no restore order exists.`,
      );
    }
    for (const t of ready) {
      order.push(t);
      remaining.delete(t);
    }
  }
  return order;
}

/**
 * The row text a table is dumped as and verified against: row_to_json over the columns in the given
 * order, json/jsonb as text. Identifiers come from the catalog and are quoted.
 */
export function rowJsonQuery(table: TableInfo, columns: ColumnInfo[], ordered: boolean): string {
  const cols = columns.map((c) => (c.json ? `${quoteIdent(c.name)}::text as ${quoteIdent(c.name)}` : quoteIdent(c.name))).join(', ');
  const order = ordered && table.primaryKey.length ? ` order by ${table.primaryKey.map(quoteIdent).join(', ')}` : '';
  return `select row_to_json(x)::text as j from (select ${cols} from only ${quoteIdent(table.name)}${order}) x`;
}

/**
 * Session settings that make row_to_json text identical on every server (time zone of timestamptz,
 * float digits, interval and bytea formats), so a checksum taken at backup time can be compared
 * with the restored rows, also from PGlite to PostgreSQL.
 */
export async function setDumpSettings(db: AnyDb): Promise<void> {
  await sql`select set_config('TimeZone', 'UTC', true), set_config('extra_float_digits', '1', true),
                   set_config('IntervalStyle', 'postgres', true), set_config('bytea_output', 'hex', true),
                   set_config('DateStyle', 'ISO, YMD', true)`.execute(db);
}
