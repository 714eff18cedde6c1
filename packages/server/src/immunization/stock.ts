import { DomainError, invalid } from '@openhssk/core';
import type { ImmStock, ImmStockShortfall } from '@openhssk/core/api';
import { expiryAlerts, matchProduct, openedVialRule, parseDay, productById, type StockLot, stockLedger, stockShortfalls } from '@openhssk/core/immunization';
import { type Static, Type } from '@sinclair/typebox';
import { sql } from 'kysely';
import { audit } from '../audit/index.ts';
import type { Db } from '../db/index.ts';
import { applyOnce, entryHash, entryReused, ReplayRace } from '../station/index.ts';
import { DATE, INSTANT, type StationContext, UUID } from './station.ts';
import { immDb } from './tables.ts';

/**
 * Vaccine stock of a vaccination site (issue 16 item 4). Receipts are recorded at the station (offline
 * like doses: idempotent by entry_id); doses used are the site's recorded vaccinations; wastage and
 * expiry follow core stockLedger. Nothing else is stored, so the balance cannot drift from the registry.
 */

/** Expiry alerts start this many days before a lot expires. */
export const EXPIRY_WARN_DAYS = 30;

export const stockReceipt = Type.Object(
  {
    entry_id: Type.String({ pattern: UUID, description: 'UUID the app generated when the receipt was entered: a replay answers the first result' }),
    vaccine: Type.String({ minLength: 1, maxLength: 200, description: 'product name or code (GET /api/v1/immunization/catalog)' }),
    lot_no: Type.String({ minLength: 1, maxLength: 50 }),
    expires_on: Type.String({ pattern: DATE }),
    doses_per_vial: Type.Integer({ minimum: 1, maximum: 50 }),
    vials: Type.Integer({ minimum: 1, maximum: 100_000 }),
    received_on: Type.String({ pattern: DATE }),
    supplier: Type.Optional(Type.String({ maxLength: 200 })),
    note: Type.Optional(Type.String({ maxLength: 500 })),
    client_recorded_at: Type.Optional(Type.String({ pattern: INSTANT, description: 'when the device recorded it (offline entries arrive later)' })),
  },
  { additionalProperties: false },
);
export type StockReceiptEntry = Static<typeof stockReceipt>;

export interface ReceiptResult {
  receipt_id: number;
  entry_id: string;
  product: string;
  lot_no: string;
  doses: number;
}

const badDate = (field: string, v: string) => invalid('STOCK_DATE_INVALID', `Ngày «${field}» "${v}" không hợp lệ.`, `Date ${field} "${v}" is not a valid date.`, { field });

/** Stores one receipt in its own transaction; the same entry again answers the stored receipt. */
export async function recordReceipt(db: Db, ctx: StationContext, entry: StockReceiptEntry, today: string): Promise<{ status: 'applied' | 'already_applied'; result: ReceiptResult }> {
  const hash = entryHash(entry);
  const replay = async () => {
    const prior = await immDb(db)
      .selectFrom('imm_stock_receipt')
      .select(['id', 'product_id', 'lot_no', 'vials', 'doses_per_vial', 'content_hash', 'facility_code'])
      .where('entry_id', '=', entry.entry_id)
      .executeTakeFirst();
    if (!prior) return undefined;
    if (prior.content_hash !== hash || prior.facility_code !== ctx.facilityCode) throw entryReused({ vi: 'phiếu nhập', en: 'receipt' });
    return {
      status: 'already_applied' as const,
      result: { receipt_id: Number(prior.id), entry_id: entry.entry_id, product: prior.product_id, lot_no: prior.lot_no, doses: prior.vials * prior.doses_per_vial },
    };
  };
  const first = await replay();
  if (first) return first;
  if (parseDay(entry.received_on) === undefined) throw badDate('received_on', entry.received_on);
  if (parseDay(entry.expires_on) === undefined) throw badDate('expires_on', entry.expires_on);
  if (entry.received_on > today) throw invalid('STOCK_RECEIVED_IN_FUTURE', 'Ngày nhận ở tương lai.', 'The date received is in the future.');
  const product = matchProduct(entry.vaccine);
  if (!product) {
    throw invalid('VACCINE_UNKNOWN', `Không nhận ra vắc xin "${entry.vaccine}": chọn vắc xin trong danh mục.`, `Vaccine "${entry.vaccine}" is not recognised: choose one from the product list.`);
  }
  return applyOnce<{ status: 'applied' | 'already_applied'; result: ReceiptResult }>(replay, () =>
    db.transaction().execute(async (tx) => {
      const row = await immDb(tx)
        .insertInto('imm_stock_receipt')
        .values({
          facility_code: ctx.facilityCode, product_id: product.id, lot_no: entry.lot_no.trim(), expires_on: entry.expires_on, doses_per_vial: entry.doses_per_vial,
          vials: entry.vials, received_on: entry.received_on, supplier: entry.supplier?.trim() || null, note: entry.note?.trim() || null, entry_id: entry.entry_id,
          content_hash: hash, recorded_by: ctx.staff.id, recorded_by_name: ctx.staff.name,
        })
        .onConflict((oc) => oc.column('entry_id').doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!row) throw new ReplayRace();
      await audit(tx, {
        actor: ctx.actor,
        action: 'immunization.stock.receipt',
        resource: `imm_stock_receipt/${row.id}`,
        requestId: ctx.requestId,
        detail: { facility: ctx.facilityCode, product: product.id, lot_no: entry.lot_no.trim(), vials: entry.vials, entry_id: entry.entry_id },
      });
      return {
        status: 'applied' as const,
        result: { receipt_id: Number(row.id), entry_id: entry.entry_id, product: product.id, lot_no: entry.lot_no.trim(), doses: entry.vials * entry.doses_per_vial },
      };
    }),
  );
}

