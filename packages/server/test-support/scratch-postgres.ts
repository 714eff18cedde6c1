import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface ScratchDatabase {
  /** Connection URL of the new, empty database. */
  url: string;
  drop(): Promise<void>;
}

/**
 * A new, empty PostgreSQL database for one test file or benchmark run, dropped (with its
 * connections) afterwards. The name is random, never taken from input.
 */
export async function createScratchPostgres(prefix: string, adminUrl = DEFAULT_ADMIN_URL): Promise<ScratchDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const run = async (statement: string) => {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    try {
      await admin.query(statement);
    } finally {
      await admin.end();
    }
  };
  const workers = await citusWorkers(adminUrl);
  if (workers) return createScratchCitus(name, adminUrl, workers);
  await run(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => run(`drop database if exists ${name} with (force)`) };
}

async function query<R extends pg.QueryResultRow = pg.QueryResultRow>(url: string, statement: string, values: unknown[] = []) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<R>(statement, values)).rows;
  } finally {
    await client.end();
  }
}

const withDatabase = (url: string, name: string, host?: string, port?: number) => {
  const u = new URL(url);
  u.pathname = `/${name}`;
  if (host) u.hostname = host;
  if (port) u.port = String(port);
  return u.toString();
};

/**
 * The workers of a Citus coordinator (scripts/citus-cluster), or null when the admin database is a
 * plain PostgreSQL. Citus keeps its node list per database, so each scratch database is set up anew.
 */
async function citusWorkers(adminUrl: string): Promise<{ host: string; port: number }[] | null> {
  const [ext] = await query<{ n: number }>(adminUrl, `select count(*)::int as n from pg_extension where extname = 'citus'`);
  if (!ext?.n) return null;
  return query<{ host: string; port: number }>(adminUrl,
    `select nodename as host, nodeport as port from pg_dist_node where groupid <> 0 and noderole = 'primary' and isactive order by nodeid`);
}

/** The same database on the coordinator and every worker, each with citus, and the workers added. */
async function createScratchCitus(name: string, adminUrl: string, workers: { host: string; port: number }[]): Promise<ScratchDatabase> {
  const nodes = [adminUrl, ...workers.map((w) => withDatabase(adminUrl, 'postgres', w.host, w.port))];
  for (const node of nodes) {
    await query(node, `create database ${name}`);
    await query(withDatabase(node, name), 'create extension citus');
  }
  const url = withDatabase(adminUrl, name);
  // Fewer shards than production's 32 (scripts/citus-cluster): creating 40 tables × 32 shards on a loaded
  // 2-core machine dominated each test file; 4 shards over 2 workers still tell one shard from many.
  await query(adminUrl, `alter database ${name} set citus.shard_count = ${Number(process.env.CITUS_TEST_SHARDS ?? 4)}`);
  const coordinator = new URL(adminUrl);
  await query(url, 'select citus_set_coordinator_host($1, $2)', [coordinator.hostname, Number(coordinator.port || 5432)]);
  for (const w of workers) await query(url, 'select citus_add_node($1, $2)', [w.host, w.port]);
  return {
    url,
    async drop() {
      for (const node of nodes) await query(node, `drop database if exists ${name} with (force)`);
    },
  };
}
