import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { type DatabaseHandle, migrate, openDatabase } from '../db/index.ts';
import { wireIdentityFollowers } from '../identity-followers.ts';

const HELP = `hssk – OpenHSSK command line

  hssk start                         run the server (same as npm start)
  hssk migrate                       apply database migrations
  hssk demo [--persons N] [--episodes N] [--seed S]
                                     generate the synthetic demo district (all episodes go through ingest)
  hssk demo purge                    remove every demo object (facilities, staff, dev IdP accounts, population,
                                     episodes, units, markers, credentials file) in one transaction; refused,
                                     exit 1 and nothing deleted, if real data references them
  hssk keys rotate                   new facility-token signing key (tokens of the previous one stay valid until
                                     they expire) and a new dev IdP cookie key; restart the servers afterwards
  hssk facility create --code C --name N [--test-mode]
  hssk facility credential --code C  issue an API credential (secret shown once)
  hssk facility cert --code C --file CERT
                                     register the facility's signing certificate (X.509 PEM or DER);
                                     several may be active at once for rotation; trusted at once (with
                                     HSSK_TRUSTED_CA_DIR set it must chain to a CA there)
  hssk facility cert-revoke --code C --fingerprint F [--reason TEXT]
                                     revoke a signing certificate (SHA-256 fingerprint, AB:CD:… or hex):
                                     envelopes and check-ins signed with it are refused from now on
  hssk mpi import <file> [--source SYSTEM] [--map canonical=Header,...] [--no-link]
                                     import a population list (CSV UTF-8/UTF-16, , ; or tab; or XLSX,
                                     first sheet) into the master patient index, then relink everyone.
                                     Header: source_system,source_id,ho_ten,ngay_sinh,gioi_tinh,so_cccd,
                                     so_bhyt,so_dien_thoai,dia_chi,ma_xa,ma_ho_gia_dinh; --source fills
                                     source_system where the file has none. Bad rows are reported with
                                     their line and skipped; re-importing the same file is a no-op.
  hssk bhyt import <file> [--map canonical=Header,...]
                                     import a BHYT card list (insurance agency export; CSV UTF-8/UTF-16 or
                                     XLSX): ma_the, gt_the_tu, gt_the_den, ma_dkbd, ngay_du_lieu (common
                                     Vietnamese headers recognised). Each card updates the person with that
                                     social-insurance number when its date is the latest seen (XML0/XML1
                                     episodes count too); history kept; bad rows reported with their line
  hssk staff create --username U --role ROLE [--name "Full name"] [--facility C] [--unit CODE]
                                     create a staff account; prints a one-time password (changed at
                                     first login). ROLE: system_admin, health_officer (--unit),
                                     facility_admin, clinician, receptionist, station_head, station_clinician,
                                     station_nurse, population_collaborator (--facility)
  hssk staff reset --username U [--clear-totp]
                                     new one-time password (forces a change at next login) and ends the
                                     account's sessions; --clear-totp also removes its TOTP (lost phone)
  hssk staff disable --username U [--reason TEXT]
                                     the account can no longer log in; its sessions end at once
  hssk staff enable --username U     lets a disabled account log in again
  hssk staff demo                    demo staff of the demo district (password "demo-Staff1")
  hssk reports weekly [--week YYYY-MM-DD] [--unit CODE] [--out FILE.xlsx]
                                     the weekly Đề án 06 progress table (week Friday–Thursday, cut at Thursday
                                     15:00 Viet Nam time): stores the week's snapshot if not stored yet, prints
                                     it and writes it as XLSX; default week: the last one whose Thursday 15:00 passed
  hssk mpi link                      relink all source records (imports and KCB episode patients)
  hssk immunization import <file> [--source SYSTEM] [--map canonical=Header,...]
                                     import an immunization-system export (one row per dose; CSV UTF-8/UTF-16
                                     or XLSX): each row's person is placed by the MPI, the dose stored once per
                                     (source, source_id); duplicates of one dose from two sources (same person,
                                     antigen, ±1 day) are linked; bad rows reported with line and reason;
                                     re-importing is a no-op. Columns: source_id, ma_doi_tuong, ho_ten, ngay_sinh,
                                     gioi_tinh, so_cccd, so_bhyt, so_dien_thoai, dia_chi, ma_xa, ma_vac_xin|ten_vac_xin,
                                     mui_so, ngay_tiem, ma_co_so, so_lo, duong_tiem, vi_tri_tiem, phan_ung
                                     (common Vietnamese headers are recognised); --source default TIEMCHUNG
  hssk immunization verify <certificate|link|file|-> [--jwks FILE]
                                     check a vaccination certificate offline against a saved copy of
                                     /.well-known/jwks.json (or this server's key store); exit 1 if not valid
  hssk immunization rotate-key       new certificate signing key (earlier keys stay published); restart servers
  hssk import xml130 <file|dir>... [--facility CODE] [--journal FILE]
                                     submit GIAMDINHHS envelope files (*.xml, folders walked) through ingest;
                                     resumable: finished files are listed by SHA-256 in .hssk-import-journal.json
                                     (working dir) and skipped, and a re-sent identical file returns its receipt.
                                     Exit 1 only for read errors or when every file failed.
  hssk warehouse extract --out DIR [--since ISO] [--until ISO]
                                     incremental extract for the Ministry's warehouse: every FHIR resource
                                     changed in [since, until) as NDJSON in DIR/<until>/<Type>.ndjson with a
                                     manifest; without --since it continues from the last extract (5 min
                                     overlap); counts logged in warehouse_extract
  hssk warehouse reconcile [--id N]  compare an extract's files, its logged counts and the source over the
                                     same window; exit 1 on a mismatch. hssk warehouse list: the extracts
  hssk mpi export --out FILE.csv     write source_system,source_id,person_id for every source record
                                     (rows rejected at import are not source records: not exported)
  hssk audit verify [--page-size N]  recompute the hash chain of the access log (audit_event); prints the
                                     first broken link (row id, what differs) and exits 1 if there is one
  hssk backup --out FILE [--passphrase-file F]
                                     write the whole database (every table, sequences) to ONE encrypted file
                                     (gzip + AES-256-GCM, key from the passphrase with scrypt); a consistent
                                     snapshot, PostgreSQL may keep serving; stop the server first on PGlite
  hssk restore FILE [--passphrase-file F] [--verify-only]
                                     restore into an EMPTY database (refused otherwise): migrates it to the
                                     backup's schema, restores and verifies every table, then applies newer
                                     migrations; --verify-only checks the file without touching a database.
                                     Passphrase: --passphrase-file, HSSK_BACKUP_PASSPHRASE or a prompt (never an argument)

Database: DATABASE_URL (PostgreSQL) or embedded PGlite in HSSK_DATA_DIR (default ./data).`;

