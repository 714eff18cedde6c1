import { parseBhyt } from '@openhssk/core';
import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { updatePersonCards } from '../person/index.ts';

export type CardSource = 'xml0' | 'xml1' | 'card_list';

export interface CardObservation {
  bhxh: string;
  card_no: string;
  valid_from: string | null;
  valid_to: string | null;
  facility_code: string | null;
  /** YYYY-MM-DD: the date of the data itself (check-in day, list date). */
  observed_on: string;
  source: CardSource;
  source_ref: string;
}

/**
 * A date as the sources write it: yyyyMMdd (QĐ 130, optionally followed by HHmm), YYYY-MM-DD, or
 * dd/mm/yyyy (agency spreadsheets). Anything else is unknown rather than guessed.
 */
export function cardDate(raw: string | null | undefined): string | null {
  const s = (raw ?? '').trim();
  const compact = /^(\d{4})(\d{2})(\d{2})(\d{4})?$/.exec(s);
  const dashed = /^(\d{4})-(\d{2})-(\d{2})/.exec(s);
  const slashed = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(s);
  const [y, m, d] = compact ? [compact[1], compact[2], compact[3]] : dashed ? [dashed[1], dashed[2], dashed[3]] : slashed ? [slashed[3], slashed[2], slashed[1]] : [];
  if (!y || !m || !d) return null;
  const iso = `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
  const t = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(t.getTime()) && t.toISOString().slice(0, 10) === iso ? iso : null;
}

/**
 * The card an XML0/XML1 row carries. MA_THE_BHYT, GT_THE_TU, GT_THE_DEN and MA_DKBD may list several
 * cards separated by ';' (a card changed during the stay): the one valid on the data's date is taken,
 * else the one valid last. Rows without a well-formed card give nothing.
 */
export function cardFromXml(fields: Record<string, string | undefined>, source: 'xml0' | 'xml1', sourceRef: string): CardObservation | undefined {
  const observed = cardDate(fields.NGAY_VAO);
  if (!observed) return undefined;
  const part = (k: string) => (fields[k] ?? '').split(';').map((x) => x.trim());
  const numbers = part('MA_THE_BHYT');
  const from = part('GT_THE_TU');
  const to = part('GT_THE_DEN');
  const dkbd = part('MA_DKBD');
  const cards = numbers.flatMap((n, i) => {
    const p = n ? parseBhyt(n) : undefined;
    if (!p?.ok) return [];
    return [{ card_no: p.value.number, bhxh: p.value.socialInsuranceNumber, valid_from: cardDate(from[i]), valid_to: cardDate(to[i]), facility_code: dkbd[i] || dkbd[0] || null }];
  });
  if (cards.length === 0) return undefined;
  const covering = cards.find((c) => (!c.valid_from || c.valid_from <= observed) && (!c.valid_to || c.valid_to >= observed));
  const chosen = covering ?? [...cards].sort((a, b) => (a.valid_to ?? '').localeCompare(b.valid_to ?? '')).at(-1)!;
  return { ...chosen, observed_on: observed, source, source_ref: sourceRef };
}

/**
 * Stores card observations (history) and moves each affected person's card fields to the latest
 * one by the data's own date (ties: the later arrival). Runs inside the caller's transaction, so an
 * episode and the card it carried commit together.
 */
export async function recordCardObservations(db: Db, obs: readonly CardObservation[]): Promise<{ stored: number; personsUpdated: number }> {
  if (obs.length === 0) return { stored: 0, personsUpdated: 0 };
  let stored = 0;
  for (let i = 0; i < obs.length; i += 500) {
    const json = JSON.stringify(obs.slice(i, i + 500));
    const r = await sql`
      insert into bhyt_card_observation (bhxh, card_no, valid_from, valid_to, facility_code, observed_on, source, source_ref)
      select bhxh, card_no, valid_from, valid_to, facility_code, observed_on, source, source_ref
        from jsonb_to_recordset(${json}::jsonb) as x(bhxh text, card_no text, valid_from date, valid_to date, facility_code text,
                                                     observed_on date, source text, source_ref text)
      -- The same check-in, episode or list row again: a corrected validity replaces the old one,
      -- an identical one changes nothing.
      -- The key names bhxh, the distribution column on a cluster (migration 088); received_at is the
      -- new row's default (now()): a cluster refuses non-immutable functions in DO UPDATE.
      on conflict (bhxh, source, source_ref, card_no, observed_on) do update
        set valid_from = excluded.valid_from, valid_to = excluded.valid_to, facility_code = excluded.facility_code, received_at = excluded.received_at
        where (bhyt_card_observation.valid_from, bhyt_card_observation.valid_to, bhyt_card_observation.facility_code)
              is distinct from (excluded.valid_from, excluded.valid_to, excluded.facility_code)`.execute(db);
    stored += Number(r.numAffectedRows ?? 0);
  }
  const bhxh = [...new Set(obs.map((o) => o.bhxh))];
  // Persons whose card fields differ from their latest observation; unchanged persons are not touched
  // (their updated_at drives the report refresher).
  const changes = await sql<{ id: string; so_bhyt: string; bhyt_valid_from: string | null; bhyt_valid_to: string | null; bhyt_facility_code: string | null }>`
    with latest as (
      select distinct on (bhxh) bhxh, card_no, valid_from, valid_to, facility_code
        from bhyt_card_observation where bhxh = any(${bhxh})
       order by bhxh, observed_on desc, id desc
    )
    select p.id, l.card_no as so_bhyt, l.valid_from::text as bhyt_valid_from, l.valid_to::text as bhyt_valid_to, l.facility_code as bhyt_facility_code
      from latest l join person p on p.bhxh = l.bhxh
     where p.so_bhyt is distinct from l.card_no or p.bhyt_valid_from is distinct from l.valid_from
        or p.bhyt_valid_to is distinct from l.valid_to or p.bhyt_facility_code is distinct from l.facility_code`.execute(db);
  await updatePersonCards(db, changes.rows);
  return { stored, personsUpdated: changes.rows.length };
}

/** A person's card history, newest first (for the record and for tests). */
export async function cardHistory(db: Db, bhxh: string) {
  const r = await sql<{ card_no: string; valid_from: string | null; valid_to: string | null; facility_code: string | null; observed_on: string; source: CardSource }>`
    select card_no, valid_from::text as valid_from, valid_to::text as valid_to, facility_code, observed_on::text as observed_on, source
      from bhyt_card_observation where bhxh = ${bhxh} order by observed_on desc, id desc`.execute(db);
  return r.rows;
}

/** Status of a card on a day: unknown when the validity was never received (never "valid" by default). */
export function cardStatus(
  card: { so_bhyt: string | null; valid_from: string | Date | null; valid_to: string | Date | null },
  today: string,
): 'none' | 'unknown' | 'valid' | 'expired' | 'not_yet_valid' {
  // Drivers return a date column as text or as a Date at UTC midnight: compare as YYYY-MM-DD.
  const day = (d: string | Date | null) => (d === null ? null : typeof d === 'string' ? d.slice(0, 10) : d.toISOString().slice(0, 10));
  const from = day(card.valid_from);
  const to = day(card.valid_to);
  if (!card.so_bhyt) return 'none';
  if (!to && !from) return 'unknown';
  if (to && to < today) return 'expired';
  if (from && from > today) return 'not_yet_valid';
  return to ? 'valid' : 'unknown';
}

/**
 * `hssk demo purge`: cards seen in the demo facilities' check-ins and episodes (source_ref is
 * "facility:MA_LK"), inside the purge's transaction. Returns the rows deleted.
 */
export async function purgeCardObservations(tx: Db, facilities: RawBuilder<unknown>): Promise<number> {
  const r = await sql`delete from bhyt_card_observation
    where source in ('xml0', 'xml1') and split_part(source_ref, ':', 1) in (${facilities})`.execute(tx);
  return Number(r.numAffectedRows ?? 0n);
}
