/**
 * AuditEvent: the access-log rows about a person (audit module's audit_event), worded as the citizen's
 * own access log words them. Readable by system administrators only for now (the patient's own reading
 * comes with SMART): a facility system or a health officer gets 403.
 *
 * Sensitive episodes: a row about an episode (`episode/<id>`) is shown only while every version of that
 * episode may be shown; a row about a visit (`visit/…`, a check-in that may come before its episode and
 * its sensitivity are known) is never shown. Hidden rows are filtered in SQL before LIMIT, as hidden
 * episodes are. The row's free text (`resource`, `detail`, an emergency reason) is never copied.
 */
import { DomainError } from '@openhssk/core';
import { auditEventResource, codeSystemUrl } from '@openhssk/core/fhir';
import { sql } from 'kysely';
import { ACCESS_ACTIONS, ROLE_WORDS } from '../audit/index.ts';
import type { Db } from '../db/index.ts';
import type { FhirCaller } from './access.ts';
import { parseDate, parseReferences, parseTokens } from './params.ts';
import { type Ctx, checkParams, cursorOf, listOf, type Result, sortChoice } from './search.ts';
import { dateCondition, instantKey, intKey, keyset, type Page, rowKeys, type SortKey, visibleEpisode } from './sql.ts';

export const AUDIT_ACTION_SYSTEM = codeSystemUrl('hanh-dong-truy-cap');

/** Only a system administrator reads the access log over FHIR today. */
export const mayReadAuditEvents = (caller: FhirCaller) => caller.actor.type === 'staff' && caller.actor.role === 'system_admin' && caller.facilities === 'all';

const forbidden = () =>
  new DomainError('forbidden', 'FHIR_AUDIT_FORBIDDEN', 'Chỉ quản trị hệ thống được đọc nhật ký truy cập qua FHIR.', 'Only system administrators may read the access log over FHIR.');

/** Every version of the episode chain of `x` may be shown (current one visible, none ever sensitive). */
const chainVisible = sql`exists (select 1 from episode e where e.facility_code = x.facility_code and e.ma_lk = x.ma_lk and ${visibleEpisode('all')})
  and not exists (select 1 from episode y where y.facility_code = x.facility_code and y.ma_lk = x.ma_lk and cardinality(y.sensitivity) > 0)`;

const EPISODE_ID = sql`(substring(a.resource from 9))::bigint`;

const SHOWN_ROW = sql`(case
  when a.resource ~ '^episode/[0-9]{1,18}$' then exists (select 1 from episode x where x.id = ${EPISODE_ID} and x.person_id = a.person_id and ${chainVisible})
  when a.resource ~ '^(episode|visit)/' then false
  else true end)`;

const ENCOUNTER = sql`(case when a.resource ~ '^episode/[0-9]{1,18}$' then
  (select min(v.id)::text from episode x join episode v on v.facility_code = x.facility_code and v.ma_lk = x.ma_lk and v.person_id is not distinct from x.person_id
    where x.id = ${EPISODE_ID}) end)`;

interface AuditRow {
  id: number;
  at: Date;
  person_id: string;
  actor_type: string;
  actor_name: string | null;
  actor_role: string | null;
  facility_code: string | null;
  facility_name: string | null;
  action: string;
  break_glass: boolean;
  encounter: string | null;
}

const AT = sql`a.at`;
const ID_KEY = intKey(sql`a.id`);

async function queryAudit(db: Db, filters: ReturnType<typeof sql>[], page: Page): Promise<Array<AuditRow & Record<string, unknown>>> {
  const k = keyset(page);
  const conds = [...filters, ...(k.where ? [k.where] : [])];
  const r = await sql<AuditRow & Record<string, unknown>>`select a.id, a.at, a.person_id, a.actor_type, a.actor_name, a.actor_role, a.facility_code,
      f.name as facility_name, a.action, a.break_glass, ${ENCOUNTER} as encounter, ${k.values}
    from audit_event a left join facility f on f.code = a.facility_code
    where a.person_id is not null and ${SHOWN_ROW}
      and exists (select 1 from episode e where e.person_id = a.person_id and ${visibleEpisode('all')})${conds.length ? sql` and ${sql.join(conds, sql` and `)}` : sql``}
    order by ${k.order} limit ${page.limit}`.execute(db);
  return r.rows;
}

const resourceOf = (r: AuditRow) => {
  const wording = ACCESS_ACTIONS[r.action];
  return auditEventResource({
    ...r,
    role_label: r.actor_role ? (ROLE_WORDS[r.actor_role]?.label ?? null) : null,
    action_text: wording ? wording.text.replace('{what}', wording.what ?? 'hồ sơ') : 'truy cập hồ sơ',
  });
};

