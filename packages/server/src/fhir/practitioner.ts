/**
 * Practitioner: every licence number the caller's visible episodes name (core practitioner.ts lists the
 * fields; migration 078's fhir_practitioner_codes is the same list in SQL). A licence named only in
 * hidden (sensitive) episodes, or only at facilities outside the caller's scope, does not exist for
 * the caller. The name comes from the latest visible discharge paper signed with that code alone
 * (XML7 MA_BS + TEN_BS).
 *
 * Read and `identifier` use the GIN index of migration 078. A listing without them walks the distinct
 * codes of every visible row (no table of practitioners is kept): fine for a district, a known cost
 * for a national store.
 */
import { licenceOfPractitionerId, practitionerResource, SID } from '@openhssk/core/fhir';
import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { decodeCursor, parseTokens } from './params.ts';
import { type Ctx, checkParams, listOf, type Result, single, sortChoice } from './search.ts';
import { type Facilities, visibleEpisode } from './sql.ts';

const NAMING_ROW = sql.raw(`r.tbl in ('XML2', 'XML3', 'XML4', 'XML7', 'XML8', 'XML13', 'XML14')`);

const nameOf = (facilities: Facilities) => sql`(select n.fields->>'TEN_BS' from episode_row n join episode e on e.id = n.episode_id
  where n.tbl = 'XML7' and trim(n.fields->>'MA_BS') = c.code and coalesce(n.fields->>'TEN_BS', '') <> '' and ${visibleEpisode(facilities)}
  order by e.id desc limit 1)`;

async function queryPractitioners(db: Db, facilities: Facilities, licences: string[] | undefined, after: string | undefined, limit: number, episodeFilters: RawBuilder<unknown>[] = []) {
  const start = after === undefined ? sql`true` : sql`c.code > ${after}`;
  const r = licences
    ? await sql<{ code: string; name: string | null }>`select c.code, ${nameOf(facilities)} as name from unnest(${licences}::text[]) as c(code)
        where ${start} and exists (select 1 from episode_row r join episode e on e.id = r.episode_id
          where ${NAMING_ROW} and fhir_practitioner_codes(r.tbl, r.fields) @> array[c.code] and ${visibleEpisode(facilities)})
        order by c.code limit ${limit}`.execute(db)
    : await sql<{ code: string; name: string | null }>`select c.code, ${nameOf(facilities)} as name from (
          select distinct x.code from episode e join episode_row r on r.episode_id = e.id and ${NAMING_ROW}
          cross join lateral unnest(fhir_practitioner_codes(r.tbl, r.fields)) as x(code)
          where ${visibleEpisode(facilities)}${sql.join(
            episodeFilters.map((f) => sql` and ${f}`),
            sql``,
          )}) as c
        where ${start} order by c.code limit ${limit}`.execute(db);
  return r.rows;
}

export async function searchPractitioners(ctx: Ctx): Promise<Result> {
  checkParams(ctx.q, new Set(['_id', '_sort', 'identifier']), ctx.type);
  sortChoice(ctx.q, []);
  const rawCursor = single(ctx.q, '_cursor');
  const after = rawCursor === undefined ? undefined : String(decodeCursor(rawCursor, '_id', ['text'])[0]);
  let licences: string[] | undefined;
  const narrow = (found: string[]) => {
    licences = licences ? licences.filter((l) => found.includes(l)) : [...new Set(found)];
  };
  for (const raw of listOf(ctx.q, '_id')) narrow(raw.split(',').flatMap((id) => licenceOfPractitionerId(id) ?? []));
  for (const raw of listOf(ctx.q, 'identifier')) {
    narrow(
      parseTokens('identifier', raw)
        .filter((t) => t.system === undefined || t.system === SID.practitionerLicence)
        .map((t) => t.code),
    );
  }
  const rows = await queryPractitioners(ctx.db, ctx.caller.facilities, licences, after, ctx.count + 1);
  const page = rows.slice(0, ctx.count);
  const last = page[page.length - 1];
  return {
    matches: page.flatMap((p) => {
      const resource = practitionerResource(p.code, p.name ?? undefined);
      return resource ? [{ resource, personId: null }] : [];
    }),
    includes: [],
    next: rows.length > ctx.count && last ? [last.code] : undefined,
    sortName: '_id',
  };
}

/** Practitioners among these licence numbers the caller may see (for $everything). */
export async function practitionersOf(db: Db, facilities: Facilities, licences: readonly string[]) {
  if (licences.length === 0) return [];
  return (await queryPractitioners(db, facilities, [...new Set(licences)], undefined, licences.length)).flatMap((p) => practitionerResource(p.code, p.name ?? undefined) ?? []);
}

/**
 * Practitioners in licence order after `after` (the bulk export's walk), named by visible episodes
 * that also meet `episodeFilters` (an arrival window); the name as a read shows it.
 */
export async function practitionersAfter(db: Db, facilities: Facilities, episodeFilters: RawBuilder<unknown>[], after: string | undefined, limit: number) {
  return (await queryPractitioners(db, facilities, undefined, after, limit, episodeFilters)).map((p) => ({ code: p.code, resource: practitionerResource(p.code, p.name ?? undefined) }));
}
