import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createTestDatabase } from '../../test-support/database.ts';
import { migrate } from './migrate.ts';

describe(`database layer (${process.env.HSSK_TEST_DB ?? 'pglite'})`, () => {
  let h: Awaited<ReturnType<typeof createTestDatabase>>;
  before(async () => {
    h = await createTestDatabase();
  });
  after(async () => h.drop());

  it('applies migrations once', async () => {
    assert.deepEqual(await migrate(h), []);
    const r = await sql<{ n: number }>`select count(*)::int8 as n from schema_migration`.execute(h.db);
    assert.ok((r.rows[0]?.n ?? 0) >= 1);
  });

  it('returns the same value types on both drivers', async () => {
    const r = await sql<{ a: number; b: number; d: string; t: Date }>`
      select 12::int8 as a, 1.25::numeric as b, '2024-02-29'::date as d, now() as t`.execute(h.db);
    const row = r.rows[0]!;
    assert.equal(row.a, 12);
    assert.equal(row.b, 1.25);
    assert.equal(row.d, '2024-02-29');
    assert.ok(row.t instanceof Date);
  });

  it('rolls back a failed transaction completely', async () => {
    await h.db.insertInto('admin_unit').values({ code: '51', level: 'province', name: 'Quảng Ngãi', parent_code: null, valid_from: null, valid_to: null }).execute();
    await assert.rejects(
      h.db.transaction().execute(async (tx) => {
        await tx.insertInto('facility').values({ code: '51001', name: 'BV', level: null, admin_unit_code: '51' }).execute();
        await tx.insertInto('facility').values({ code: '51001', name: 'duplicate', level: null, admin_unit_code: '51' }).execute();
      }),
    );
    const n = await h.db.selectFrom('facility').select(h.db.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    assert.equal(Number(n.n), 0);
  });

  it('serializes concurrent transactions', async () => {
    await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        h.db.transaction().execute(async (tx) => {
          await tx.insertInto('app_state').values({ key: `k${i}`, value: JSON.stringify({ i }) }).execute();
        }),
      ),
    );
    const rows = await h.db.selectFrom('app_state').select(['key', 'value']).orderBy('key').execute();
    assert.deepEqual(rows.map((r) => r.key), ['k0', 'k1', 'k2', 'k3', 'k4']);
    assert.deepEqual(rows[0]?.value, { i: 0 });
  });
});
