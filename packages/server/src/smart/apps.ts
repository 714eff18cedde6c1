import { DomainError } from '@openhssk/core';
import type { Generated, Kysely } from 'kysely';
import { hashSecret, randomToken, verifySecret } from '../auth/index.ts';
import type { Db } from '../db/index.ts';
import { isRegistrableScope } from './scopes.ts';

type Timestamp = Date | string;

/** Tables of migrations 075 and 098, owned by this module. */
export type SmartTables = {
  smart_app: {
    client_id: string;
    name: string;
    redirect_uris: string[];
    confidential: Generated<boolean>;
    secret_hash: string | null;
    scopes: string[];
    created_by: string;
    created_at: Generated<Date>;
    disabled_at: Timestamp | null;
  };
  smart_authorization: {
    subject: string;
    client_id: string;
    scopes: string[];
    /** Migration 098: the citizen also let the app read their sensitive episodes. */
    include_sensitive: Generated<boolean>;
    granted_at: Generated<Date>;
    revoked_at: Timestamp | null;
    last_used_at: Timestamp | null;
  };
};

export type SmartDb = Kysely<(Db extends Kysely<infer S> ? S : never) & SmartTables>;
export const smartDb = (db: Db): SmartDb => db.withTables<SmartTables>() as unknown as SmartDb;

export interface SmartApp {
  clientId: string;
  name: string;
  redirectUris: string[];
  confidential: boolean;
  scopes: string[];
}

export interface NewSmartApp {
  clientId?: string | undefined;
  name: string;
  redirectUris: string[];
  confidential: boolean;
  scopes: string[];
  createdBy: string;
}

const invalid = (vi: string, en: string) => new DomainError('invalid', 'SMART_APP_INVALID', vi, en);

/**
 * A redirect URI must be absolute, without fragment, and https unless it points at this machine
 * (native and development apps): a code sent over plain HTTP to another host could be read on the way.
 */
function checkRedirectUri(uri: string) {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    throw invalid(`Địa chỉ chuyển hướng không hợp lệ: ${uri}`, `Invalid redirect URI: ${uri}`);
  }
  const local = ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname);
  if (u.hash || !(u.protocol === 'https:' || (u.protocol === 'http:' && local))) {
    throw invalid(`Địa chỉ chuyển hướng phải dùng https và không có phần #: ${uri}`, `A redirect URI must be https (http only on localhost) without a fragment: ${uri}`);
  }
}

/** Registers an app; a confidential one gets a secret, shown once (only its hash is stored). */
export async function registerSmartApp(db: Db, a: NewSmartApp): Promise<{ clientId: string; clientSecret: string | null }> {
  for (const uri of a.redirectUris) checkRedirectUri(uri);
  const unknown = a.scopes.filter((s) => !isRegistrableScope(s));
  if (unknown.length) throw invalid(`Phạm vi không hỗ trợ: ${unknown.join(', ')}`, `Unsupported scopes: ${unknown.join(', ')}`);
  if (!a.scopes.some((s) => s.startsWith('patient/'))) throw invalid('Ứng dụng cần ít nhất một phạm vi patient/….', 'An app needs at least one patient/… scope.');
  const clientId = a.clientId ?? `app-${randomToken(9)}`;
  const clientSecret = a.confidential ? randomToken(24) : null;
  const inserted = await smartDb(db)
    .insertInto('smart_app')
    .values({
      client_id: clientId,
      name: a.name,
      redirect_uris: a.redirectUris,
      confidential: a.confidential,
      secret_hash: clientSecret ? await hashSecret(clientSecret) : null,
      scopes: a.scopes,
      created_by: a.createdBy,
    })
    .onConflict((oc) => oc.column('client_id').doNothing())
    .returning('client_id')
    .executeTakeFirst();
  if (!inserted) {
    throw new DomainError('conflict', 'SMART_APP_EXISTS', `Ứng dụng ${clientId} đã được đăng ký.`, `App ${clientId} is already registered.`);
  }
  return { clientId, clientSecret };
}

export async function listSmartApps(db: Db) {
  return smartDb(db)
    .selectFrom('smart_app')
    .select(['client_id', 'name', 'redirect_uris', 'confidential', 'scopes', 'created_by', 'created_at', 'disabled_at'])
    .orderBy('created_at')
    .execute();
}

/** Disabling an app ends every authorization's use at once (tokens are checked against it at each request). */
export async function disableSmartApp(db: Db, clientId: string): Promise<boolean> {
  const r = await smartDb(db).updateTable('smart_app').set({ disabled_at: new Date() }).where('client_id', '=', clientId).where('disabled_at', 'is', null).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** An enabled app by client id. */
export async function findSmartApp(db: Db, clientId: string): Promise<SmartApp | undefined> {
  const r = await smartDb(db)
    .selectFrom('smart_app')
    .select(['client_id', 'name', 'redirect_uris', 'confidential', 'scopes'])
    .where('client_id', '=', clientId)
    .where('disabled_at', 'is', null)
    .executeTakeFirst();
  return r && { clientId: r.client_id, name: r.name, redirectUris: r.redirect_uris, confidential: r.confidential, scopes: r.scopes };
}

/** The app when `secret` is its secret; a public app has none to check. */
export async function authenticateSmartApp(db: Db, clientId: string, secret: string | undefined): Promise<SmartApp | undefined> {
  const r = await smartDb(db).selectFrom('smart_app').select('secret_hash').where('client_id', '=', clientId).where('disabled_at', 'is', null).executeTakeFirst();
  if (!r) return undefined;
  if (r.secret_hash === null) return secret === undefined ? findSmartApp(db, clientId) : undefined;
  if (secret === undefined || !(await verifySecret(secret, r.secret_hash))) return undefined;
  return findSmartApp(db, clientId);
}
