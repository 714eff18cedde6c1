import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { bulkInsert, recordColumns } from '../db/index.ts';
import { identityFollowers } from './followers.ts';
import { rehomeRowsByKey } from './rehome.ts';

/** Both writers share the map; each leaves null what it does not know (no column has another default). */
const SOURCE_RECORD_COLUMNS = {
  source_system: 'text', source_id: 'text', ho_ten: 'text', ngay_sinh: 'text', gioi_tinh: 'text', so_cccd: 'text',
  so_bhyt: 'text', so_dien_thoai: 'text', dia_chi: 'text', ma_xa: 'text', ma_ho_gia_dinh: 'text', quan_he_chu_ho: 'text',
  content_hash: 'text', person_id: 'text', link_rule: 'text', import_id: 'bigint', match_keys: 'text[]',
} as const;

// Only changed content is rewritten, so re-importing a file does not churn rows or lose links.
const REFRESH_IMPORTED = `on conflict (source_system, source_id) do update set
  ho_ten = excluded.ho_ten, ngay_sinh = excluded.ngay_sinh, gioi_tinh = excluded.gioi_tinh, so_cccd = excluded.so_cccd,
  so_bhyt = excluded.so_bhyt, so_dien_thoai = excluded.so_dien_thoai, dia_chi = excluded.dia_chi, ma_xa = excluded.ma_xa,
  ma_ho_gia_dinh = excluded.ma_ho_gia_dinh, quan_he_chu_ho = excluded.quan_he_chu_ho, content_hash = excluded.content_hash,
  import_id = excluded.import_id, match_keys = excluded.match_keys,
  updated_at = excluded.updated_at
  where source_record.content_hash is distinct from excluded.content_hash`;

// The latest message wins, but a link made earlier (e.g. by MPI review) is kept when it carries no usable id.
const REFRESH_PATIENT = `on conflict (source_system, source_id) do update set
  ho_ten = excluded.ho_ten, ngay_sinh = excluded.ngay_sinh, gioi_tinh = excluded.gioi_tinh,
  so_cccd = excluded.so_cccd, so_bhyt = excluded.so_bhyt, so_dien_thoai = excluded.so_dien_thoai,
  dia_chi = excluded.dia_chi, ma_xa = excluded.ma_xa, content_hash = excluded.content_hash,
  match_keys = case when source_record.content_hash is distinct from excluded.content_hash then null else source_record.match_keys end,
  person_id = coalesce(excluded.person_id, source_record.person_id),
  link_rule = coalesce(excluded.link_rule, source_record.link_rule),
  updated_at = excluded.updated_at`;

type SourceRecordRow = Readonly<Partial<Record<keyof typeof SOURCE_RECORD_COLUMNS, unknown>>>;

/** Rows of a population list (MPI import); links are left to the MPI. */
export async function upsertImportedSourceRecords(db: Db, rows: readonly SourceRecordRow[]): Promise<void> {
  await bulkInsert(db, 'source_record', SOURCE_RECORD_COLUMNS, rows, REFRESH_IMPORTED);
}

const IMPORT_COLUMNS = Object.keys(SOURCE_RECORD_COLUMNS).filter((c) => c !== 'person_id' && c !== 'link_rule');

/**
 * Rows of one batch of a population list (MPI import), links left to the MPI. A record no person
 * holds yet is nobody's candidate, so its blocking keys wait for the link that places it
 * (relinkAll writes them with the person): every write of a row enters it in the GIN key index
 * again, and keys written at import and rewritten by the link cost a million-row list two of them.
 * A record already linked keeps its keys with its new content, so incremental linking still finds
 * that person before the next relink. Decided in the insert itself, not by a lookup per batch.
 */
export async function importSourceRecords(db: Db, rows: readonly SourceRecordRow[]): Promise<void> {
  const { def } = recordColumns(SOURCE_RECORD_COLUMNS);
  const columns = sql.raw(IMPORT_COLUMNS.map((c) => `"${c}"`).join(', '));
  const values = sql.raw(IMPORT_COLUMNS.map((c) => (c === 'match_keys' ? 'case when l.person_id is not null then x.match_keys end' : `x."${c}"`)).join(', '));
  for (let i = 0; i < rows.length; i += 2000) {
    const json = JSON.stringify(rows.slice(i, i + 2000));
    await sql`insert into source_record (${columns})
      select ${values} from jsonb_to_recordset(${json}::jsonb) as x(${def})
        left join source_record l on l.source_system = x.source_system and l.source_id = x.source_id
      ${sql.raw(REFRESH_IMPORTED)}`.execute(db);
  }
}