async function withDb<T>(fn: (h: DatabaseHandle) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const h = await openDatabase({ url: config.databaseUrl, dataDir: `${config.dataDir}/pglite` });
  wireIdentityFollowers();
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
      if (sub === 'purge') {
        const { purgeDemo } = await import('../demo/index.ts');
        const config = loadConfig();
        await withDb(async (h) => {
          try {
            const r = await purgeDemo(h.db, { credentialsFile: `${config.dataDir}/demo-facility-credentials.json`, log: (m) => console.log(m) });
            if (!r.purged) return console.log('Không có dữ liệu mẫu. / No demo data in this database.');
            const rows = Object.entries(r.deleted).filter(([, n]) => n > 0).map(([t, n]) => `${t} ${n}`).join(', ');
            console.log(`Đã xóa dữ liệu mẫu. / Demo data purged: ${rows}.`);
            if (r.files.length) console.log(`Files removed: ${r.files.join(', ')}`);
            if (r.keptUnits.length) console.log(`Administrative units kept (used by real data): ${r.keptUnits.join(', ')}`);
            if (r.realPersonsTouched) console.log(`${r.realPersonsTouched} real persons lost demo records: run "hssk mpi link" to recompute their golden records.`);
          } catch (e) {
            const reasons = (e as { extra?: { reasons?: Array<{ code: string; message_vi: string; message_en: string; count: number; examples: string[] }> } }).extra?.reasons;
            if (!reasons) throw e;
            const err = e as { message_vi: string; message: string };
            console.error(`${err.message_vi} | ${err.message}`);
            for (const x of reasons) console.error(`[${x.code}] ${x.message_vi} | ${x.message_en}: ${x.count} (${x.examples.join('; ')})`);
            process.exitCode = 1;
          }
        });
        return;
      }
      if (loadConfig().production) {
        throw new Error('HSSK_ENV=production: không tạo dữ liệu mẫu / the demo district is not created in production');
      }
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
        options: { code: { type: 'string' }, name: { type: 'string' }, 'test-mode': { type: 'boolean' }, file: { type: 'string' }, fingerprint: { type: 'string' }, reason: { type: 'string' } },
      });
      const { addCertificate, createFacility, getFacility, issueCredential, loadTrustAnchors, revokeCertificate } = await import('../facility/index.ts');
      const cliActor = { type: 'system' as const, id: 'hssk-cli', name: process.env.USER ? `hssk CLI (${process.env.USER})` : 'hssk CLI' };
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
          const caDir = loadConfig().trustedCaDir;
          const c = await addCertificate(h.db, values.code!, readFileSync(values.file), { actor: cliActor, anchors: caDir ? loadTrustAnchors(caDir) : undefined });
          console.log(`Certificate registered for ${values.code}: ${c.subject}\nSHA-256 ${c.fingerprint256}\nvalid ${c.notBefore.toISOString()} – ${c.notAfter.toISOString()}\nstatus ${c.status}`);
        } else if (sub === 'cert-revoke') {
          if (!values.fingerprint) throw new Error('--fingerprint is required');
          const r = await revokeCertificate(h.db, values.code!, values.fingerprint, { actor: cliActor, reason: values.reason });
          console.log(`Certificate revoked for ${values.code}: ${r.subject}\nSHA-256 ${r.fingerprint256}\nrevoked ${r.revoked_at?.toISOString()}`);
        } else throw new Error(`unknown facility command: ${sub}`);
      });
      return;
    }
    case 'staff': {
      const { values } = parseArgs({
        args: rest,
        options: {
          username: { type: 'string' },
          role: { type: 'string' },
          name: { type: 'string' },
          facility: { type: 'string' },
          unit: { type: 'string' },
          'clear-totp': { type: 'boolean' },
          reason: { type: 'string' },
        },
      });
      const { CLI_ACTOR, createStaff, resetPassword, setStaffDisabled, staffDb } = await import('../staff/index.ts');
      await withDb(async (h) => {
        if (sub === 'create') {
          if (!values.username || !values.role) throw new Error('--username and --role are required');
          const r = await createStaff(
            h.db,
            {
              username: values.username,
              fullName: values.name ?? values.username,
              role: values.role as import('../staff/index.ts').StaffRole,
              facilityCode: values.facility,
              adminUnitCode: values.unit,
            },
            { actor: CLI_ACTOR },
          );
          console.log(`Staff ${values.username} created.\npassword=${r.password}\n(shown only once; must be changed at first login)`);
        } else if (sub === 'reset') {
          const acc = await staffDb(h.db).selectFrom('staff_account').select('id').where('username', '=', (values.username ?? '').toLowerCase()).executeTakeFirst();
          if (!acc) throw new Error(`no staff account ${values.username}`);
          const clearTotp = values['clear-totp'] ?? false;
          console.log(`password=${await resetPassword(h.db, acc.id, { clearTotp, by: { actor: CLI_ACTOR } })}\n(shown only once; must be changed at next login)${clearTotp ? '\nTOTP removed.' : ''}`);
        } else if (sub === 'disable' || sub === 'enable') {
          const acc = await staffDb(h.db).selectFrom('staff_account').select('id').where('username', '=', (values.username ?? '').toLowerCase()).executeTakeFirst();
          if (!acc) throw new Error(`no staff account ${values.username}`);
          const changed = await setStaffDisabled(h.db, acc.id, sub === 'disable', { actor: CLI_ACTOR, reason: values.reason });
          console.log(`Staff ${values.username} ${sub === 'disable' ? 'disabled; its sessions are ended' : 'enabled'}${changed ? '' : ' (it already was)'}.`);
        } else if (sub === 'demo') {
          if (loadConfig().production) throw new Error('HSSK_ENV=production: không tạo nhân viên mẫu / no demo staff in production');
          const { ensureDemoStaff } = await import('../demo/index.ts');
          await ensureDemoStaff(h.db, (m) => console.log(m));
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
    case 'audit': {
      const { runAuditCli } = await import('../audit/index.ts');
      process.exitCode = await withDb((h) => runAuditCli(h.db, sub, rest));
      return;
    }
    case 'backup':
    case 'restore': {
      // Not withDb: a backup must not migrate its source, and restore migrates its target itself.
      const { runBackupCommand } = await import('../backup/index.ts');
      await runBackupCommand(cmd, [sub ?? '', ...rest].filter(Boolean));
      return;
    }
    case 'keys': {
      if (sub !== 'rotate') throw new Error('usage: hssk keys rotate');
      const { rotateServerKeys } = await import('../auth/index.ts');
      const config = loadConfig();
      await withDb(async (h) => {
        const r = await rotateServerKeys(h.db, config);
        console.log(
          `New facility-token key ${r.facilityTokenKid} (${r.storage}); ${r.retiredStillAccepted} previous key(s) accepted until their tokens expire ` +
            `(HSSK_FACILITY_TOKEN_TTL ${config.facilityTokenTtlSeconds} s); ${r.idpCookieKeys} dev IdP cookie keys. Restart every server now.`,
        );
      });
      return;
    }
    case 'mpi': {
      const { runMpi } = await import('../mpi/index.ts');
      await withDb((h) => runMpi(h.db, sub, rest));
      return;
    }
    case 'bhyt': {
      const { runBhyt } = await import('../bhyt/index.ts');
      await withDb(async (h) => {
        process.exitCode = await runBhyt(h.db, sub, rest);
      });
      return;
    }
    case 'warehouse': {
      const { runWarehouse } = await import('../warehouse/index.ts');
      const { exportDir } = await import('../fhir/index.ts');
      const config = loadConfig();
      await withDb(async (h) => {
        process.exitCode = await runWarehouse(h.db, sub, rest, exportDir(config.dataDir));
        });
        return;
      }
    case 'reports': {
      const { runReportsCli } = await import('../reports/index.ts');
      await withDb(async (h) => {
        process.exitCode = await runReportsCli(h.db, sub, rest);
      });
      return;
    }
    case 'immunization': {
      const { runImmunization } = await import('../immunization/index.ts');
      process.exitCode = await runImmunization(sub, rest, (fn) => withDb((h) => fn(h.db)), loadConfig());
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
