import { sql, type Transaction } from 'kysely';
import { cardFromXml, recordCardObservations } from '../bhyt/index.ts';
import type { Db, Schema } from '../db/index.ts';
import { recordColumns, reserveIds } from '../db/index.ts';
import { holdAgainstRelink, linkIncoming } from '../mpi/index.ts';
import { episodesFollowSourceRecords, linkDeterministic, setEpisodeKeys, upsertPatientSourceRecords } from '../person/index.ts';
import { relayEnvelope } from '../relay/index.ts';
import type { AcceptedEpisode, PreparedEnvelope } from './prepare.ts';
import { type Receipt, summarize } from './receipt.ts';
import { closeVisits } from './visits.ts';

export interface SubmissionToStore {
  id: string;
  facilityCode: string;
  channel: string;
  sha256: string;
  raw: Buffer;
  idempotencyKey: string | null;
  signature: Receipt['signature'];
  prepared: PreparedEnvelope;
  receivedAt: Date;
  episodeArrivals?: ReadonlyMap<string, Date> | undefined;
}

/** One accepted episode that becomes a new version (`ep` = its 1-based position in the payloads). */
interface NewVersion {
  ep: number;
  a: AcceptedEpisode;
  version: number;
}

/**
 * Stores the raw envelope, every accepted episode version with its rows, the patient's source
 * record and the receipt in ONE transaction: an acknowledged episode is never half-written.
 */
export async function storeSubmission(db: Db, s: SubmissionToStore): Promise<Receipt> {
  return db.transaction().execute(async (tx) => {
    const { accepted, outcomes } = s.prepared;
    // New patients are placed by the MPI in this transaction (linkIncoming).
    if (accepted.length > 0) await holdAgainstRelink(tx);
    const current = new Map<string, { id: number; version: number; content_sha256: string; person_id: string | null }>();
    if (accepted.length > 0) {
      // Two routed steps (issue 21): the facility's key directory, locked, names the person of each
      // MA_LK's current version; that version is then read on its person. The lock serialises two
      // envelopes carrying the same MA_LK, as the episode rows' lock did. A MA_LK never seen gets its
      // directory row first, so a second envelope carrying it at the same time waits for this one and
      // then stores the next version, instead of both writing version 1 and one failing on the unique
      // key; sorted, so two envelopes sharing several new MA_LKs take them in one order.
      const maLks = [...new Set(accepted.map((a) => a.maLk))].sort();
      const created = await sql<{ ma_lk: string }>`insert into episode_key (facility_code, ma_lk)
        select ${s.facilityCode}, m from unnest(${maLks}::text[]) with ordinality as x(m, n) order by n
        on conflict do nothing returning ma_lk`.execute(tx);
      const fresh = new Set(created.rows.map((r) => r.ma_lk));
      const keys = (
        await tx.selectFrom('episode_key').select(['ma_lk', 'person_id']).where('facility_code', '=', s.facilityCode).where('ma_lk', 'in', maLks).forUpdate().execute()
      ).filter((k) => !fresh.has(k.ma_lk));
      if (keys.length > 0) {
        const persons = keys.map((k) => k.person_id);
        let q = tx
          .selectFrom('episode')
          .select(['id', 'ma_lk', 'version', 'content_sha256', 'person_id'])
          .where('facility_code', '=', s.facilityCode)
          .where('ma_lk', 'in', keys.map((k) => k.ma_lk))
          .where('is_current', '=', true);
        // An unlinked episode (one node only: a cluster has no null person) is found by its key alone.
        if (!persons.includes(null)) q = q.where('person_id', 'in', [...new Set(persons as string[])]);
        for (const r of await q.execute()) current.set(r.ma_lk, r);
      }
    }

    const toInsert: NewVersion[] = [];
    const seen = new Map<string, number>();
    accepted.forEach((a, i) => {
      const outcome = outcomes[a.outcome]!;
      const prev = current.get(a.maLk);
      // The same MA_LK twice in one envelope: the later HOSO is the newer version.
      const prevInEnvelope = seen.get(a.maLk);
      if (prevInEnvelope === undefined && prev && prev.content_sha256 === a.contentHash) {
        outcome.status = 'unchanged';
        outcome.version = prev.version;
        return;
      }
      const version = (prevInEnvelope ?? prev?.version ?? 0) + 1;
      seen.set(a.maLk, version);
      outcome.version = version;
      toInsert.push({ ep: i + 1, a, version });
    });

    const receipt: Receipt = {
      receipt_id: s.id,
      facility_code: s.facilityCode,
      received_at: s.receivedAt.toISOString(),
      sha256: s.sha256,
      channel: s.channel,
      signature: s.signature,
      ...summarize(outcomes),
      episodes: outcomes,
    };
    await tx
      .insertInto('submission')
      .values({
        id: s.id,
        facility_code: s.facilityCode,
        received_at: s.receivedAt,
        channel: s.channel,
        sha256: s.sha256,
        size_bytes: s.raw.length,
        idempotency_key: s.idempotencyKey,
        status: receipt.status,
        episode_count: receipt.counts.episodes,
        accepted_count: receipt.counts.accepted + receipt.counts.accepted_with_warnings,
        warning_count: receipt.counts.accepted_with_warnings,
        rejected_count: receipt.counts.rejected,
        receipt: JSON.stringify(receipt),
      })
      .execute();
    // The bytes go to the driver as they are (db/pglite-dialect.ts): no 1.5 MB string per envelope.
    await sql`insert into submission_raw (submission_id, raw) values (${s.id}, ${s.raw})`.execute(tx);
    if (toInsert.length > 0) await insertEpisodes(tx, s, toInsert, current);
    // "Send once": an accepted envelope of a facility that opted in is queued, in this transaction,
    // for the insurance portal, as the bytes the facility signed (relay module).
    if (receipt.status !== 'rejected') {
      const maLks = outcomes.flatMap((o) => (o.status !== 'rejected' && o.ma_lk ? [o.ma_lk] : []));
      await relayEnvelope(tx, { facilityCode: s.facilityCode, submissionId: s.id, sha256: s.sha256, maLks });
    }
    return receipt;
  });
}

