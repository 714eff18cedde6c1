import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isoDay } from '@openhssk/core';
import { createDistrict, generateEpisodes, generateResidents, type Resident, type SynthEpisode } from '@openhssk/core/synth';
import { buildEnvelope } from '@openhssk/core/xml130';
import { createTestCertificate, signEnvelope } from '@openhssk/core/xmldsig';
import { sql } from 'kysely';
import { loadOrCreateState, upsertDevAccount } from '../auth/index.ts';
import type { Db } from '../db/index.ts';
import { addCertificate, createFacility, issueCredential } from '../facility/index.ts';
import { ingestEnvelope } from '../ingest/index.ts';
import { importFile, relinkAll } from '../mpi/index.ts';
import { addRelations, updatePersonCards } from '../person/index.ts';
import { refreshReports } from '../reports/index.ts';
import { seedDemoStaff } from '../staff/index.ts';
import { markDemo, markDemoPersons } from './markers.ts';
import { registryCsv } from './registry-csv.ts';

export interface DemoOptions {
  persons: number;
  episodes?: number | undefined;
  seed?: number | undefined;
  force?: boolean | undefined;
  /** Where the demo facility credentials are written (never committed). */
  credentialsFile?: string | undefined;
  log?: (message: string) => void;
}

export const DEMO_PASSWORD = 'demo';
const ENVELOPE_SIZE = 100;

const isoBirth = (r: Resident) =>
  r.birthMonth === 0 ? String(r.birthYear) : `${r.birthYear}-${String(r.birthMonth).padStart(2, '0')}-${String(r.birthDay).padStart(2, '0')}`;

/**
 * Builds the synthetic district once: facilities with credentials and signing certificates,
 * the population list, and a year of episodes that enter through the real ingest path
 * (built as XML 130 envelopes, signed, verified, validated, stored).
 */
