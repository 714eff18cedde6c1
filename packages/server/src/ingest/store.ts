import { createHash } from 'node:crypto';
import type { ParsedEpisode } from '@openhssk/core/xml130/parse';
import type { EnvelopeFile } from '@openhssk/core/xml130/envelope';
import type { Transaction } from 'kysely';
import { bulkInsert, reserveIds } from '../db/bulk.ts';
import type { Db } from '../db/index.ts';
import type { Schema } from '../db/schema.ts';
import { linkDeterministic } from '../person/index.ts';
import { birthDateToIso, episodeColumns, episodeContentHash, patientIdentity, sensitivityOfEpisode } from './episode-record.ts';
import { type EpisodeOutcome, type Receipt, summarize } from './receipt.ts';

export interface ValidatedEpisode {
  index: number;
  files: readonly EnvelopeFile[];
  parsed: ParsedEpisode;
  /** Outcome of validation; 'rejected' episodes are reported but not stored as episodes. */
  outcome: EpisodeOutcome;
}

export interface SubmissionToStore {
  id: string;
  facilityCode: string;
  channel: string;
  sha256: string;
  raw: Buffer;
  idempotencyKey: string | null;
  signature: Receipt['signature'];
  episodes: ValidatedEpisode[];
}

/**
 * Stores the raw envelope, every accepted episode version with its rows, the patient's source
 * record and the receipt in ONE transaction: an acknowledged episode is never half-written.
 */
