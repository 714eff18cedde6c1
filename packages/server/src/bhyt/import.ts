import { parseBhyt, vietnamToday } from '@openhssk/core';
import type { Db } from '../db/index.ts';
import { sha256File, tableRows } from '../tabular/index.ts';
import { type CardObservation, cardDate, recordCardObservations } from './cards.ts';

/** Canonical columns of a card list; only the card number is required. */
export const CARD_COLUMNS = ['ma_the', 'gt_the_tu', 'gt_the_den', 'ma_dkbd', 'ngay_du_lieu'] as const;
export type CardColumn = (typeof CARD_COLUMNS)[number];
export type CardMapping = Partial<Record<CardColumn, string>>;

/**
 * Headers seen in the insurance agency's exports, compared without diacritics, case or spacing.
 * ngay_du_lieu is the date the row's data is true on; without it the import day is used.
 */
const KNOWN_HEADERS: Record<CardColumn, string[]> = {
  ma_the: ['ma_the', 'ma_the_bhyt', 'so_the', 'so_the_bhyt', 'ma the', 'ma the bhyt', 'so the bhyt', 'so the'],
  gt_the_tu: ['gt_the_tu', 'gia tri tu', 'tu ngay', 'han the tu', 'ngay bat dau'],
  gt_the_den: ['gt_the_den', 'gia tri den', 'den ngay', 'han the den', 'ngay het han'],
  ma_dkbd: ['ma_dkbd', 'noi dkkcb ban dau', 'ma noi dkkcb', 'ma kcb bd', 'noi dang ky kcb ban dau', 'ma dkbd'],
  ngay_du_lieu: ['ngay_du_lieu', 'ngay du lieu', 'ngay cap nhat', 'ngay trich xuat'],
};

const fold = (s: string) =>
  s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D').toLowerCase().replace(/[\s_]+/g, ' ').trim();

export class CardImportError extends Error {
  constructor(readonly code: string, readonly messageVi: string, messageEn: string) {
    super(messageEn);
  }
}

/** `canonical=Header,…` as given on the command line (like `hssk mpi import --map`). */
export function parseCardMapping(spec: string): CardMapping {
  const out: CardMapping = {};
  for (const part of spec.split(',')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (eq < 0 || !(CARD_COLUMNS as readonly string[]).includes(key) || value === '') {
      throw new CardImportError(
        'MAPPING_INVALID',
        `Ánh xạ cột "${part}" không hợp lệ; dùng dạng cot_chuan=Tiêu đề, ví dụ ma_the=Số thẻ. Cột chuẩn: ${CARD_COLUMNS.join(', ')}.`,
        `Column mapping "${part}" is invalid; use canonical=Header, e.g. ma_the=Card number. Canonical columns: ${CARD_COLUMNS.join(', ')}.`,
      );
    }
    out[key as CardColumn] = value;
  }
  return out;
}

export interface CardImportIssue {
  line: number;
  reason_vi: string;
}

export interface CardImportResult {
  rows: number;
  accepted: number;
  stored: number;
  personsUpdated: number;
  issues: CardImportIssue[];
}

/**
 * Imports a card list (CSV/XLSX export of the insurance agency) through the shared list reader.
 * Each well-formed row becomes a card observation dated by its ngay_du_lieu (else today); bad rows
 * are reported with their line and skipped. Importing the same file again stores nothing new.
 */
export async function importCardList(db: Db, path: string, opts: { mapping?: CardMapping | undefined; today?: string } = {}): Promise<CardImportResult> {
  const fileHash = (await sha256File(path)).slice(0, 16);
  const today = opts.today ?? vietnamToday();
  const result: CardImportResult = { rows: 0, accepted: 0, stored: 0, personsUpdated: 0, issues: [] };
  let index: Partial<Record<CardColumn, number>> | undefined;
  let batch: CardObservation[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const r = await db.transaction().execute((tx) => recordCardObservations(tx, batch));
    result.stored += r.stored;
    result.personsUpdated += r.personsUpdated;
    batch = [];
  };
  for await (const row of tableRows(path, () => {})) {
    if (!index) {
      const headers = row.cells.map((c) => fold(c));
      index = {};
      for (const col of CARD_COLUMNS) {
        const wanted = opts.mapping?.[col];
        const names = wanted ? [fold(wanted)] : KNOWN_HEADERS[col].map(fold);
        const at = headers.findIndex((h) => names.includes(h));
        if (at >= 0) index[col] = at;
        else if (wanted) throw new CardImportError('COLUMN_MISSING', `Không có cột "${wanted}" trong tệp.`, `The file has no column "${wanted}".`);
      }
      if (index.ma_the === undefined) {
        throw new CardImportError('COLUMN_MISSING', 'Không tìm thấy cột mã thẻ BHYT (ví dụ "Mã thẻ"); dùng --map ma_the=Tiêu đề.', 'No card-number column found; use --map ma_the=Header.');
      }
      continue;
    }
    const cell = (c: CardColumn) => (index?.[c] === undefined ? '' : (row.cells[index[c]!] ?? '').trim());
    if (row.cells.every((c) => c.trim() === '')) continue;
    result.rows++;
    const card = parseBhyt(cell('ma_the'));
    if (!card.ok) {
      result.issues.push({ line: row.line, reason_vi: `Mã thẻ BHYT "${cell('ma_the')}" không hợp lệ.` });
      continue;
    }
    const bad = (['gt_the_tu', 'gt_the_den', 'ngay_du_lieu'] as const).find((c) => cell(c) !== '' && cardDate(cell(c)) === null);
    if (bad) {
      result.issues.push({ line: row.line, reason_vi: `Ngày "${cell(bad)}" (cột ${bad}) không hợp lệ: dùng dd/mm/yyyy, yyyy-mm-dd hoặc yyyymmdd.` });
      continue;
    }
    result.accepted++;
    batch.push({
      bhxh: card.value.socialInsuranceNumber,
      card_no: card.value.number,
      valid_from: cardDate(cell('gt_the_tu')),
      valid_to: cardDate(cell('gt_the_den')),
      facility_code: cell('ma_dkbd') || null,
      observed_on: cardDate(cell('ngay_du_lieu')) ?? today,
      source: 'card_list',
      source_ref: `${fileHash}:${row.line}`,
    });
    if (batch.length >= 2000) await flush();
  }
  await flush();
  return result;
}