export async function searchAuditEvents(ctx: Ctx): Promise<Result> {
  if (!mayReadAuditEvents(ctx.caller)) throw forbidden();
  checkParams(ctx.q, new Set(['_id', '_sort', 'patient', 'date', '_lastUpdated', 'subtype']), ctx.type);
  const sort = sortChoice(ctx.q, ['date', '_lastUpdated']);
  const keys: SortKey[] = sort.name === '_id' ? [ID_KEY] : [instantKey(AT), ID_KEY];
  const sortName = sort.name + (sort.desc ? '-' : '');
  const filters = [];
  for (const raw of listOf(ctx.q, '_id')) {
    const ids = raw.split(',').filter((i) => /^\d{1,18}$/.test(i));
    filters.push(ids.length ? sql`a.id = any(${ids}::bigint[])` : sql`false`);
  }
  for (const raw of listOf(ctx.q, 'patient')) filters.push(sql`a.person_id = any(${parseReferences('patient', raw, 'Patient').concat('-----')}::text[])`);
  for (const name of ['date', '_lastUpdated']) for (const raw of listOf(ctx.q, name)) filters.push(dateCondition({ kind: 'instant', expr: AT }, parseDate(name, raw)));
  for (const raw of listOf(ctx.q, 'subtype')) {
    const codes = parseTokens('subtype', raw).flatMap((t) => (t.system === undefined || t.system === AUDIT_ACTION_SYSTEM ? [t.code] : []));
    filters.push(sql`a.action = any(${codes.concat('-----')}::text[])`);
  }
  const rows = await queryAudit(ctx.db, filters, { keys, desc: sort.desc, after: cursorOf(ctx.q, sortName, keys), limit: ctx.count + 1 });
  const page = rows.slice(0, ctx.count);
  const last = page[page.length - 1];
  return {
    matches: page.map((r) => ({ resource: resourceOf(r), personId: r.person_id })),
    includes: [],
    next: rows.length > ctx.count && last ? rowKeys(last, keys.length) : undefined,
    sortName,
  };
}

/** The newest access-log rows about one person, for $everything (system administrators only). */
export async function auditEventsOf(db: Db, caller: FhirCaller, personId: string, limit: number) {
  if (!mayReadAuditEvents(caller)) return [];
  // The person's episodes are read once, by person_id, and the log rows are then filtered by what
  // they showed: one statement on one shard and one on the log, instead of the log joined to
  // episode row by row (on a Citus cluster audit_event is on the coordinator and episode is
  // distributed by person_id: the join left the shard, issue 21). Same rules as SHOWN_ROW and
  // ENCOUNTER, over the person's own versions of each chain (facility, MA_LK): a resend that named
  // another patient continues the chain under that person, and what it showed there is that person's.
  const episodes = (
    await sql<{ id: string; f: string; m: string; version: number; visible: boolean; sensitive: boolean }>`
      select e.id::text as id, e.facility_code as f, e.ma_lk as m, e.version, (${visibleEpisode('all')}) as visible, cardinality(e.sensitivity) > 0 as sensitive
        from episode e where e.person_id = ${personId}`.execute(db)
  ).rows;
  if (!episodes.some((e) => e.visible)) return [];
  const chains = new Map<string, { visible: boolean; sensitive: boolean; first?: string }>();
  const chainOf = (e: (typeof episodes)[number]) => JSON.stringify([e.f, e.m]);
  for (const e of episodes) {
    const c = chains.get(chainOf(e)) ?? { visible: false, sensitive: false };
    c.visible ||= e.visible;
    c.sensitive ||= e.sensitive;
    // The FHIR id: the chain's earliest version on this person (fhir/sql.ts `key`).
    if (c.first === undefined || BigInt(e.id) < BigInt(c.first)) c.first = e.id;
    chains.set(chainOf(e), c);
  }
  const encounterOf: Record<string, string | null> = {};
  for (const e of episodes) {
    const c = chains.get(chainOf(e))!;
    if (c.visible && !c.sensitive) encounterOf[e.id] = c.first ?? null;
  }
  const r = await sql<AuditRow>`select a.id, a.at, a.person_id, a.actor_type, a.actor_name, a.actor_role, a.facility_code,
      f.name as facility_name, a.action, a.break_glass,
      (case when a.resource ~ '^episode/[0-9]{1,18}$' then ${JSON.stringify(encounterOf)}::jsonb ->> substring(a.resource from 9) end) as encounter
    from audit_event a left join facility f on f.code = a.facility_code
    where a.person_id = ${personId} and (case
      when a.resource ~ '^episode/[0-9]{1,18}$' then ${JSON.stringify(encounterOf)}::jsonb ? substring(a.resource from 9)
      when a.resource ~ '^(episode|visit)/' then false
      else true end)
    order by a.id desc limit ${limit}`.execute(db);
  return r.rows.map(resourceOf);
}