export async function ensureDemoData(db: Db, opts: DemoOptions): Promise<void> {
  const log = opts.log ?? (() => {});
  const marker = await db.selectFrom('app_state').select('value').where('key', '=', 'demo_seeded').executeTakeFirst();
  if (marker && !opts.force) return;
  const seed = opts.seed ?? 2026;
  const t0 = Date.now();
  const district = createDistrict();
  log(`Demo: creating district ${district.name}, ${opts.persons} residents…`);

  const units = await db
    .insertInto('admin_unit')
    .values([
      { code: district.provinceCode, level: 'province', name: district.provinceName, parent_code: null, valid_from: null, valid_to: null },
      { code: district.code, level: 'district', name: district.name, parent_code: district.provinceCode, valid_from: null, valid_to: '2025-06-30' },
      ...district.communes.map((c) => ({ code: c.code, level: 'commune' as const, name: `${c.kind} ${c.name}`, parent_code: district.code, valid_from: null, valid_to: null })),
    ])
    .onConflict((oc) => oc.doNothing())
    .returning('code')
    .execute();
  // Every object is marked as soon as it exists, so an interrupted seed can still be purged.
  // Units that were already there are reference data of the deployment, not the demo's.
  await markDemo(db, 'admin_unit', units.map((u) => u.code));

  const credentials: Record<string, { client_id: string; client_secret: string }> = {};
  const signers = new Map<string, { keyPem: string; certPem: string }>();
  for (const f of district.facilities) {
    const exists = await db.selectFrom('facility').select('code').where('code', '=', f.code).executeTakeFirst();
    if (!exists) {
      const inDistrict = district.communes.some((c) => c.code === f.communeCode);
      await createFacility(db, {
        code: f.code,
        name: f.name,
        level: f.adminLevel,
        adminUnitCode: inDistrict ? f.communeCode : district.code,
        bhytContract: f.bhytContract,
      });
      await markDemo(db, 'facility', [f.code]);
    }
    const signer = await loadOrCreateState(db, `demo_signer_${f.code}`, () => createTestCertificate({ commonName: f.name, organization: f.code }));
    await markDemo(db, 'app_state', [`demo_signer_${f.code}`]);
    signers.set(f.code, { keyPem: signer.privateKeyPem, certPem: signer.certPem });
    await addCertificate(db, f.code, signer.certPem);
    const c = await issueCredential(db, f.code);
    credentials[f.code] = { client_id: c.clientId, client_secret: c.clientSecret };
  }
  if (opts.credentialsFile) {
    mkdirSync(new URL('.', `file://${opts.credentialsFile}`).pathname, { recursive: true });
    writeFileSync(opts.credentialsFile, JSON.stringify(credentials, null, 2), { mode: 0o600 });
    await markDemo(db, 'file', [resolve(opts.credentialsFile)]);
  }

  const residents = generateResidents({ seed, persons: opts.persons, district });
  // The population list enters like any registry export: a MIS2022 CSV through the MPI import.
  const workDir = mkdtempSync(join(tmpdir(), 'hssk-demo-'));
  const csvPath = join(workDir, 'MIS2022.csv');
  writeFileSync(csvPath, registryCsv(residents));
  const imported = await importFile(db, csvPath, { sourceSystem: 'MIS2022' });
  rmSync(workDir, { recursive: true, force: true });
  await markDemo(db, 'mpi_import', [imported.importId]);
  let counter = 0;
  // Deterministic person ids keep demo URLs and logins stable between fresh installs.
  const newId = () => `P${String(++counter).padStart(9, '0')}`;
  await relinkAll(db, { newId });
  const personOf = new Map(
    (await db.selectFrom('source_record').select(['source_id', 'person_id']).where('source_system', '=', 'MIS2022').execute()).map((r) => [r.source_id, r.person_id]),
  );
  // Card validity and registered facility come with the BHXH card list, not the population registry.
  const cards = residents.flatMap((r) => {
    const personId = personOf.get(r.id);
    return r.bhyt && personId
      ? [{ id: personId, bhyt_valid_from: isoDay(r.bhyt.validFrom), bhyt_valid_to: isoDay(r.bhyt.validTo), bhyt_facility_code: r.bhyt.registeredFacility }]
      : [];
  });
  await updatePersonCards(db, cards);
  const relations = residents.flatMap((r) =>
    [r.fatherIndex, r.motherIndex, r.guardianIndex]
      .filter((i): i is number => i !== undefined)
      .map((i) => ({
        person_id: personOf.get(r.id) ?? '',
        related_person_id: personOf.get(residents[i]!.id) ?? '',
        relation: (i === r.guardianIndex ? 'guardian' : 'parent') as 'parent' | 'guardian',
        source: 'demo',
      }))
      .filter((x) => x.person_id && x.related_person_id && x.person_id !== x.related_person_id),
  );
  await addRelations(db, relations);
  log(`Demo: ${imported.accepted} registry rows imported, ${personOf.size} linked, ${relations.length} family relations (${Date.now() - t0} ms).`);

  const to = new Date();
  const from = new Date(to.getTime() - 365 * 86_400_000);
  const episodeCount = opts.episodes ?? Math.max(20_000, opts.persons * 4);
  const featured = featuredCitizens(residents);
  const episodes = generateEpisodes({ seed, residents, facilities: district.facilities, from, to, count: episodeCount, regulars: featured.regulars.map((r) => r.index) });
  let sent = 0;
  let accepted = 0;
  let progress = 0;
  let analyzedAt = 0;
  for (const send of demoSends(episodes, to)) {
    // Planner statistics as the tables grow (PGlite runs no autovacuum): with empty-table estimates
    // the later envelopes scanned whole tables.
    if (sent >= Math.max(2000, analyzedAt * 2)) {
      await sql`analyze`.execute(db);
      analyzedAt = sent;
    }
    const signer = signers.get(send.facilityCode)!;
    const xml = buildEnvelope({ facilityCode: send.facilityCode, createdDate: send.createdDate, episodes: send.episodes.map((e) => e.tables) });
    const signed = signEnvelope(xml, signer.keyPem, signer.certPem);
    const { receipt } = await ingestEnvelope(db, {
      facilityCode: send.facilityCode,
      raw: Buffer.from(signed, 'utf8'),
      channel: 'demo',
      receivedAt: send.at,
      episodeArrivals: send.arrivals,
    });
    sent += send.episodes.length;
    accepted += receipt.counts.accepted + receipt.counts.accepted_with_warnings;
    if (sent - progress >= 2000) {
      progress = sent;
      log(`Demo: ${sent}/${episodes.length} episodes ingested…`);
    }
  }
  log(`Demo: ${accepted}/${sent} episodes accepted through ingest (${Math.round((Date.now() - t0) / 1000)} s).`);
  // Planner statistics after the bulk load: PGlite runs no autovacuum, and without them the
  // report aggregation picked nested loops (53 s instead of 0.9 s for this district).
  await sql`analyze`.execute(db);
  // Patients the facilities sent without a usable CCCD/BHXH number are resolved by the MPI.
  const relinked = await relinkAll(db, { newId });
  log(`Demo: MPI relinked ${relinked.records} records into ${relinked.persons} persons (${relinked.reviews} pairs for review) (${Math.round((Date.now() - t0) / 1000)} s).`);

  await seedDemoCitizens(db, featured, log);
  await ensureDemoStaff(db, log);
  await markDemoPersons(db);
  // The dashboard should show the demo district at once, not after the first timed refresh.
  await refreshReports(db, { holdbackSeconds: 0 });
  log(`Demo: report summaries built (${Math.round((Date.now() - t0) / 1000)} s).`);
  await db
    .insertInto('app_state')
    .values({ key: 'demo_seeded', value: JSON.stringify({ seed, persons: opts.persons, episodes: sent, at: new Date().toISOString() }) })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: JSON.stringify({ seed, persons: opts.persons, episodes: sent }) }))
    .execute();
  await markDemo(db, 'app_state', ['demo_seeded']);
}

