import { createHash } from 'node:crypto';
import { parseBhyt, parseCccd } from '@openhssk/core';
import { diagnosisCodes, sensitivityOf } from '@openhssk/core/codes';
import type { EnvelopeFile, ParsedEpisode } from '@openhssk/core/xml130';
import { type RawBuilder, sql } from 'kysely';

/**
 * True when any version of the visit of episode row `alias` (same facility and MA_LK) is sensitive:
 * a version sent before a sensitive code was added, or after it was removed, is withheld with the
 * others, so no version names what another hides. The one way every reader asks it.
 */
export const anyVersionSensitive = (alias: string): RawBuilder<boolean> =>
  sql<boolean>`exists (select 1 from episode sv where sv.facility_code = ${sql.ref(`${alias}.facility_code`)} and sv.ma_lk = ${sql.ref(`${alias}.ma_lk`)} and cardinality(sv.sensitivity) > 0)`;

/** 'yyyyMMddHHmm' (local time) → 'yyyy-MM-dd HH:mm:00', as stored in zone-less timestamp columns. */
export function instantToSql(v: string | undefined): string | null {
  if (!v || !/^\d{12}$/.test(v)) return null;
  return `${v.slice(0, 4)}-${v.slice(4, 6)}-${v.slice(6, 8)} ${v.slice(8, 10)}:${v.slice(10, 12)}:00`;
}

/** XML birth dates may carry `00` for unknown day/month: keep only the known precision. */
export function birthDateToIso(v: string | undefined): string | null {
  if (!v || !/^\d{8}(\d{4})?$/.test(v)) return null;
  const y = v.slice(0, 4);
  const m = v.slice(4, 6);
  const d = v.slice(6, 8);
  if (m === '00') return y;
  if (d === '00') return `${y}-${m}`;
  return `${y}-${m}-${d}`;
}

const num = (v: string | undefined) => (v === undefined || v === '' || Number.isNaN(Number(v)) ? null : Number(v));

/** Same value as hashing the decoded text (valid UTF-8 round-trips), without encoding it again. */
export function episodeContentHash(files: readonly EnvelopeFile[]): string {
  const h = createHash('sha256');
  for (const f of files) h.update(f.type).update('\0').update(f.bytes).update('\0');
  return h.digest('hex');
}

/** Categories that must never leave the citizen's own view without their explicit choice. */
export function sensitivityOfEpisode(p: ParsedEpisode): string[] {
  const out = new Set<string>();
  if ((p.tables.XML6?.length ?? 0) > 0) out.add('hiv');
  if ((p.tables.XML15?.length ?? 0) > 0) out.add('tb');
  const x1 = p.tables.XML1?.[0]?.fields ?? {};
  // The visit category names a TB (1.8) or HIV (1.9) patient as plainly as the diagnosis does; every
  // reader then withholds the visit through this one stored field (migration 073 for earlier rows).
  const category = x1.MA_DOITUONG_KCB?.trim();
  if (category === '1.8') out.add('tb');
  if (category === '1.9') out.add('hiv');
  const codes = diagnosisCodes(x1.MA_BENH_CHINH, x1.MA_BENH_KT);
  for (const c of codes) {
    const s = sensitivityOf(c);
    if (s) out.add(s);
  }
  return [...out].sort();
}

/** Identity the patient presented, checked: only structurally valid numbers are used to link. */
export function patientIdentity(x1: Record<string, string>) {
  const cccdRaw = (x1.SO_CCCD ?? '').trim();
  const cccd = cccdRaw ? parseCccd(cccdRaw) : undefined;
  const firstCard = (x1.MA_THE_BHYT ?? '').split(';')[0]?.trim() ?? '';
  const card = firstCard ? parseBhyt(firstCard) : undefined;
  return {
    cccd: cccd?.ok ? cccd.value.number : null,
    cardNumber: card?.ok ? card.value.number : firstCard || null,
    bhxh: card?.ok ? card.value.socialInsuranceNumber : null,
  };
}

export function episodeColumns(p: ParsedEpisode) {
  const x1 = p.tables.XML1?.[0]?.fields ?? {};
  const id = patientIdentity(x1);
  return {
    ma_bn: x1.MA_BN ?? '',
    ho_ten: x1.HO_TEN ?? '',
    so_cccd: id.cccd ?? (x1.SO_CCCD || null),
    ma_the_bhyt: x1.MA_THE_BHYT || null,
    ngay_sinh: birthDateToIso(x1.NGAY_SINH),
    gioi_tinh: num(x1.GIOI_TINH),
    ma_loai_kcb: x1.MA_LOAI_KCB ?? '',
    ngay_vao: instantToSql(x1.NGAY_VAO) ?? '1970-01-01 00:00:00',
    ngay_vao_noi_tru: instantToSql(x1.NGAY_VAO_NOI_TRU),
    ngay_ra: instantToSql(x1.NGAY_RA),
    ma_benh_chinh: x1.MA_BENH_CHINH || null,
    ma_benh_kt: x1.MA_BENH_KT || null,
    chan_doan_vao: x1.CHAN_DOAN_VAO || null,
    chan_doan_rv: x1.CHAN_DOAN_RV || null,
    ket_qua_dtri: num(x1.KET_QUA_DTRI),
    ma_loai_rv: num(x1.MA_LOAI_RV),
    t_tongchi_bv: num(x1.T_TONGCHI_BV),
    t_bhtt: num(x1.T_BHTT),
    t_bncct: num(x1.T_BNCCT),
    t_bntt: num(x1.T_BNTT),
  };
}
