import { buildApp } from './app.ts';
import { type Config, loadConfig } from './config.ts';
import { migrate, openDatabase } from './db/index.ts';
import { prettyLogDestination } from './http/index.ts';
import { demoPresence, ensureDemoData } from './demo/index.ts';
import { closePreparePool, warmPreparePool } from './ingest/index.ts';
import { formatRefusal, productionRefusals, recordStart, startFacts, startLine } from './startup/index.ts';

/**
 * `npm start`: embedded database unless DATABASE_URL is set, migrations, demo data, HTTP.
 * With HSSK_ENV=production the start is refused, one bilingual line per reason on stderr and
 * exit status 1, before anything is created: no keys, no demo, no listening socket.
 */
export async function start(config: Config = loadConfig()) {
  const database = await openDatabase({ url: config.databaseUrl, dataDir: `${config.dataDir}/pglite` });
  await migrate(database);
  if (config.production) {
    const refusals = await productionRefusals(database.db, config);
    if (refusals.length > 0) {
      for (const r of refusals) console.error(formatRefusal(r));
      await database.close();
      process.exit(1);
    }
  }
  const app = await buildApp({ config, database, logger: config.logFormat === 'pretty' ? { stream: prettyLogDestination(process.stdout) } : true });
  warmPreparePool();
  if (config.demo) await ensureDemoData(database.db, {
      persons: config.demoPersons,
      episodes: config.demoEpisodes || undefined,
      credentialsFile: `${config.dataDir}/demo-facility-credentials.json`,
      log: (m) => console.log(m),
    });
  await app.listen({ port: config.port, host: config.host });
  const facts = startFacts(config, await demoPresence(database.db));
  await recordStart(database.db, facts);
  console.log(startLine(facts));
  const stop = async () => {
    await app.close();
    await closePreparePool();
    await database.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
