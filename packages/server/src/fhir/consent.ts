/**
 * Consent: the citizen's choices in the health book (core consent.ts), read from the auth module's
 * citizen_account as stored. Who may read them follows the Patient: a caller who may see a person (a
 * visible episode) sees that person's choices — a facility system therefore only for its own
 * patients, never another facility's; staff with FHIR rights within their area. The citizen's own
 * reading comes with SMART. A person with several accounts shows the latest choice of each kind.
 */
import { type ConsentKind, consentResource, parseConsentId } from '@openhssk/core/fhir';
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { parseDate, parseReferences } from './params.ts';
import { type Ctx, checkParams, cursorOf, listOf, type Result, sortChoice } from './search.ts';
import { dateCondition, type Facilities, instantKey, keyset, type Page, rowKeys, type SortKey, textKey, visibleEpisode } from './sql.ts';

interface ConsentRow {
  person_id: string;
  kind: ConsentKind;
  given_at: Date;
  withdrawn_at: Date | null;
}

const GIVEN = sql`c.given_at`;
const CHANGED = sql`coalesce(c.withdrawn_at, c.given_at)`;
const ID_KEYS: SortKey[] = [textKey(sql`c.person_id`), textKey(sql`c.kind`)];

/**
 * `onePerson`: only this person's consents. Named inside, the visibility check is not correlated with
 * citizen_account (a reference table on a Citus cluster, where such a correlation is refused) and the
 * statement reads the person's shard only (issue 21).
 */
async function queryConsents(db: Db, facilities: Facilities, filters: ReturnType<typeof sql>[], page: Page, onePerson?: string): Promise<Array<ConsentRow & Record<string, unknown>>> {
  const k = keyset(page);
  const conds = [...filters, ...(k.where ? [k.where] : [])];
  const r = await sql<ConsentRow & Record<string, unknown>>`select c.*, ${k.values} from (
      select a.person_id, k.kind, k.given_at, k.withdrawn_at,
             row_number() over (partition by a.person_id, k.kind order by k.given_at desc) as latest
      from citizen_account a
      cross join lateral (values ('book', a.consent_at, a.consent_withdrawn_at),
                                 ('cross-facility', a.cross_facility_consent_at, coalesce(a.cross_facility_withdrawn_at, a.consent_withdrawn_at))) as k(kind, given_at, withdrawn_at)
      where a.person_id is not null and k.given_at is not null
        ${onePerson === undefined ? sql`` : sql`and a.person_id = ${onePerson}`}
        and exists (select 1 from episode e where e.person_id = ${onePerson === undefined ? sql`a.person_id` : onePerson} and ${visibleEpisode(facilities)})) as c
    where c.latest = 1${conds.length ? sql` and ${sql.join(conds, sql` and `)}` : sql``}
    order by ${k.order} limit ${page.limit}`.execute(db);
  return r.rows;
}

export async function searchConsents(ctx: Ctx): Promise<Result> {
  checkParams(ctx.q, new Set(['_id', '_sort', 'patient', 'date', '_lastUpdated']), ctx.type);
  const sort = sortChoice(ctx.q, ['date', '_lastUpdated']);
  const keys = sort.name === 'date' ? [instantKey(GIVEN), ...ID_KEYS] : sort.name === '_lastUpdated' ? [instantKey(CHANGED), ...ID_KEYS] : ID_KEYS;
  const sortName = sort.name + (sort.desc ? '-' : '');
  const filters = [];
  for (const raw of listOf(ctx.q, '_id')) {
    const ids = raw.split(',').flatMap((id) => parseConsentId(id) ?? []);
    filters.push(ids.length ? sql`(${sql.join(ids.map((i) => sql`(c.person_id = ${i.personId} and c.kind = ${i.kind})`), sql` or `)})` : sql`false`);
  }
  for (const raw of listOf(ctx.q, 'patient')) filters.push(sql`c.person_id = any(${parseReferences('patient', raw, 'Patient').concat('-----')}::text[])`);
  for (const raw of listOf(ctx.q, 'date')) filters.push(dateCondition({ kind: 'instant', expr: GIVEN }, parseDate('date', raw)));
  for (const raw of listOf(ctx.q, '_lastUpdated')) filters.push(dateCondition({ kind: 'instant', expr: CHANGED }, parseDate('_lastUpdated', raw)));
  const rows = await queryConsents(ctx.db, ctx.caller.facilities, filters, { keys, desc: sort.desc, after: cursorOf(ctx.q, sortName, keys), limit: ctx.count + 1 });
  const page = rows.slice(0, ctx.count);
  const last = page[page.length - 1];
  return {
    matches: page.map((c) => ({ resource: consentResource(c), personId: c.person_id })),
    includes: [],
    next: rows.length > ctx.count && last ? rowKeys(last, keys.length) : undefined,
    sortName,
  };
}

/** Every choice of these persons the caller may see (for $everything and $export), by person then kind. */
export async function consentsOf(db: Db, facilities: Facilities, personIds: readonly string[]) {
  if (personIds.length === 0) return [];
  const one = personIds.length === 1 ? personIds[0] : undefined;
  const rows = await queryConsents(db, facilities, [sql`c.person_id = any(${[...personIds]}::text[])`], { keys: ID_KEYS, desc: false, after: undefined, limit: personIds.length * 2 }, one);
  return rows.map((c) => consentResource(c));
}
