import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createTestDatabase, type TestDatabase } from '../../test-support/index.ts';
import { exposedKeyFiles, loadServerKeys, rotateServerKeys, signFacilityToken, verifyFacilityToken } from './index.ts';

const TTL = 900;
const bearer = (t: { access_token: string }) => `Bearer ${t.access_token}`;
const appStateText = async (db: TestDatabase) =>
  (await sql<{ t: string }>`select coalesce(string_agg(key || '=' || value::text, ' '), '') as t from app_state`.execute(db.db)).rows[0]!.t;

describe('server keys', () => {
  let db: TestDatabase;
  let dir: string;
  before(async () => {
    db = await createTestDatabase();
    dir = mkdtempSync(join(tmpdir(), 'hssk-keys-'));
  });
  after(async () => {
    await db.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('HSSK_KEYS_DIR: files are created with mode 0600 (folder 0700), reused on the next start, and kept out of the database', async () => {
    const keysDir = join(dir, 'keys');
    const first = await loadServerKeys(db.db, { keysDir, kek: undefined, facilityTokenTtlSeconds: TTL });
    for (const f of ['facility-token-keys.json', 'idp-cookie-keys.json', 'idp-jwk.json']) {
      assert.equal(statSync(join(keysDir, f)).mode & 0o777, 0o600, f);
    }
    assert.equal(statSync(keysDir).mode & 0o777, 0o700);
    const second = await loadServerKeys(db.db, { keysDir, kek: undefined, facilityTokenTtlSeconds: TTL });
    assert.equal(second.facilityTokenKey, first.facilityTokenKey);
    assert.deepEqual(second.idpCookieKeys, first.idpCookieKeys);
    assert.deepEqual(second.idpJwk, first.idpJwk);
    assert.equal(second.storage, 'keys_dir');
    const stored = await appStateText(db);
    assert.ok(!stored.includes(first.idpCookieKeys[0]!) && !stored.includes(String(first.idpJwk.d)), 'no key material in app_state');
    assert.deepEqual(exposedKeyFiles(keysDir), []);
    chmodSync(join(keysDir, 'idp-jwk.json'), 0o644);
    assert.deepEqual(exposedKeyFiles(keysDir), [join(keysDir, 'idp-jwk.json')], 'a world-readable key file is reported');
  });

  it('HSSK_KEK: keys in app_state are encrypted, open with the right key and fail clearly with a wrong one', async () => {
    const kek = randomBytes(32).toString('base64');
    const keys = await loadServerKeys(db.db, { keysDir: undefined, kek, facilityTokenTtlSeconds: TTL });
    const stored = await appStateText(db);
    const signingKey = keys.facilityTokenKey.split(',')[0]!.split('.')[1]!;
    for (const secret of [signingKey, keys.idpCookieKeys[0]!, String(keys.idpJwk.d)]) {
      assert.ok(!stored.includes(secret), 'a key is readable in app_state');
    }
    assert.match(stored, /"enc": ?"A256GCM"/);
    const again = await loadServerKeys(db.db, { keysDir: undefined, kek, facilityTokenTtlSeconds: TTL });
    assert.equal(again.facilityTokenKey, keys.facilityTokenKey);
    assert.deepEqual(again.idpJwk, keys.idpJwk);
    await assert.rejects(
      loadServerKeys(db.db, { keysDir: undefined, kek: randomBytes(32).toString('base64'), facilityTokenTtlSeconds: TTL }),
      (e: { code?: string; message_vi?: string }) => e.code === 'KEK_MISMATCH' && /HSSK_KEK/.test(e.message_vi ?? ''),
    );
    await assert.rejects(loadServerKeys(db.db, { keysDir: undefined, kek: undefined, facilityTokenTtlSeconds: TTL }), (e: { code?: string }) => e.code === 'KEK_MISSING');
  });

  it('rotation: a token of the previous key stays valid until it expires, a new one is valid, then the previous key is dropped', async () => {
    const keysDir = join(dir, 'rotate');
    const config = { keysDir, kek: undefined, facilityTokenTtlSeconds: TTL };
    const t0 = new Date();
    const before = await loadServerKeys(db.db, config, t0);
    // Longer than the configured TTL on purpose: a retired key must stop verifying on its own schedule.
    const oldToken = await signFacilityToken(before.facilityTokenKey, '79001', 'client-1', 3 * TTL);

    const rotation = await rotateServerKeys(db.db, config, t0);
    assert.equal(rotation.retiredStillAccepted, 1);
    const afterRotation = await loadServerKeys(db.db, config, t0);
    assert.notEqual(afterRotation.facilityTokenKey.split(',')[0], before.facilityTokenKey.split(',')[0], 'a new signing key');
    assert.equal(afterRotation.idpCookieKeys.length, 2);
    assert.equal(afterRotation.idpCookieKeys[1], before.idpCookieKeys[0], 'the previous cookie key still verifies');
    const newToken = await signFacilityToken(afterRotation.facilityTokenKey, '79001', 'client-1', TTL);
    assert.deepEqual(await verifyFacilityToken(afterRotation.facilityTokenKey, bearer(oldToken)), { facilityCode: '79001', clientId: 'client-1' });
    assert.deepEqual(await verifyFacilityToken(afterRotation.facilityTokenKey, bearer(newToken)), { facilityCode: '79001', clientId: 'client-1' });
    await assert.rejects(verifyFacilityToken(before.facilityTokenKey, bearer(newToken)), (e: { code?: string }) => e.code === 'TOKEN_INVALID');

    // Once every token the old key signed has expired (TTL + skew after the rotation), it verifies nothing.
    const later = await loadServerKeys(db.db, config, new Date(t0.getTime() + (TTL + 120) * 1000));
    assert.equal(later.facilityTokenKey.split(',').length, 1);
    await assert.rejects(verifyFacilityToken(later.facilityTokenKey, bearer(oldToken)), (e: { code?: string }) => e.code === 'TOKEN_INVALID');
    const file = JSON.parse(readFileSync(join(keysDir, 'facility-token-keys.json'), 'utf8')) as { keys: unknown[] };
    assert.equal(file.keys.length, 2, 'the file keeps the retired key until the next rotation prunes it');
  });
});