async function insertEpisodes(
  tx: Transaction<Schema>,
  s: SubmissionToStore,
  items: NewVersion[],
  current: ReadonlyMap<string, { person_id: string | null }>,
) {
  const links = await linkDeterministic(
    tx,
    items.map(({ a }) => a.identity),
  );

  // Older versions stop being current before the new ones arrive (partial unique index), on the
  // persons the key directory named (one shard each on a cluster).
  const superseded = [...new Set(items.map(({ a }) => a.maLk))];
  const previous = superseded.filter((m) => current.has(m));
  if (previous.length > 0) {
    const persons = previous.map((m) => current.get(m)!.person_id);
    let q = tx.updateTable('episode').set({ is_current: false })
      .where('facility_code', '=', s.facilityCode)
      .where('ma_lk', 'in', previous)
      .where('is_current', '=', true);
    if (!persons.includes(null)) q = q.where('person_id', 'in', [...new Set(persons as string[])]);
    await q.execute();
  }

  // The patient as the facility knows them becomes a KCB source record for the MPI (last wins),
  // placed before the episodes are written: each episode is stored on the person it ends with, and
  // on a cluster a row cannot change person in place (issue 21).
  const sources = new Map<string, Record<string, unknown>>();
  items.forEach(({ a }, i) => {
    sources.set(a.source.source_id!, { source_system: 'KCB', ...a.source, person_id: links[i]?.personId ?? null, link_rule: links[i]?.rule ?? null });
  });
  const ids = [...sources.keys()];
  const known = await tx.selectFrom('source_record').select(['source_id', 'content_hash']).where('source_system', '=', 'KCB')
    .where('source_id', 'in', ids).execute();
  const hashOf = new Map(known.map((k) => [k.source_id, k.content_hash]));
  await upsertPatientSourceRecords(tx, [...sources.values()]);
  // New patients, and patients whose details changed, are placed by the MPI now — not at the next
  // relink — so the citizen sees the episode at once; a CCCD-only link whose name and birth date
  // disagree is undone there and the pair goes to review.
  const fresh = ids.filter((id) => hashOf.get(id) !== sources.get(id)!.content_hash);
  await linkIncoming(tx, fresh.map((id) => ({ system: 'KCB', id })), { relink: true, episodesFollow: false });
  // The patients' earlier episodes end on their person too: a returning patient the MPI linked
  // earlier without a usable id, a reviewer's placement, a record the MPI moved just now.
  await episodesFollowSourceRecords(tx, ids);
  const placedSources = await tx.selectFrom('source_record').select(['source_id', 'person_id']).where('source_system', '=', 'KCB')
    .where('source_id', 'in', ids).execute();
  const personOf = new Map(placedSources.map((r) => [r.source_id, r.person_id]));

  // Per payload position (`ep`): the new row's id, version, currency and person. Positions not
  // listed (unchanged resends) are not stored; one small JSON keeps both drivers on text parameters.
  const reserved = await reserveIds(tx, 'episode_id_seq', items.length);
  // Within one envelope only the last version of a MA_LK is current.
  const last = new Map<string, number>();
  for (const { ep, a } of items) last.set(a.maLk, ep);
  const placed = items.map(({ ep, a, version }, i) => ({
    ep,
    id: reserved[i],
    version,
    is_current: last.get(a.maLk) === ep,
    // A record the MPI could not place keeps the episode unlinked (one node only), as the link found it.
    person_id: personOf.get(a.source.source_id!) ?? links[i]?.personId ?? null,
    received_at: (s.episodeArrivals?.get(a.maLk) ?? s.receivedAt).toISOString(),
  }));
  const placement = JSON.stringify(placed);

  await sql`insert into episode (${EPISODE_JSON.list}, id, facility_code, submission_id, received_at, version, is_current, person_id)
    select ${EPISODE_JSON.list}, p.id, ${s.facilityCode}, ${s.id}, p.received_at, p.version, p.is_current, p.person_id
    from jsonb_to_recordset(${s.prepared.episodeJson}::jsonb) as x(ep int, ${EPISODE_JSON.def})
    join jsonb_to_recordset(${placement}::jsonb) as p(${PLACEMENT.def}) using (ep)`.execute(tx);

  for (const chunk of s.prepared.rowChunks) {
    await sql`insert into episode_row (episode_id, person_id, tbl, row_no, fields, extra)
      select p.id, p.person_id, x.tbl, x.row_no, x.fields, x.extra
      from jsonb_to_recordset(${chunk}::jsonb) as x(${ROW_JSON.def})
      join jsonb_to_recordset(${placement}::jsonb) as p(${PLACEMENT.def}) using (ep)`.execute(tx);
  }
  // The directory names the person of each MA_LK's new current version (migration 087).
  await setEpisodeKeys(tx, items.flatMap(({ a }, i) => (placed[i]!.is_current ? [{ f: s.facilityCode, m: a.maLk, p: placed[i]!.person_id }] : [])));

  // Visits close on the persons the episodes ended with, after the MPI placed new patients.
  const persons = [...new Set(placed.flatMap((p) => (p.person_id ? [p.person_id] : [])))];
  await closeVisits(tx, s.facilityCode, { maLks: superseded, personIds: persons });

  // The BHYT card each episode carried (number, validity, registered facility) updates the person's
  // card in the same transaction; the bhyt module keeps the history and lets the latest date win.
  let cardsQuery = tx.selectFrom('episode').select(['ma_lk', 'xml1']).where('id', 'in', reserved);
  if (!placed.some((p) => p.person_id === null)) cardsQuery = cardsQuery.where('person_id', 'in', persons);
  const cards = await cardsQuery.execute();
  await recordCardObservations(
    tx,
    // episode.xml1 holds { fields, extra } (prepare.ts).
    cards.flatMap((c) => cardFromXml(((c.xml1 as { fields?: Record<string, string> } | null)?.fields ?? {}), 'xml1', `${s.facilityCode}:${c.ma_lk}`) ?? []),
  );
}

