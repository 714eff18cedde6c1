import { audit } from '../audit/index.ts';
import { DEV_IDP_PATH, keyStorageOf } from '../auth/index.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/index.ts';
import type { DemoPresence } from '../demo/index.ts';

/** What the server runs with, as the start line and the 'system.start' audit event state it. No secret. */
export interface StartFacts {
  mode: 'production' | 'development';
  database: { kind: 'embedded' | 'postgresql'; where: string };
  idp: { kind: 'vneid' | 'development' | 'none'; issuer: string | null };
  demo: 'on' | 'off' | 'present-in-database';
  publicUrl: string;
  keys: ReturnType<typeof keyStorageOf>;
  warnings: string[];
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** user@host:port/database of a connection URL; the password and query (which may carry one) are left out. */
export function describeDatabase(c: Pick<Config, 'databaseUrl' | 'dataDir'>): StartFacts['database'] {
  if (!c.databaseUrl) return { kind: 'embedded', where: `${c.dataDir}/pglite` };
  try {
    const u = new URL(c.databaseUrl);
    const user = u.username ? `${decodeURIComponent(u.username)}@` : '';
    const host = u.hostname || new URLSearchParams(u.search).get('host') || 'localhost';
    return { kind: 'postgresql', where: `${user}${host}:${u.port || '5432'}${u.pathname || '/'}` };
  } catch {
    // Never echo an unparsable URL: it may hold the password in a place the parser missed.
    return { kind: 'postgresql', where: '(DATABASE_URL)' };
  }
}

export function startFacts(c: Config, demo: DemoPresence): StartFacts {
  const warnings: string[] = [];
  let publicHost = '';
  try {
    publicHost = new URL(c.publicUrl).hostname;
  } catch {
    warnings.push(`HSSK_PUBLIC_URL is not a URL: ${c.publicUrl}`);
  }
  if (c.production && c.publicUrl.startsWith('https://') && c.trustProxy.length === 0) {
    // An https public URL nearly always means a TLS proxy in front: without HSSK_TRUST_PROXY every client
    // has the proxy's address, and per-address limits (staff logins, shares, tokens) become one shared limit.
    warnings.push(
      'HSSK_PUBLIC_URL is https but HSSK_TRUST_PROXY is empty: behind a reverse proxy every client shares its address ' +
        '(đặt HSSK_TRUST_PROXY là địa chỉ của máy chủ proxy)',
    );
  }
  if (LOCAL_HOSTS.has(publicHost) && !LOCAL_HOSTS.has(c.host)) {
    warnings.push(
      `HSSK_PUBLIC_URL is ${c.publicUrl} but HOST=${c.host} accepts other machines: their logins would be sent back to ${publicHost} ` +
        `(HSSK_PUBLIC_URL là ${publicHost} nhưng máy khác vẫn kết nối được: đặt HSSK_PUBLIC_URL)`,
    );
  }
  return {
    mode: c.production ? 'production' : 'development',
    database: describeDatabase(c),
    idp: c.oidcIssuer
      ? { kind: 'vneid', issuer: c.oidcIssuer }
      : c.devIdp
        ? { kind: 'development', issuer: `${c.publicUrl}${DEV_IDP_PATH}` }
        : { kind: 'none', issuer: null },
    demo: c.demo ? 'on' : demo.total > 0 ? 'present-in-database' : 'off',
    publicUrl: c.publicUrl,
    keys: keyStorageOf(c),
    warnings,
  };
}

const IDP_TEXT = { vneid: 'VNeID', development: 'development provider', none: 'none, citizen login not configured' } as const;
const KEYS_TEXT = { keys_dir: 'HSSK_KEYS_DIR', kek: 'database, encrypted (HSSK_KEK)', database_plaintext: 'database, unencrypted (development)' } as const;

/** The one line main.ts prints when the server listens. */
export function startLine(f: StartFacts): string {
  const parts = [
    `OpenHSSK ready at ${f.publicUrl}`,
    `mode: ${f.mode}`,
    `database: ${f.database.kind === 'embedded' ? `embedded PGlite (${f.database.where})` : `PostgreSQL ${f.database.where}`}`,
    `identity provider: ${IDP_TEXT[f.idp.kind]}${f.idp.issuer ? ` ${f.idp.issuer}` : ''}`,
    `demo: ${f.demo}`,
    `keys: ${KEYS_TEXT[f.keys]}`,
    ...f.warnings.map((w) => `WARNING: ${w}`),
  ];
  return parts.join(' | ');
}

/** "Configuration at start" in the access log, so an audit can tell how the server ran and since when. */
export async function recordStart(db: Db, f: StartFacts): Promise<void> {
  await audit(db, {
    actor: { type: 'system', id: 'server', name: 'OpenHSSK server' },
    action: 'system.start',
    resource: 'configuration',
    detail: { mode: f.mode, database: f.database, idp: f.idp, demo: f.demo, public_url: f.publicUrl, keys: f.keys, warnings: f.warnings },
  });
}
