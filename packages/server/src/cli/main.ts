import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { type DatabaseHandle, migrate, openDatabase } from '../db/index.ts';

const HELP = `hssk – OpenHSSK command line

  hssk start                         run the server (same as npm start)
  hssk migrate                       apply database migrations
  hssk demo [--persons N] [--episodes N] [--seed S]
                                     generate the synthetic demo district (all episodes go through ingest)
  hssk facility create --code C --name N [--test-mode]
  hssk facility credential --code C  issue an API credential (secret shown once)
  hssk facility cert --code C --file CERT
                                     register the facility's signing certificate (X.509 PEM or DER);
                                     several may be active at once for rotation
  hssk mpi import <file> [--source SYSTEM] [--map canonical=Header,...] [--no-link]
                                     import a population list (CSV UTF-8/UTF-16, , ; or tab; or XLSX,
                                     first sheet) into the master patient index, then relink everyone.
                                     Header: source_system,source_id,ho_ten,ngay_sinh,gioi_tinh,so_cccd,
                                     so_bhyt,so_dien_thoai,dia_chi,ma_xa,ma_ho_gia_dinh; --source fills
                                     source_system where the file has none. Bad rows are reported with
                                     their line and skipped; re-importing the same file is a no-op.
  hssk staff create --username U --role ROLE [--name "Full name"] [--facility C] [--unit CODE]
                                     create a staff account; prints a one-time password (changed at
                                     first login). ROLE: system_admin, health_officer (--unit),
                                     facility_admin, clinician, receptionist (--facility)
  hssk staff reset --username U      new one-time password (forces a change at next login)
  hssk staff demo                    demo staff of the demo district (password "demo-Staff1")
  hssk mpi link                      relink all source records (imports and KCB episode patients)
  hssk import xml130 <file|dir>... [--facility CODE] [--journal FILE]
                                     submit GIAMDINHHS envelope files (*.xml, folders walked) through ingest;
                                     resumable: finished files are listed by SHA-256 in .hssk-import-journal.json
                                     (working dir) and skipped, and a re-sent identical file returns its receipt.
                                     Exit 1 only for read errors or when every file failed.
  hssk mpi export --out FILE.csv     write source_system,source_id,person_id for every source record
                                     (rows rejected at import are not source records: not exported)

Database: DATABASE_URL (PostgreSQL) or embedded PGlite in HSSK_DATA_DIR (default ./data).`;

async function withDb<T>(fn: (h: DatabaseHandle) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const h = await openDatabase({ url: config.databaseUrl, dataDir: `${config.dataDir}/pglite` });
  try {
    await migrate(h);
    return await fn(h);
  } finally {
    await h.close();
  }
}