/** KCB patients of ingested episodes, with the deterministic link ingest found (if any). */
export async function upsertPatientSourceRecords(tx: Db, rows: readonly SourceRecordRow[]): Promise<void> {
  await bulkInsert(tx, 'source_record', SOURCE_RECORD_COLUMNS, rows, REFRESH_PATIENT);
}

/** What a person registering one record by hand (a commune station) knows; the rest stays null. */
export interface RegisteredSourceRecord {
  source_system: string;
  source_id: string;
  ho_ten: string;
  ngay_sinh: string;
  gioi_tinh?: string | null | undefined;
  so_cccd?: string | null | undefined;
  so_bhyt?: string | null | undefined;
  so_dien_thoai?: string | null | undefined;
  dia_chi?: string | null | undefined;
  ma_xa?: string | null | undefined;
  ma_ho_gia_dinh?: string | null | undefined;
  quan_he_chu_ho?: string | null | undefined;
}

/** A record registered with the person its CCCD or BHXH number names (linkDeterministic), or unlinked. */
export type RegisteredLinkedSourceRecord = RegisteredSourceRecord & { person_id?: string | null; link_rule?: 'cccd' | 'bhxh' | null };

/**
 * Registers new source records (children born or persons moving in, entered at a commune station),
 * unlinked or on the person their id names: the caller places them with the MPI in the same
 * transaction. Never rewrites an existing record: answers the source ids actually inserted, so a
 * taken (source_system, source_id) is missing from the answer.
 */
export async function registerSourceRecords(tx: Db, records: readonly RegisteredLinkedSourceRecord[]): Promise<Set<string>> {
  if (records.length === 0) return new Set();
  const rows = records.map((r) => {
    const row = {
      source_system: r.source_system, source_id: r.source_id, ho_ten: r.ho_ten, ngay_sinh: r.ngay_sinh, gioi_tinh: r.gioi_tinh ?? null,
      so_cccd: r.so_cccd ?? null, so_bhyt: r.so_bhyt ?? null, so_dien_thoai: r.so_dien_thoai ?? null, dia_chi: r.dia_chi ?? null,
      ma_xa: r.ma_xa ?? null, ma_ho_gia_dinh: r.ma_ho_gia_dinh ?? null, quan_he_chu_ho: r.quan_he_chu_ho ?? null,
    };
    // The hash covers the content only, as before links existed: a link does not change what the record says.
    const content_hash = createHash('sha256').update(JSON.stringify(row)).digest('hex');
    return { ...row, content_hash, person_id: r.person_id ?? null, link_rule: r.link_rule ?? null };
  });
  const inserted = await tx.insertInto('source_record').values(rows).onConflict((oc) => oc.doNothing()).returning(['source_system', 'source_id']).execute();
  return new Set(inserted.map((r) => `${r.source_system}\u0000${r.source_id}`));
}

/** Registers ONE new source record, unlinked (registerSourceRecords); false when (source_system, source_id) is taken. */
export async function registerSourceRecord(tx: Db, r: RegisteredSourceRecord): Promise<boolean> {
  return (await registerSourceRecords(tx, [r])).size === 1;
}

/** A source record (`s`, `i`) and the person (`p`) it belongs to by rule `r`; short keys keep the JSON small. */
export interface SourceLink {
  s: string;
  i: string;
  p: string;
  r: string;
  /**
   * The MPI's blocking keys of the record (its match_keys), when they are to be stored with the link:
   * one rewrite of the row instead of two (every rewrite re-enters the row in the GIN key index).
   */
  k?: readonly string[] | undefined;
}

/** Re-points source records; their episodes do not follow until episodesFollowSourceRecords. */
export async function setSourceLinks(tx: Db, links: readonly SourceLink[]): Promise<void> {
  if (links.length === 0) return;
  await sql`update source_record sr set person_id = x.p, link_rule = x.r, link_score = null, updated_at = now(),
      match_keys = coalesce(x.k, sr.match_keys)
    from jsonb_to_recordset(${JSON.stringify(links)}::jsonb) as x(s text, i text, p text, r text, k text[])
    where sr.source_system = x.s and sr.source_id = x.i`.execute(tx);
  // Rows other modules key by a source record (an imported dose) follow its link through their
  // owner's hook, in this transaction (person/followers.ts).
  for (const f of identityFollowers()) await f.followSourceLinks?.(tx, links);
}

