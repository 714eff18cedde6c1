import { REGISTERS, registersForDiagnoses } from '@openhssk/core/primary-care';
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { pcDb } from './tables.ts';

/** Episodes are read in id order, this many per statement. */
const BATCH = 5000;
const LOCK = 7346151;
const MAX_EPISODES_PER_SWEEP = 200_000;

/**
 * A prefilter in SQL from the registers' data: a code of one of their categories at the start of
 * MA_BENH_CHINH or of any item of MA_BENH_KT (';'-separated by the standard, ',' by some senders).
 * The exact decision is core's registersForDiagnoses on the rows it lets through.
 */
const categories = REGISTERS.flatMap((r) => r.icd10Categories).join('|');
const MAIN = `^\\s*(${categories})`;
const SECONDARY = `(^|[;,])\\s*(${categories})`;

export interface ProposalSweep {
  scanned: number;
  proposed: number;
  watermark: number;
}

/**
 * Proposes register enrolments from hospital episodes (XML 130 as ingested) of persons who live in a
 * commune (golden record `ma_xa`), with a register's code as main or secondary diagnosis. Episodes
 * are scanned once, by id from a watermark; only those received at least `holdbackSeconds` ago, so
 * an ingest transaction that commits after a later one is not stepped over (as the report refresh
 * does). Sensitive episodes (HIV, TB, mental health) never leave their facility, so they propose
 * nothing. No proposal when the person already has an open row in the register, or declined one
 * after this episode arrived (a later episode may propose again).
 */
export async function proposeFromEpisodes(db: Db, opts: { holdbackSeconds?: number; maxEpisodes?: number } = {}): Promise<ProposalSweep> {
  const holdback = Math.max(0, opts.holdbackSeconds ?? 30);
  // A first sweep over a large existing store is split over calls, so no request waits for all of it.
  const maxEpisodes = opts.maxEpisodes ?? MAX_EPISODES_PER_SWEEP;
  return db.transaction().execute(async (tx) => {
    // One sweep at a time; a second one waits, then finds the watermark moved.
    await sql`select pg_advisory_xact_lock(${LOCK})`.execute(tx);
    const pdb = pcDb(tx);
    // No row yet means nothing scanned: the migration seeds no data, so an empty database stays empty (backups, restores).
    const state = await pdb.selectFrom('pc_state').select('value').where('key', '=', 'proposal_episode_watermark').executeTakeFirst();
    const start = Number(state?.value ?? 0);
    const top = await sql<{ id: number | null }>`
      select max(id) as id from (
        select id from episode where id > ${start} and received_at <= now() - make_interval(secs => ${holdback}) order by id limit ${maxEpisodes}
      ) s`.execute(tx);
    const upto = Number(top.rows[0]?.id ?? start);
    let from = start;
    let scanned = 0;
    let proposed = 0;
    while (from < upto) {
      const to = Math.min(upto, from + BATCH);
      const rows = await sql<{ id: number; person_id: string; received_at: Date; ma_benh_chinh: string | null; ma_benh_kt: string | null }>`
        select e.id, e.person_id, e.received_at, e.ma_benh_chinh, e.ma_benh_kt
          from episode e join person p on p.id = e.person_id
         where e.id > ${from} and e.id <= ${to} and e.is_current and cardinality(e.sensitivity) = 0 and p.ma_xa is not null
           and (e.ma_benh_chinh ~ ${MAIN} or e.ma_benh_kt ~ ${SECONDARY})`.execute(tx);
      scanned += rows.rows.length;
      const candidates = rows.rows.flatMap((e) =>
        registersForDiagnoses(e.ma_benh_chinh, e.ma_benh_kt).map(({ register, code }) => ({ person_id: e.person_id, register, code, id: Number(e.id), received_at: new Date(e.received_at).toISOString() })),
      );
      if (candidates.length > 0) {
        // The earliest episode of the batch per person and register; none where an open row exists or a
        // decline came after the episode arrived.
        const r = await sql<{ id: number }>`
          insert into pc_enrolment (person_id, register, status, source, icd10, episode_id, proposed_at)
          select distinct on (c.person_id, c.register) c.person_id, c.register, 'proposed', 'hospital_episode', c.code, c.id, now()
            from jsonb_to_recordset(${JSON.stringify(candidates)}::jsonb) as c(person_id text, register text, code text, id bigint, received_at timestamptz)
           where not exists (select 1 from pc_enrolment d where d.person_id = c.person_id and d.register = c.register
                               and d.status = 'declined' and d.decided_at >= c.received_at)
           order by c.person_id, c.register, c.id
          on conflict (person_id, register) where status in ('proposed', 'active') do nothing
          returning id`.execute(tx);
        proposed += r.rows.length;
      }
      from = to;
    }
    if (upto > start) {
      await pdb.insertInto('pc_state').values({ key: 'proposal_episode_watermark', value: upto })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value: upto })).execute();
    }
    return { scanned, proposed, watermark: Math.max(upto, start) };
  });
}