/** The demo staff (`hssk staff demo` too), marked as demo objects. */
export async function ensureDemoStaff(db: Db, log: (m: string) => void = () => {}): Promise<void> {
  const before = new Set((await sql<{ id: string }>`select id from staff_account`.execute(db)).rows.map((r) => r.id));
  await seedDemoStaff(db, log);
  // Only the accounts created now: a deployment's own account of the same name is not the demo's.
  const after = (await sql<{ id: string }>`select id from staff_account`.execute(db)).rows.map((r) => r.id);
  await markDemo(db, 'staff_account', after.filter((id) => !before.has(id)));
}

export interface FeaturedCitizens {
  /** Adults who come back every month for a chronic condition: a full book to look at. */
  regulars: Resident[];
  /** A parent of children under 14 (child mode). */
  parent: Resident | undefined;
  /** An account at identity level 1, which the book refuses. */
  level1: Resident | undefined;
}

/**
 * The demo's citizen accounts, chosen from the population alone (never from the episodes, which
 * depend on the day the demo is generated), so the README's logins hold for every install.
 */
export function featuredCitizens(residents: ReadonlyArray<Resident>): FeaturedCitizens {
  const adult = (r: Resident) => r.cccd !== undefined && r.bhyt !== undefined && r.birthYear >= 1950 && r.birthYear <= 1975;
  const regulars = [residents.find((r) => adult(r) && r.sex === 'male'), residents.find((r) => adult(r) && r.sex === 'female')]
    .filter((r): r is Resident => r !== undefined);
  const third = residents.find((r) => adult(r) && !regulars.includes(r));
  if (third) regulars.push(third);
  const parent = residents.find((r) => r.cccd && !regulars.includes(r) && residents.some((c) => (c.fatherIndex === r.index || c.motherIndex === r.index) && c.birthYear >= 2014));
  const level1 = residents.find((r) => r.cccd && !regulars.includes(r) && r !== parent && r.birthYear < 2000);
  return { regulars, parent, level1 };
}

/** One envelope of the replay: its episodes, when each reached the platform, and the envelope's own time. */
interface DemoSend {
  facilityCode: string;
  at: Date;
  createdDate: string;
  episodes: SynthEpisode[];
  arrivals: Map<string, Date>;
}

const VN_OFFSET_MS = 7 * 3_600_000;
/** A stable value in [0, 1) per text key: the same schedule on every install. */
const unit = (key: string) => {
  let h = 2166136261;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 16777619);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  return ((h ^ (h >>> 12)) >>> 0) / 4294967296;
};

/**
 * The year as the facilities lived it: each HIS sends, between 20:00 and 23:00, the episodes that
 * ended since its last send; now and then (1 day in 25) the send fails and goes out one to three
 * days later, as after a network outage. Nothing arrives after `now`.
 *
 * Replaying ~4,000 evening envelopes through ingest took minutes on the embedded database (each
 * envelope is one transaction of a dozen statements), so a facility's month of evenings travels in
 * one envelope (at most ENVELOPE_SIZE episodes), every episode stamped with its own evening.
 */
