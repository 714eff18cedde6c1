import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { lastEndedHalfYear } from '@openhssk/core';
import type { Kpis } from '@openhssk/core/api';
import { sql } from 'kysely';
import { startTestApp } from '../../test-support/app.ts';
import { staffSession } from '../../test-support/staff.ts';
import { ensureDemoData } from './index.ts';

// What a person evaluating the platform sees first must not contradict itself: a small demo
// district seeded as `npm start` seeds the large one.
describe('demo district: a year of sends that reads like a real one', () => {
  let t: Awaited<ReturnType<typeof startTestApp>>;
  let generatedAt: Date;
  let officer: string;

  before(async () => {
    t = await startTestApp();
    generatedAt = new Date();
    await ensureDemoData(t.db.db, { persons: 150, episodes: 300 });
    officer = (await staffSession(t.app, t.db.db, { username: 'cb51', fullName: 'Cán bộ tỉnh', role: 'health_officer', adminUnitCode: '51' })).cookie;
  });
  after(() => t.close());

  it('has no episode dated after its receipt or after the generation, and receipts spread over the year', async () => {
    const r = await sql<{ n: number; future: number; after_receipt: number; months: number; first: Date; last: Date }>`
      select count(*)::int as n,
             count(*) filter (where vn_instant(ngay_vao) > ${generatedAt} or vn_instant(ngay_ra) > ${generatedAt} or received_at > now())::int as future,
             count(*) filter (where vn_instant(ngay_ra) > received_at)::int as after_receipt,
             count(distinct date_trunc('month', received_at))::int as months,
             min(received_at) as first, max(received_at) as last
        from episode`.execute(t.db.db);
    const x = r.rows[0]!;
    assert.ok(x.n >= 290, `${x.n} episodes`);
    assert.equal(x.future, 0);
    assert.equal(x.after_receipt, 0);
    assert.ok(x.months >= 12, `receipts in ${x.months} months`);
    assert.ok(new Date(x.last).getTime() - new Date(x.first).getTime() > 300 * 86_400_000);
  });

  it('raises no warning the generator caused (orders outside the stay, dates in the future)', async () => {
    const r = await sql<{ code: string; n: number }>`
      select i->>'code' as code, count(*)::int as n from episode, jsonb_array_elements(issues) i
       where i->>'code' in ('ORDER_OUTSIDE_EPISODE', 'DATE_IN_FUTURE') group by 1`.execute(t.db.db);
    assert.deepEqual(r.rows, []);
  });

  it('shows ≥ 90 % of the episodes within 24 hours, and figures in the default six-monthly period', async () => {
    const { year, half } = lastEndedHalfYear();
    const period = half === 1 ? { from: `${year}-01-01`, to: `${year}-06-30` } : { from: `${year}-07-01`, to: `${year}-12-31` };
    const res = await t.app.inject({ method: 'GET', url: `/api/v1/reports/kpis?unit=51&from=${period.from}&to=${period.to}`, headers: { cookie: officer } });
    assert.equal(res.statusCode, 200, res.body);
    const k = (res.json() as { kpis: Kpis }).kpis;
    assert.ok(k.episodes >= 100, `${k.episodes} episodes in ${period.from}..${period.to}`);
    assert.ok(k.rates.visible24h !== null && k.rates.visible24h >= 0.9, `visible within 24 h: ${k.rates.visible24h}`);
    const six = await t.app.inject({ method: 'GET', url: `/api/v1/reports/six-monthly?unit=51&year=${year}&half=${half}&format=pdf`, headers: { cookie: officer } });
    assert.equal(six.statusCode, 200);
  });

  it('gives the README’s demo citizens their accounts, the parent with a child of under 14', async () => {
    const accounts = await t.db.db.selectFrom('dev_idp_account').select(['personal_id', 'ho_ten']).orderBy('personal_id').execute();
    const readme = [
      ['051066948066', 'Vũ Minh Phúc'],
      ['051160109609', 'Nguyễn Thị Dung'],
      ['051058169554', 'Phạm Trọng Việt'],
      ['051089953404', 'Vũ Văn Hải'],
      ['064189629185', 'Nguyễn Kim Linh'],
    ];
    for (const [id, name] of readme) assert.ok(accounts.some((a) => a.personal_id === id && a.ho_ten === name), `${id} ${name}`);
    const children = await sql<{ n: number }>`
      select count(*)::int as n from person_relation r join person c on c.id = r.person_id join person p on p.id = r.related_person_id
       where p.so_cccd = '051089953404' and r.relation = 'parent' and c.birth_year >= extract(year from now()) - 14`.execute(t.db.db);
    assert.ok(children.rows[0]!.n > 0);
  });
});