export async function storeSubmission(db: Db, s: SubmissionToStore): Promise<Receipt> {
  return db.transaction().execute(async (tx) => {
    const accepted = s.episodes.filter((e) => e.outcome.status !== 'rejected' && e.parsed.maLk);
    const maLks = accepted.map((e) => e.parsed.maLk!);
    const current = new Map<string, { id: number; version: number; content_sha256: string }>();
    if (maLks.length > 0) {
      const rows = await tx
        .selectFrom('episode')
        .select(['id', 'ma_lk', 'version', 'content_sha256'])
        .where('facility_code', '=', s.facilityCode)
        .where('ma_lk', 'in', maLks)
        .where('is_current', '=', true)
        .forUpdate()
        .execute();
      for (const r of rows) current.set(r.ma_lk, r);
    }

    const toInsert: Array<{ e: ValidatedEpisode; version: number; hash: string }> = [];
    const seen = new Map<string, number>();
    for (const e of accepted) {
      const maLk = e.parsed.maLk!;
      const hash = episodeContentHash(e.files);
      const prev = current.get(maLk);
      // The same MA_LK twice in one envelope: the later HOSO is the newer version.
      const prevInEnvelope = seen.get(maLk);
      if (prevInEnvelope === undefined && prev && prev.content_sha256 === hash) {
        e.outcome.status = 'unchanged';
        e.outcome.version = prev.version;
        continue;
      }
      const version = (prevInEnvelope ?? prev?.version ?? 0) + 1;
      seen.set(maLk, version);
      e.outcome.version = version;
      toInsert.push({ e, version, hash });
    }

    const outcomes = s.episodes.map((e) => e.outcome);
    const receipt: Receipt = {
      receipt_id: s.id,
      facility_code: s.facilityCode,
      received_at: new Date().toISOString(),
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
    await tx.insertInto('submission_raw').values({ submission_id: s.id, raw: s.raw.toString('utf8') }).execute();
    if (toInsert.length > 0) await insertEpisodes(tx, s, toInsert);
    return receipt;
  });
}

async function insertEpisodes(
  tx: Transaction<Schema>,
  s: SubmissionToStore,
  items: Array<{ e: ValidatedEpisode; version: number; hash: string }>,
) {
  const identities = items.map(({ e }) => patientIdentity(e.parsed.tables.XML1?.[0]?.fields ?? {}));
  const links = await linkDeterministic(tx, identities);

  // Older versions stop being current before the new ones arrive (partial unique index).
  const superseded = [...new Set(items.map(({ e }) => e.parsed.maLk!))];
  await tx
    .updateTable('episode')
    .set({ is_current: false })
    .where('facility_code', '=', s.facilityCode)
    .where('ma_lk', 'in', superseded)
    .where('is_current', '=', true)
    .execute();

  // Within one envelope only the last version of a MA_LK is current.
  const lastIndex = new Map<string, number>();
  items.forEach(({ e }, i) => {
    lastIndex.set(e.parsed.maLk!, i);
  });

  const ids = await reserveIds(tx, 'episode_id_seq', items.length);
  const episodeValues = items.map(({ e, version, hash }, i) => {
    const x1 = e.parsed.tables.XML1?.[0];
    return {
      id: ids[i],
      facility_code: s.facilityCode,
      ma_lk: e.parsed.maLk!,
      version,
      is_current: lastIndex.get(e.parsed.maLk!) === i,
      submission_id: s.id,
      person_id: links[i]?.personId ?? null,
      patient_source_id: `${s.facilityCode}:${x1?.fields.MA_BN ?? ''}`,
      status: e.outcome.status,
      ...episodeColumns(e.parsed),
      sensitivity: sensitivityOfEpisode(e.parsed),
      content_sha256: hash,
      xml1: { fields: x1?.fields ?? {}, extra: x1?.extra ?? {} },
      issues: e.outcome.issues,
    };
  });
  await bulkInsert(tx, 'episode', EPISODE_COLUMNS, episodeValues);

  // An episode closes the visit its check-in opened (same facility and MA_LK).
  await tx
    .updateTable('visit')
    .set({ status: 'closed', closed_at: new Date() })
    .where('facility_code', '=', s.facilityCode)
    .where('ma_lk', 'in', superseded)
    .where('status', '=', 'open')
    .execute();

  const rowValues: Array<Record<string, unknown>> = [];
  items.forEach(({ e }, i) => {
    for (const [tbl, rows] of Object.entries(e.parsed.tables)) {
      if (tbl === 'XML1') continue;
      rows.forEach((r, rowNo) => {
        rowValues.push({
          episode_id: ids[i],
          person_id: links[i]?.personId ?? null,
          tbl,
          row_no: rowNo + 1,
          fields: r.fields,
          extra: Object.keys(r.extra).length > 0 ? r.extra : null,
        });
      });
    }
  });
  await bulkInsert(tx, 'episode_row', EPISODE_ROW_COLUMNS, rowValues);

  // The patient as the facility knows them becomes a KCB source record for the MPI.
  const sources = new Map<string, Record<string, unknown>>();
  items.forEach(({ e }, i) => {
    const x1 = e.parsed.tables.XML1?.[0]?.fields ?? {};
    const sourceId = `${s.facilityCode}:${x1.MA_BN ?? ''}`;
    const fields = {
      ho_ten: x1.HO_TEN || null,
      ngay_sinh: birthDateToIso(x1.NGAY_SINH),
      gioi_tinh: x1.GIOI_TINH || null,
      so_cccd: x1.SO_CCCD || null,
      so_bhyt: identities[i]?.cardNumber ?? null,
      so_dien_thoai: x1.DIEN_THOAI || null,
      dia_chi: x1.DIA_CHI || null,
      ma_xa: x1.MAXA_CU_TRU || null,
      ma_ho_gia_dinh: null,
    };
    sources.set(sourceId, {
      source_system: 'KCB',
      source_id: sourceId,
      ...fields,
      content_hash: createHash('sha256').update(JSON.stringify(fields)).digest('hex'),
      person_id: links[i]?.personId ?? null,
      link_rule: links[i]?.rule ?? null,
    });
  });
  // A link made earlier (e.g. by MPI review) is kept when this message carries no usable id.
  await bulkInsert(
    tx,
    'source_record',
    SOURCE_RECORD_COLUMNS,
    [...sources.values()],
    `on conflict (source_system, source_id) do update set
       ho_ten = excluded.ho_ten, ngay_sinh = excluded.ngay_sinh, gioi_tinh = excluded.gioi_tinh,
       so_cccd = excluded.so_cccd, so_bhyt = excluded.so_bhyt, so_dien_thoai = excluded.so_dien_thoai,
       dia_chi = excluded.dia_chi, ma_xa = excluded.ma_xa, content_hash = excluded.content_hash,
       person_id = coalesce(excluded.person_id, source_record.person_id),
       link_rule = coalesce(excluded.link_rule, source_record.link_rule),
       updated_at = now()`,
  );
}

const EPISODE_COLUMNS = {
  id: 'bigint', facility_code: 'text', ma_lk: 'text', version: 'int', is_current: 'boolean', submission_id: 'text',
  person_id: 'text', patient_source_id: 'text', status: 'text', ma_bn: 'text', ho_ten: 'text', so_cccd: 'text',
  ma_the_bhyt: 'text', ngay_sinh: 'text', gioi_tinh: 'smallint', ma_loai_kcb: 'text', ngay_vao: 'timestamp',
  ngay_vao_noi_tru: 'timestamp', ngay_ra: 'timestamp', ma_benh_chinh: 'text', ma_benh_kt: 'text', chan_doan_vao: 'text',
  chan_doan_rv: 'text', ket_qua_dtri: 'smallint', ma_loai_rv: 'smallint', t_tongchi_bv: 'numeric', t_bhtt: 'numeric',
  t_bncct: 'numeric', t_bntt: 'numeric', sensitivity: 'text[]', content_sha256: 'text', xml1: 'jsonb', issues: 'jsonb',
} as const;

const EPISODE_ROW_COLUMNS = { episode_id: 'bigint', person_id: 'text', tbl: 'text', row_no: 'int', fields: 'jsonb', extra: 'jsonb' } as const;

const SOURCE_RECORD_COLUMNS = {
  source_system: 'text', source_id: 'text', ho_ten: 'text', ngay_sinh: 'text', gioi_tinh: 'text', so_cccd: 'text',
  so_bhyt: 'text', so_dien_thoai: 'text', dia_chi: 'text', ma_xa: 'text', ma_ho_gia_dinh: 'text', content_hash: 'text',
  person_id: 'text', link_rule: 'text',
} as const;