/**
 * Episodes (with their rows) and visits belong to the person of their KCB patient record.
 * Restricted to the given patient source ids, or set-based over everything, which also repairs
 * patients linked earlier by ingest whose episode arrived without a usable id.
 *
 * A row changes person by leaving and coming back (person/rehome.ts), never by an update of its
 * person_id: on a Citus cluster person_id places the row on its shard and cannot change in place
 * (issue 21). The rows to move are found first, so the common call, where nothing moves, writes nothing.
 */
export async function episodesFollowSourceRecords(tx: Db, patientSourceIds?: readonly string[]): Promise<void> {
  if (patientSourceIds?.length === 0) return;
  const moved: Array<{ id: string; to: string }> = [];
  // For given patients, the records' persons are read by key and the rows by patient: on a cluster
  // source records are distributed by their key and rows by person, so the two are not joined.
  const personOf = new Map<string, string>();
  if (patientSourceIds) {
    const placed = await tx.selectFrom('source_record').select(['source_id', 'person_id']).where('source_system', '=', 'KCB')
      .where('source_id', 'in', patientSourceIds).where('person_id', 'is not', null).execute();
    for (const r of placed) personOf.set(r.source_id, r.person_id!);
    if (personOf.size === 0) return;
  }
  for (const table of ['episode', 'visit'] as const) {
    let moves: Array<{ id: string; to: string }>;
    if (patientSourceIds) {
      const rows = await sql<{ id: string; s: string; p: string | null }>`select id::text as id, patient_source_id as s, person_id as p
        from ${sql.table(table)} where patient_source_id = any(${[...personOf.keys()]}::text[])`.execute(tx);
      moves = rows.rows.filter((r) => r.p !== personOf.get(r.s)).map((r) => ({ id: r.id, to: personOf.get(r.s)! }));
    } else {
      moves = (await sql<{ id: string; to: string }>`select t.id::text as id, sr.person_id as to
          from ${sql.table(table)} t join source_record sr on sr.source_system = 'KCB' and sr.source_id = t.patient_source_id
         where sr.person_id is not null and t.person_id is distinct from sr.person_id`.execute(tx)).rows;
    }
    await rehomeRowsByKey(tx, table, 'id', moves);
    if (table === 'episode') moved.push(...moves);
  }
  // Set-based, rows whose person differs from their episode's are repaired too (rows written before
  // their episode was linked), as the in-place update before issue 21 did.
  const rowMoves = new Map(moved.map((m) => [m.id, m]));
  if (!patientSourceIds) {
    const stale = await sql<{ id: string; to: string }>`select distinct r.episode_id::text as id, e.person_id as to
      from episode_row r join episode e on e.id = r.episode_id
     where e.person_id is not null and r.person_id is distinct from e.person_id`.execute(tx);
    for (const m of stale.rows) rowMoves.set(m.id, m);
  }
  await rehomeRowsByKey(tx, 'episode_row', 'episode_id', [...rowMoves.values()]);
  if (moved.length === 0) return;
  // The key directory names the person of each current episode (migration 087).
  // Read, then written by key: on a cluster the directory's shards are by facility, not by person.
  const current = await sql<{ f: string; m: string; p: string }>`select facility_code as f, ma_lk as m, person_id as p
    from episode where id = any(${moved.map((m) => m.id)}::int8[]) and is_current`.execute(tx);
  await setEpisodeKeys(tx, current.rows);
}

/** The directory rows of current episodes (facility `f`, MA_LK `m`) now name person `p` (migration 087). */
export async function setEpisodeKeys(tx: Db, keys: ReadonlyArray<{ f: string; m: string; p: string | null }>): Promise<void> {
  if (keys.length === 0) return;
  await sql`insert into episode_key (facility_code, ma_lk, person_id)
    select f, m, p from jsonb_to_recordset(${JSON.stringify(keys)}::jsonb) as x(f text, m text, p text)
    on conflict (facility_code, ma_lk) do update set person_id = excluded.person_id
     where episode_key.person_id is distinct from excluded.person_id`.execute(tx);
}

/** Moves source records to one person by a manual decision; the KCB patients' episodes and visits go with them. */
export async function moveSourceRecords(tx: Db, keys: ReadonlyArray<{ s: string; i: string }>, to: string, rule: string): Promise<void> {
  await setSourceLinks(tx, keys.map(({ s, i }) => ({ s, i, p: to, r: rule })));
  await episodesFollowSourceRecords(tx, keys.filter((k) => k.s === 'KCB').map((k) => k.i));
}