/** Columns filled from the prepared episode JSON (prepare.ts); each object also carries its `ep`. */
const EPISODE_JSON = recordColumns({
  ma_lk: 'text', patient_source_id: 'text', status: 'text', ma_bn: 'text', ho_ten: 'text', so_cccd: 'text',
  ma_the_bhyt: 'text', ngay_sinh: 'text', gioi_tinh: 'smallint', ma_loai_kcb: 'text', ngay_vao: 'timestamp',
  ngay_vao_noi_tru: 'timestamp', ngay_ra: 'timestamp', ma_benh_chinh: 'text', ma_benh_kt: 'text', chan_doan_vao: 'text',
  chan_doan_rv: 'text', ket_qua_dtri: 'smallint', ma_loai_rv: 'smallint', t_tongchi_bv: 'numeric', t_bhtt: 'numeric',
  t_bncct: 'numeric', t_bntt: 'numeric', sensitivity: 'text[]', content_sha256: 'text', xml1: 'jsonb', issues: 'jsonb',
});
/** Rows of XML2…XML15 from the prepared row chunks. */
const ROW_JSON = recordColumns({ ep: 'int', tbl: 'text', row_no: 'int', fields: 'jsonb', extra: 'jsonb' });
/** What the transaction decides per position: id, version, currency and the linked person. */
const PLACEMENT = recordColumns({ ep: 'int', id: 'bigint', version: 'int', is_current: 'boolean', person_id: 'text', received_at: 'timestamptz' });
