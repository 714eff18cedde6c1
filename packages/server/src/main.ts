import { buildApp } from './app.ts';
import { loadConfig } from './config.ts';
import { migrate, openDatabase } from './db/index.ts';
import { ensureDemoData } from './demo/index.ts';
import { closePreparePool, warmPreparePool } from './ingest/index.ts';

/** `npm start`: embedded database unless DATABASE_URL is set, migrations, demo data, HTTP. */
export async function start() {
  const config = loadConfig();
  const database = await openDatabase({ url: config.databaseUrl, dataDir: `${config.dataDir}/pglite` });
  await migrate(database);
  const app = await buildApp({ config, database });
  warmPreparePool();
  if (config.demo) await ensureDemoData(database.db, {
      persons: config.demoPersons,
      episodes: config.demoEpisodes || undefined,
      credentialsFile: `${config.dataDir}/demo-facility-credentials.json`,
      log: (m) => console.log(m),
    });
  await app.listen({ port: config.port, host: config.host });
  app.log.info(`OpenHSSK ready at ${config.publicUrl} (${database.kind})`);
  const stop = async () => {
    await app.close();
    await closePreparePool();
    await database.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
