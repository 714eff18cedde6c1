import { formatDay, parseDay } from './dates.ts';
import { type Sourced, sourced } from './sources.ts';

/**
 * Vaccine stock of one vaccination site from its receipts and the doses it gave: per lot, doses
 * used, doses wasted when an opened multi-dose vial is discarded, doses expired, stock on hand;
 * expiry alerts; the month plan's shortfalls. Pure: receipts and doses in, balances out, so the
 * ledger is always re-derived from the registry and never drifts from it.
 */

/** How long an opened multi-dose vial may be used. `session`: discarded at the end of the day it was opened. */
export type OpenedVialRule = { readonly keep: 'session' } | { readonly keep: 'days'; readonly days: number };

const session = sourced<OpenedVialRule>({ keep: 'session' }, 'who_mdvp', false, 'Reconstituted vaccine: 6 hours or the end of the session; records carry no time, so the day.');
const days28 = sourced<OpenedVialRule>({ keep: 'days', days: 28 }, 'who_mdvp', false, 'Liquid vaccine kept for later sessions when the policy’s conditions are met.');

/** Opened-vial discard rules per product (core PRODUCTS ids). A product not listed is kept only for its session (the safe reading). */
export const OPENED_VIAL_RULES: Readonly<Record<string, Sourced<OpenedVialRule>>> = {
  BCG: session,
  Measles: session,
  MR: session,
  JE: session,
  bOPV: days28,
  IPV: days28,
  DPT: days28,
  'DPT-VGB-Hib': days28,
  VGB: days28,
  Td: days28,
  TT: days28,
};

export const openedVialRule = (product: string, rules: Readonly<Record<string, Sourced<OpenedVialRule>>> = OPENED_VIAL_RULES): OpenedVialRule =>
  rules[product]?.value ?? session.value;

export interface StockLot {
  /** Receipt id (a lot received twice is two receipts, each its own vials). */
  readonly id: string;
  readonly product: string;
  readonly lot: string;
  /** 'yyyy-mm-dd': usable through this day. */
  readonly expiresOn: string;
  readonly receivedOn: string;
  readonly dosesPerVial: number;
  readonly vials: number;
}

/** Doses the site gave of one product on one day, from one lot when the record names it. */
export interface StockUse {
  readonly givenOn: string;
  readonly product: string;
  readonly lot: string | null;
  readonly doses: number;
}

export interface LotBalance {
  readonly id: string;
  readonly product: string;
  readonly lot: string;
  readonly expiresOn: string;
  readonly receivedDoses: number;
  readonly usedDoses: number;
  /** Doses left in opened vials when they had to be discarded (multi-dose vial wastage). */
  readonly wastedDoses: number;
  /** Doses still in the lot when it expired. */
  readonly expiredDoses: number;
  /** Usable doses on the day asked: unopened vials plus what an opened vial may still give. */
  readonly onHandDoses: number;
  readonly unopenedVials: number;
  readonly openVial: { readonly openedOn: string; readonly left: number } | null;
}

export interface ProductBalance {
  readonly product: string;
  readonly receivedDoses: number;
  readonly usedDoses: number;
  readonly wastedDoses: number;
  readonly expiredDoses: number;
  readonly onHandDoses: number;
  /** Doses given with no usable stock recorded to draw them from (a receipt is missing). */
  readonly unstockedDoses: number;
  /** wasted / (used + wasted): the rate the plan's wastage factor assumes. */
  readonly wastageRate: number;
}

interface LotState {
  lot: StockLot;
  expires: number;
  receivedDay: number;
  received: number;
  unopened: number;
  open: { day: number; left: number } | null;
  used: number;
  wasted: number;
  expired: number;
}

function discardIfDue(s: LotState, day: number, rule: OpenedVialRule) {
  if (!s.open) return;
  const over = rule.keep === 'session' ? day > s.open.day : day - s.open.day >= rule.days;
  if (over || day > s.expires) {
    s.wasted += s.open.left;
    s.open = null;
  }
}