export function demoSends(episodes: ReadonlyArray<SynthEpisode>, now: Date): DemoSend[] {
  const byKey = new Map<string, DemoSend>();
  for (const e of episodes) {
    const ra = e.tables.XML1[0]!.NGAY_RA!;
    // Viet Nam wall-clock of the discharge, as a UTC-labelled time to do calendar sums on.
    const wall = Date.UTC(Number(ra.slice(0, 4)), Number(ra.slice(4, 6)) - 1, Number(ra.slice(6, 8)), Number(ra.slice(8, 10)), Number(ra.slice(10, 12)));
    let day = Math.floor(wall / 86_400_000);
    const sendMinute = (d: number) => 1200 + Math.floor(unit(`${e.facilityCode}|${d}`) * 180);
    if (wall >= day * 86_400_000 + sendMinute(day) * 60_000) day++;
    const late = unit(`late|${e.facilityCode}|${day}`) < 0.04 ? 1 + Math.floor(unit(`days|${e.facilityCode}|${day}`) * 3) : 0;
    const arrivalWall = Math.min((day + late) * 86_400_000 + sendMinute(day + late) * 60_000, now.getTime() + VN_OFFSET_MS);
    const month = new Date(arrivalWall).toISOString().slice(0, 7);
    const key = `${e.facilityCode}|${month}`;
    let send = byKey.get(key);
    if (!send) {
      send = { facilityCode: e.facilityCode, at: new Date(0), createdDate: '', episodes: [], arrivals: new Map() };
      byKey.set(key, send);
    }
    send.episodes.push(e);
    send.arrivals.set(e.maLk, new Date(arrivalWall - VN_OFFSET_MS));
  }
  const sends: DemoSend[] = [];
  for (const s of byKey.values()) {
    for (let i = 0; i < s.episodes.length; i += ENVELOPE_SIZE) {
      const part = s.episodes.slice(i, i + ENVELOPE_SIZE);
      const arrivals = new Map(part.map((e) => [e.maLk, s.arrivals.get(e.maLk)!]));
      const at = new Date(Math.max(...[...arrivals.values()].map((d) => d.getTime())));
      const createdDate = new Date(at.getTime() + VN_OFFSET_MS).toISOString().slice(0, 10).replace(/-/g, '');
      sends.push({ facilityCode: s.facilityCode, at, createdDate, episodes: part, arrivals });
    }
  }
  return sends.sort((a, b) => a.at.getTime() - b.at.getTime() || a.facilityCode.localeCompare(b.facilityCode));
}

/** Development identity-provider accounts for the featured residents. */
async function seedDemoCitizens(db: Db, featured: FeaturedCitizens, log: (m: string) => void) {
  const accounts: Array<{ r: Resident; level: number; note?: string }> = featured.regulars.map((r) => ({ r, level: 2 }));
  if (featured.parent) accounts.push({ r: featured.parent, level: 2, note: 'cha/mẹ của trẻ dưới 14 tuổi' });
  if (featured.level1) accounts.push({ r: featured.level1, level: 1, note: 'sổ sức khỏe cần định danh mức 2' });
  await markDemo(db, 'dev_idp_account', accounts.map(({ r }) => r.cccd!));
  await markDemo(db, 'app_state', ['demo_citizens']);
  for (const { r, level } of accounts) {
    await upsertDevAccount(db, {
      personalId: r.cccd!,
      password: DEMO_PASSWORD,
      identityLevel: level,
      hoTen: r.fullName,
      ngaySinh: isoBirth(r),
      gioiTinh: r.sex,
    });
  }
  const listed = JSON.stringify(accounts.map(({ r, level, note }) => ({ personal_id: r.cccd, name: r.fullName, level, note })));
  await db
    .insertInto('app_state')
    .values({ key: 'demo_citizens', value: listed })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value: listed }))
    .execute();
  log(`Demo citizens (password "${DEMO_PASSWORD}"): ${accounts.map(({ r, level, note }) => `${r.fullName} ${r.cccd} (mức ${level}${note ? `; ${note}` : ''})`).join('; ')}`);
}
