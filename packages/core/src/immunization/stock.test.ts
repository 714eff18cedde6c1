import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expiryAlerts, type StockLot, type StockUse, stockLedger, stockShortfalls } from './stock.ts';

const lot = (id: string, product: string, lotNo: string, expiresOn: string, dosesPerVial: number, vials: number, receivedOn = '2026-01-01'): StockLot => ({
  id, product, lot: lotNo, expiresOn, receivedOn, dosesPerVial, vials,
});
const use = (givenOn: string, product: string, doses: number, lotNo: string | null = null): StockUse => ({ givenOn, product, lot: lotNo, doses });

describe('stockLedger', () => {
  const cases: Array<{ name: string; lots: StockLot[]; uses: StockUse[]; asOf: string; want: Record<string, { used: number; wasted: number; expired: number; onHand: number }>; unstocked?: number }> = [
    {
      name: 'session rule (MR, 10-dose): leftovers of each day are wasted',
      lots: [lot('1', 'MR', 'A', '2027-01-01', 10, 5)],
      uses: [use('2026-03-05', 'MR', 3), use('2026-04-05', 'MR', 12)],
      asOf: '2026-04-10',
      want: { '1': { used: 15, wasted: 7 + 8, expired: 0, onHand: 20 } },
    },
    {
      name: 'session rule: the day itself still holds the open vial',
      lots: [lot('1', 'MR', 'A', '2027-01-01', 10, 2)],
      uses: [use('2026-03-05', 'MR', 3)],
      asOf: '2026-03-05',
      want: { '1': { used: 3, wasted: 0, expired: 0, onHand: 17 } },
    },
    {
      name: '28-day rule (bOPV, 20-dose): an opened vial serves the next session within 28 days',
      lots: [lot('1', 'bOPV', 'B', '2027-01-01', 20, 2)],
      uses: [use('2026-03-05', 'bOPV', 8), use('2026-03-20', 'bOPV', 8), use('2026-05-01', 'bOPV', 2)],
      asOf: '2026-05-01',
      want: { '1': { used: 18, wasted: 4, expired: 0, onHand: 18 } },
    },
    {
      name: 'single-dose vials never waste',
      lots: [lot('1', 'DPT-VGB-Hib', 'C', '2027-01-01', 1, 10)],
      uses: [use('2026-03-05', 'DPT-VGB-Hib', 4)],
      asOf: '2026-06-01',
      want: { '1': { used: 4, wasted: 0, expired: 0, onHand: 6 } },
    },
    {
      name: 'FEFO: doses without a lot come from the lot expiring first; a named lot is honoured',
      lots: [lot('late', 'VGB', 'L', '2027-06-01', 1, 10), lot('early', 'VGB', 'E', '2026-12-01', 1, 10)],
      uses: [use('2026-03-05', 'VGB', 3), use('2026-03-05', 'VGB', 2, 'L')],
      asOf: '2026-03-06',
      want: { early: { used: 3, wasted: 0, expired: 0, onHand: 7 }, late: { used: 2, wasted: 0, expired: 0, onHand: 8 } },
    },
    {
      name: 'expiry: what is left in the lot is expired, not on hand',
      lots: [lot('1', 'BCG', 'X', '2026-03-31', 20, 3)],
      uses: [use('2026-03-05', 'BCG', 2)],
      asOf: '2026-04-02',
      want: { '1': { used: 2, wasted: 18, expired: 40, onHand: 0 } },
    },
    {
      name: 'doses beyond the stock are counted as unstocked (a receipt is missing)',
      lots: [lot('1', 'VGB', 'E', '2027-01-01', 1, 2)],
      uses: [use('2026-03-05', 'VGB', 5)],
      asOf: '2026-03-06',
      want: { '1': { used: 2, wasted: 0, expired: 0, onHand: 0 } },
      unstocked: 3,
    },
    {
      name: 'a lot received after the dose date is not drawn from',
      lots: [lot('1', 'VGB', 'E', '2027-01-01', 1, 2, '2026-04-01')],
      uses: [use('2026-03-05', 'VGB', 1)],
      asOf: '2026-04-02',
      want: { '1': { used: 0, wasted: 0, expired: 0, onHand: 2 } },
      unstocked: 1,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = stockLedger(c.lots, c.uses, c.asOf);
      for (const [id, w] of Object.entries(c.want)) {
        const l = r.lots.find((x) => x.id === id)!;
        assert.deepEqual({ used: l.usedDoses, wasted: l.wastedDoses, expired: l.expiredDoses, onHand: l.onHandDoses }, w, id);
        assert.equal(l.receivedDoses, l.usedDoses + l.wastedDoses + l.expiredDoses + l.onHandDoses, `${id}: every dose received is accounted for`);
      }
      assert.equal(r.products.reduce((n, p) => n + p.unstockedDoses, 0), c.unstocked ?? 0);
    });
  }
  it('wastage rate per product', () => {
    const r = stockLedger([lot('1', 'MR', 'A', '2027-01-01', 10, 5)], [use('2026-03-05', 'MR', 3)], '2026-03-06');
    assert.equal(r.products[0]!.wastageRate, 7 / 10);
  });
});

describe('expiryAlerts and stockShortfalls', () => {
  it('alerts expired lots with doses lost and lots expiring within the warning days', () => {
    const { lots } = stockLedger([lot('old', 'BCG', 'X', '2026-03-31', 20, 1), lot('soon', 'VGB', 'S', '2026-04-20', 1, 5), lot('ok', 'VGB', 'O', '2026-12-31', 1, 5)], [], '2026-04-02');
    assert.deepEqual(
      expiryAlerts(lots, '2026-04-02').map((a) => [a.id, a.kind]),
      [['old', 'expired'], ['soon', 'expiring']],
    );
  });
  it('a plan needing more than the valid stock on hand is short by the difference', () => {
    const { lots } = stockLedger([lot('1', 'MR', 'A', '2027-01-01', 10, 2), lot('2', 'MR', 'B', '2026-04-15', 10, 5)], [], '2026-04-02');
    assert.deepEqual(stockShortfalls([{ product: 'MR', supplyDoses: 30 }, { product: 'BCG', supplyDoses: 20 }], lots, '2026-05-01'), [
      { product: 'MR', neededDoses: 30, onHandDoses: 20, shortDoses: 10 },
      { product: 'BCG', neededDoses: 20, onHandDoses: 0, shortDoses: 20 },
    ]);
  });
});