/**
 * Doses given at the site per day, product and lot. A dose the site reported twice (the later row
 * points at the first as its duplicate, both from this site) is one vial draw; a dose another source
 * also reported is still this site's.
 */
async function siteUses(db: Db, facility: string, asOf: string) {
  const r = await sql<{ given_on: string; product_id: string; lot_no: string | null; doses: string | number }>`
    select v.given_on::text as given_on, v.product_id, nullif(trim(v.lot_no), '') as lot_no, count(*) as doses
      from vaccination v
     where v.facility_code = ${facility} and v.product_id is not null and v.given_on <= ${asOf}::date
       and not exists (select 1 from vaccination o where o.id = v.duplicate_of and o.facility_code = v.facility_code)
     group by 1, 2, 3`.execute(db);
  return r.rows.map((u) => ({ givenOn: u.given_on, product: u.product_id, lot: u.lot_no, doses: Number(u.doses) }));
}

async function siteLots(db: Db, facility: string) {
  const rows = await immDb(db)
    .selectFrom('imm_stock_receipt')
    .select(['id', 'product_id', 'lot_no', 'expires_on', 'received_on', 'doses_per_vial', 'vials'])
    .where('facility_code', '=', facility)
    .execute();
  return rows.map((r): StockLot & { receivedOn: string } => ({
    id: String(r.id), product: r.product_id, lot: r.lot_no, expiresOn: r.expires_on, receivedOn: r.received_on, dosesPerVial: r.doses_per_vial, vials: r.vials,
  }));
}

const nameOf = (product: string) => productById(product)?.name_vi ?? product;

/** The site's stock as of a day: per product and lot, and its expiry alerts. */
export async function siteStock(db: Db, facility: string, asOf: string): Promise<ImmStock> {
  const [lots, uses, site] = await Promise.all([
    siteLots(db, facility),
    siteUses(db, facility, asOf),
    db.selectFrom('facility').select('name').where('code', '=', facility).executeTakeFirst(),
  ]);
  const ledger = stockLedger(lots, uses, asOf);
  const byId = new Map(lots.map((l) => [l.id, l]));
  return {
    facility_code: facility,
    facility_name: site?.name ?? null,
    as_of: asOf,
    products: ledger.products.map((p) => ({
      product: p.product, name_vi: nameOf(p.product), received_doses: p.receivedDoses, used_doses: p.usedDoses, wasted_doses: p.wastedDoses, expired_doses: p.expiredDoses,
      on_hand_doses: p.onHandDoses, unstocked_doses: p.unstockedDoses, wastage_rate: p.wastageRate, opened_vial_rule: openedVialRule(p.product),
    })),
    lots: ledger.lots.map((l) => {
      const r = byId.get(l.id)!;
      return {
        receipt_id: Number(l.id), product: l.product, lot_no: l.lot, expires_on: l.expiresOn, received_on: r.receivedOn, doses_per_vial: r.dosesPerVial, vials: r.vials,
        used_doses: l.usedDoses, wasted_doses: l.wastedDoses, expired_doses: l.expiredDoses, on_hand_doses: l.onHandDoses,
        open_vial: l.openVial ? { opened_on: l.openVial.openedOn, left: l.openVial.left } : null,
      };
    }),
    alerts: expiryAlerts(ledger.lots, asOf, EXPIRY_WARN_DAYS).map((a) => ({
      receipt_id: Number(a.id), product: a.product, lot_no: a.lot, expires_on: a.expiresOn, kind: a.kind, on_hand_doses: a.onHandDoses, expired_doses: a.expiredDoses,
    })),
  };
}

/** The plan's products the site cannot cover with lots still valid on the month's first day (stock as of that day or today, the later). */
export async function planShortfalls(db: Db, facility: string, needs: readonly { product: string; supplyDoses: number }[], monthFirst: string, today: string): Promise<ImmStockShortfall[]> {
  const asOf = monthFirst > today ? monthFirst : today;
  const [lots, uses] = await Promise.all([siteLots(db, facility), siteUses(db, facility, asOf)]);
  const ledger = stockLedger(lots, uses, asOf);
  return stockShortfalls(needs, ledger.lots, monthFirst).map((s) => ({
    product: s.product, name_vi: nameOf(s.product), needed_doses: s.neededDoses, on_hand_doses: s.onHandDoses, short_doses: s.shortDoses,
  }));
}

/** The commune's station: the site whose stock a commune's plan draws on (the caller's own station first). */
export async function communeSite(db: Db, area: { commune: string; stationCode: string | null }): Promise<string | null> {
  if (area.stationCode) return area.stationCode;
  const f = await db.selectFrom('facility').select('code').where('admin_unit_code', '=', area.commune).where('level', '=', 'xã').orderBy('code').executeTakeFirst();
  return f?.code ?? null;
}

export const noSite = () =>
  new DomainError('not_found', 'STOCK_SITE_NOT_FOUND', 'Xã này chưa có trạm y tế đăng ký làm điểm tiêm.', 'This commune has no registered station to hold vaccine stock.');