function expireIfDue(s: LotState, day: number) {
  if (day <= s.expires) return;
  if (s.open) {
    s.expired += s.open.left;
    s.open = null;
  }
  s.expired += s.unopened * s.lot.dosesPerVial;
  s.unopened = 0;
}

/** Draws `n` doses from a lot on `day`, opening vials as needed; answers what it could not give. */
function draw(s: LotState, day: number, n: number): number {
  let need = n;
  while (need > 0) {
    if (!s.open) {
      if (s.unopened === 0) break;
      s.unopened--;
      s.open = { day, left: s.lot.dosesPerVial };
    }
    const take = Math.min(need, s.open.left);
    s.open.left -= take;
    s.used += take;
    need -= take;
    if (s.open.left === 0) s.open = null;
  }
  return need;
}

const usable = (s: LotState, day: number) => s.receivedDay <= day && day <= s.expires && (s.open !== null || s.unopened > 0);

/**
 * The site's ledger as of `asOf`: doses are taken day by day from the lot the record names, else
 * first from a lot with a vial already open, then earliest expiry first (FEFO). Opened vials are
 * discarded by the product's rule; a lot past its expiry loses what is left.
 */
export function stockLedger(
  lots: readonly StockLot[],
  uses: readonly StockUse[],
  asOf: string,
  rules: Readonly<Record<string, Sourced<OpenedVialRule>>> = OPENED_VIAL_RULES,
): { lots: LotBalance[]; products: ProductBalance[] } {
  const asOfDay = parseDay(asOf);
  if (asOfDay === undefined) throw new RangeError(`stockLedger: bad date ${asOf}`);
  const states: LotState[] = [];
  for (const lot of [...lots].sort((a, b) => a.expiresOn.localeCompare(b.expiresOn) || a.receivedOn.localeCompare(b.receivedOn) || a.id.localeCompare(b.id))) {
    const expires = parseDay(lot.expiresOn);
    const receivedDay = parseDay(lot.receivedOn);
    if (expires === undefined || receivedDay === undefined) continue;
    states.push({ lot, expires, receivedDay, received: lot.vials * lot.dosesPerVial, unopened: lot.vials, open: null, used: 0, wasted: 0, expired: 0 });
  }
  const unstocked = new Map<string, number>();
  const byDay = new Map<number, StockUse[]>();
  for (const u of uses) {
    const d = parseDay(u.givenOn);
    if (d === undefined || d > asOfDay) continue;
    const list = byDay.get(d);
    if (list) list.push(u);
    else byDay.set(d, [u]);
  }
  const settle = (day: number) => {
    for (const s of states) {
      discardIfDue(s, day, openedVialRule(s.lot.product, rules));
      expireIfDue(s, day);
    }
  };
  for (const day of [...byDay.keys()].sort((a, b) => a - b)) {
    settle(day);
    // Named lots first, so a dose without a lot does not open a vial the named ones would have used.
    const todays = byDay.get(day)!.sort((a, b) => (a.lot === null ? 1 : 0) - (b.lot === null ? 1 : 0));
    for (const u of todays) {
      const mine = states.filter((s) => s.lot.product === u.product);
      let left = u.doses;
      const named = u.lot === null ? [] : mine.filter((s) => s.lot.lot === u.lot && usable(s, day));
      for (const s of named) left = draw(s, day, left);
      while (left > 0) {
        const candidates = mine.filter((s) => usable(s, day));
        const next = candidates.find((s) => s.open !== null) ?? candidates[0];
        if (!next) break;
        left = draw(next, day, left);
      }
      if (left > 0) unstocked.set(u.product, (unstocked.get(u.product) ?? 0) + left);
    }
  }
  settle(asOfDay);

  const lotOut: LotBalance[] = states.map((s) => ({
    id: s.lot.id,
    product: s.lot.product,
    lot: s.lot.lot,
    expiresOn: s.lot.expiresOn,
    receivedDoses: s.received,
    usedDoses: s.used,
    wastedDoses: s.wasted,
    expiredDoses: s.expired,
    // A lot received after asOf is not on hand yet.
    onHandDoses: s.lot.receivedOn <= asOf ? s.unopened * s.lot.dosesPerVial + (s.open?.left ?? 0) : 0,
    unopenedVials: s.unopened,
    openVial: s.open ? { openedOn: formatDay(s.open.day), left: s.open.left } : null,
  }));
  const products = new Map<string, { received: number; used: number; wasted: number; expired: number; onHand: number }>();
  for (const l of lotOut) {
    const p = products.get(l.product) ?? { received: 0, used: 0, wasted: 0, expired: 0, onHand: 0 };
    p.received += l.receivedDoses;
    p.used += l.usedDoses;
    p.wasted += l.wastedDoses;
    p.expired += l.expiredDoses;
    p.onHand += l.onHandDoses;
    products.set(l.product, p);
  }
  for (const product of unstocked.keys()) if (!products.has(product)) products.set(product, { received: 0, used: 0, wasted: 0, expired: 0, onHand: 0 });
  return {
    lots: lotOut,
    products: [...products.entries()]
      .map(([product, p]) => ({
        product,
        receivedDoses: p.received,
        usedDoses: p.used,
        wastedDoses: p.wasted,
        expiredDoses: p.expired,
        onHandDoses: p.onHand,
        unstockedDoses: unstocked.get(product) ?? 0,
        wastageRate: p.used + p.wasted === 0 ? 0 : p.wasted / (p.used + p.wasted),
      }))
      .sort((a, b) => a.product.localeCompare(b.product)),
  };
}

