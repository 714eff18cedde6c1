import { cleanText, hasDiacritics, normalizePersonName, searchKey, socialInsuranceNumber } from '@openhssk/core';
import type { SearchHit, SearchResult } from '@openhssk/core/api';
import { normalizePhone } from '@openhssk/core/mpi';
import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { hamletKey } from './hamlet.ts';
import { householdCodeKey } from './households.ts';

export interface SearchQuery {
  /** A name (with or without diacritics), a CCCD/CMND, a BHYT card or BHXH number, or a phone number. */
  q?: string | undefined;
  hamlet?: string | undefined;
  /** The household code of the list (or of the station), or the register's household id. */
  household?: string | undefined;
  page: number;
  pageSize: number;
}

export type { SearchHit, SearchResult };

type Reading = { by: 'name'; words: string[]; exact: string[] } | { by: 'cccd' | 'bhxh' | 'phone'; value: string } | { by: 'none' };

/** What the one search box holds: 12 or 9 digits are an id card, a 15-character card or 10 digits not starting with 0 a BHXH number, a phone number, else a name. */
export function readQuery(q: string | undefined): Reading {
  const text = cleanText(q ?? '');
  if (text === '') return { by: 'none' };
  const compact = text.replace(/[\s.-]/g, '').toUpperCase();
  if (/^\d{12}$/.test(compact) || /^\d{9}$/.test(compact)) return { by: 'cccd', value: compact };
  if (/^[A-Z]{2}\d{13}$/.test(compact) || /^[1-9]\d{9}$/.test(compact)) {
    const bhxh = socialInsuranceNumber(compact);
    if (bhxh) return { by: 'bhxh', value: bhxh };
  }
  if (/^\+?\d[\d\s.()-]{7,}$/.test(text)) {
    const phone = normalizePhone(text);
    if (phone) return { by: 'phone', value: phone };
  }
  const words = searchKey(text).split(' ').filter((w) => w !== '');
  if (words.length === 0) return { by: 'none' };
  // Typed with diacritics: the exact spellings rank first ("Hòa" before "Hoa", "Hóa"); without, all alike.
  const exact = hasDiacritics(text) ? normalizePersonName(text).split(' ').filter((w) => w !== '') : [];
  return { by: 'name', words, exact };
}

const likeEscape = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Searches the commune's people: residents by their golden record and current members of its
 * households. Word prefixes of the diacritic-free name key (index-only over person(ma_xa, name_key)),
 * exact ids through their own indexes, then hamlet and household filters through the register.
 * `onPage` gets the ids of the page's persons as soon as they are known (the route audits them).
 */
export async function searchRegister(db: Db, commune: string, query: SearchQuery, onPage?: (personIds: readonly string[], matchedBy: SearchResult['matched_by']) => Promise<void>): Promise<SearchResult> {
  const reading = readQuery(query.q);
  const filters: RawBuilder<unknown>[] = [];
  if (query.hamlet) filters.push(sql`h.hamlet_key = ${hamletKey(query.hamlet)}`);
  if (query.household) {
    const raw = query.household.trim();
    filters.push(/^\d{1,12}$/.test(raw) ? sql`(h.household_code = ${householdCodeKey(raw)} or h.id = ${Number(raw)})` : sql`h.household_code = ${householdCodeKey(raw)}`);
  }
  const personFilter = (p: string) => {
    switch (reading.by) {
      case 'name':
        return sql`(' ' || ${sql.ref(`${p}.name_key`)}) like all(${reading.words.map((w) => `% ${likeEscape(w)}%`)}::text[])`;
      case 'cccd':
        return sql`${sql.ref(`${p}.so_cccd`)} = ${reading.value}`;
      case 'bhxh':
        return sql`${sql.ref(`${p}.bhxh`)} = ${reading.value}`;
      case 'phone':
        return sql`${sql.ref(`${p}.so_dien_thoai`)} = ${reading.value}`;
      default:
        return sql`true`;
    }
  };
  if (reading.by === 'none' && filters.length === 0) return { total: 0, page: query.page, page_size: query.pageSize, matched_by: 'none', hits: [] };

  // Without a hamlet or household filter the residents count too, in a household or not, and the
  // members the station added (births, moves in) whose golden record names another commune; with one,
  // only the register's current members (the filter is theirs). Each branch yields the sort key and
  // the name (index-only over person(ma_xa, name_key) include (id, ho_ten)).
  const candidates =
    filters.length === 0
      ? sql`select p.id, p.name_key, p.ho_ten from person p where p.ma_xa = ${commune} and ${personFilter('p')}
            union
            select p.id, p.name_key, p.ho_ten from station_member m join person p on p.id = m.person_id
             where m.commune_code = ${commune} and m.closed_at is null and m.joined_reason <> 'population' and ${personFilter('p')}`
      : sql`select p.id, p.name_key, p.ho_ten from station_household h
              join station_member m on m.household_id = h.id and m.closed_at is null
              join person p on p.id = m.person_id
             where h.commune_code = ${commune} and ${sql.join(filters, sql` and `)} and ${personFilter('p')}`;
  const rank =
    reading.by === 'name' && reading.exact.length > 0
      ? sql`case when (' ' || c.ho_ten) like all(${reading.exact.map((w) => `% ${likeEscape(w)}%`)}::text[]) then 0 else 1 end, `
      : sql``;
  // One pass over the matches: the page and the total together; the page's rows are then read in full.
  const page = await sql<{ id: string; total: number }>`
    select c.id, count(*) over ()::int as total from (${candidates}) c
     order by ${rank}c.name_key, c.id
     limit ${query.pageSize} offset ${(query.page - 1) * query.pageSize}`.execute(db);
  const total =
    page.rows[0]?.total ?? (query.page > 1 ? ((await sql<{ n: number }>`select count(*)::int as n from (${candidates}) c`.execute(db)).rows[0]?.n ?? 0) : 0);
  const ids = page.rows.map((r) => r.id);
  // The page's persons are known: the caller's audit write runs beside the detail read (on another
  // pooled connection), and the answer waits for both.
  const [details] = await Promise.all([
    ids.length === 0
      ? []
      : sql<SearchHit & { ma_xa: string | null }>`
            select p.id as person_id, p.ho_ten, p.ngay_sinh, p.gioi_tinh, p.so_cccd, p.so_bhyt, p.so_dien_thoai, p.ma_xa,
                   h.id as household_id, h.household_code, h.hamlet, m.relation, m.relation_label,
                   (select d.occurred_on from station_event d where d.kind = 'death' and d.person_id = p.id and d.duplicate_of is null) as deceased_on
              from person p
              left join station_member m on m.person_id = p.id and m.closed_at is null and m.commune_code = ${commune}
              left join station_household h on h.id = m.household_id
             where p.id = any(${ids}::text[])`
          .execute(db)
          .then((r) => r.rows),
    onPage?.(ids, reading.by),
  ]);
  const byId = new Map(details.map((d) => [d.person_id, d]));
  const rows = { rows: ids.map((id) => byId.get(id)!).filter((r) => r !== undefined) };
  return {
    total,
    page: query.page,
    page_size: query.pageSize,
    matched_by: reading.by,
    hits: rows.rows.map(({ ma_xa, ...r }) => ({ ...r, resident: ma_xa === commune })),
  };
}