async function main(argv: string[]) {
  const [cmd, sub, ...rest] = argv;
  switch (cmd) {
    case 'start': {
      const { start } = await import('../main.ts');
      await start();
      return;
    }
    case 'migrate': {
      await withDb(async (h) => {
        const applied = await migrate(h);
        console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Database is up to date.');
      });
      return;
    }
    case 'demo': {
      const { values } = parseArgs({
        args: [sub ?? '', ...rest].filter(Boolean),
        options: { persons: { type: 'string' }, episodes: { type: 'string' }, seed: { type: 'string' }, force: { type: 'boolean' } },
      });
      const { ensureDemoData } = await import('../demo/index.ts');
      await withDb(async (h) => {
        const persons = Number(values.persons ?? 5000);
        await ensureDemoData(h.db, {
          persons,
          episodes: values.episodes ? Number(values.episodes) : undefined,
          seed: values.seed ? Number(values.seed) : undefined,
          force: values.force ?? false,
          log: (m) => console.log(m),
        });
      });
      return;
    }
    case 'facility': {
      const { values } = parseArgs({
        args: rest,
        options: { code: { type: 'string' }, name: { type: 'string' }, 'test-mode': { type: 'boolean' }, file: { type: 'string' } },
      });
      const { addCertificate, createFacility, getFacility, issueCredential } = await import('../facility/index.ts');
      if (!values.code) throw new Error('--code is required');
      await withDb(async (h) => {
        if (sub === 'create') {
          if (!values.name) throw new Error('--name is required');
          await createFacility(h.db, { code: values.code!, name: values.name, testMode: values['test-mode'] ?? false });
          console.log(`Facility ${values.code} created.`);
        } else if (sub === 'credential') {
          const c = await issueCredential(h.db, values.code!);
          console.log(`client_id=${c.clientId}\nclient_secret=${c.clientSecret}\n(the secret is shown only once)`);
        } else if (sub === 'cert') {
          if (!values.file) throw new Error('--file is required');
          if (!(await getFacility(h.db, values.code!))) throw new Error(`facility ${values.code} is not registered (hssk facility create)`);
          const c = await addCertificate(h.db, values.code!, readFileSync(values.file));
          console.log(`Certificate registered for ${values.code}: ${c.subject}\nSHA-256 ${c.fingerprint256}\nvalid ${c.notBefore.toISOString()} – ${c.notAfter.toISOString()}`);
        } else throw new Error(`unknown facility command: ${sub}`);
      });
      return;
    }
    case 'staff': {
      const { values } = parseArgs({
        args: rest,
        options: { username: { type: 'string' }, role: { type: 'string' }, name: { type: 'string' }, facility: { type: 'string' }, unit: { type: 'string' } },
      });
      const { createStaff, resetPassword, staffDb } = await import('../staff/index.ts');
      await withDb(async (h) => {
        if (sub === 'create') {
          if (!values.username || !values.role) throw new Error('--username and --role are required');
          const r = await createStaff(h.db, {
            username: values.username,
            fullName: values.name ?? values.username,
            role: values.role as import('../staff/index.ts').StaffRole,
            facilityCode: values.facility,
            adminUnitCode: values.unit,
          });
          console.log(`Staff ${values.username} created.\npassword=${r.password}\n(shown only once; must be changed at first login)`);
        } else if (sub === 'reset') {
          const acc = await staffDb(h.db).selectFrom('staff_account').select('id').where('username', '=', (values.username ?? '').toLowerCase()).executeTakeFirst();
          if (!acc) throw new Error(`no staff account ${values.username}`);
          console.log(`password=${await resetPassword(h.db, acc.id)}\n(shown only once; must be changed at next login)`);
        } else if (sub === 'demo') {
          const { seedDemoStaff } = await import('../staff/index.ts');
          await seedDemoStaff(h.db, (m) => console.log(m));
        } else throw new Error(`unknown staff command: ${sub}`);
      });
      return;
    }
    case 'import': {
      if (sub !== 'xml130') throw new Error('usage: hssk import xml130 <file|dir>... [--facility CODE]');
      const { values, positionals } = parseArgs({ args: rest, allowPositionals: true, options: { facility: { type: 'string' }, journal: { type: 'string' } } });
      if (positionals.length === 0) throw new Error('usage: hssk import xml130 <file|dir>... [--facility CODE]');
      const { importXml130Files, formatSummary, importExitCode } = await import('../ingest/index.ts');
      const config = loadConfig();
      await withDb(async (h) => {
        const s = await importXml130Files(h.db, positionals, { facility: values.facility, journalPath: values.journal, progress: process.stderr.isTTY, maxBytes: config.maxEnvelopeBytes });
        console.log(formatSummary(s));
        process.exitCode = importExitCode(s);
      });
      return;
    }
    case 'mpi': {
      const { runMpi } = await import('../mpi/index.ts');
      await withDb((h) => runMpi(h.db, sub, rest));
      return;
    }
    default:
      console.log(HELP);
      if (cmd && cmd !== 'help' && cmd !== '--help') process.exitCode = 2;
  }
}

main(process.argv.slice(2)).catch((e: unknown) => {
  const err = e as { message_vi?: string; message?: string };
  console.error(err.message_vi ? `${err.message_vi} (${err.message})` : String(err.message ?? e));
  process.exit(1);
});