export interface ExpiryAlert {
  readonly id: string;
  readonly product: string;
  readonly lot: string;
  readonly expiresOn: string;
  readonly onHandDoses: number;
  readonly expiredDoses: number;
  readonly kind: 'expired' | 'expiring';
}

/** Lots that expired with doses left, and lots with doses on hand expiring within `warnDays` of asOf. */
export function expiryAlerts(lots: readonly LotBalance[], asOf: string, warnDays = 30): ExpiryAlert[] {
  const today = parseDay(asOf);
  if (today === undefined) throw new RangeError(`expiryAlerts: bad date ${asOf}`);
  const out: ExpiryAlert[] = [];
  for (const l of lots) {
    const exp = parseDay(l.expiresOn);
    if (exp === undefined) continue;
    if (exp < today && l.expiredDoses > 0) out.push({ id: l.id, product: l.product, lot: l.lot, expiresOn: l.expiresOn, onHandDoses: 0, expiredDoses: l.expiredDoses, kind: 'expired' });
    else if (exp >= today && exp - today <= warnDays && l.onHandDoses > 0)
      out.push({ id: l.id, product: l.product, lot: l.lot, expiresOn: l.expiresOn, onHandDoses: l.onHandDoses, expiredDoses: 0, kind: 'expiring' });
  }
  return out.sort((a, b) => a.expiresOn.localeCompare(b.expiresOn));
}

export interface StockShortfall {
  readonly product: string;
  /** Doses the plan asks to supply (with wastage). */
  readonly neededDoses: number;
  /** Doses on hand in lots still valid on the first day of the month. */
  readonly onHandDoses: number;
  readonly shortDoses: number;
}

/** Products whose planned supply exceeds what is on hand in lots valid through the month's start. */
export function stockShortfalls(needs: readonly { product: string; supplyDoses: number }[], lots: readonly LotBalance[], monthFirstDay: string): StockShortfall[] {
  const onHand = new Map<string, number>();
  for (const l of lots) if (l.expiresOn >= monthFirstDay) onHand.set(l.product, (onHand.get(l.product) ?? 0) + l.onHandDoses);
  return needs
    .map((n) => ({ product: n.product, neededDoses: n.supplyDoses, onHandDoses: onHand.get(n.product) ?? 0 }))
    .filter((n) => n.neededDoses > n.onHandDoses)
    .map((n) => ({ ...n, shortDoses: n.neededDoses - n.onHandDoses }));
}
