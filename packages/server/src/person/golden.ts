import { randomBytes } from 'node:crypto';
import { searchKey } from '@openhssk/core';
import type { GoldenRecord, MpiRecord } from '@openhssk/core/mpi';
import { sql } from 'kysely';
import type { Db } from '../db/index.ts';
import { bulkInsert } from '../db/index.ts';
import { syncPersonIdentifiers } from './identifiers.ts';

/** `P` + 12 hex digits: short enough to read out on the phone, 2^48 values make collisions moot. */
export function newPersonId(): string {
  return `P${randomBytes(6).toString('hex').toUpperCase()}`;
}

/** dd/mm/yyyy | mm/yyyy | yyyy (golden display form) → the ISO-like form person.ngay_sinh stores. */
export function isoPartialDate(display: string | undefined): string | null {
  if (!display) return null;
  const p = display.split('/');
  if (p.length === 3) return `${p[2]}-${p[1]!.padStart(2, '0')}-${p[0]!.padStart(2, '0')}`;
  if (p.length === 2) return `${p[1]}-${p[0]!.padStart(2, '0')}`;
  return display;
}

const PERSON_COLUMNS = {
  id: 'text', ho_ten: 'text', name_key: 'text', ngay_sinh: 'text', birth_year: 'int', gioi_tinh: 'smallint', so_cccd: 'text',
  so_bhyt: 'text', bhxh: 'text', so_dien_thoai: 'text', dia_chi: 'text', ma_xa: 'text', ma_ho_gia_dinh: 'text',
  quality_flags: 'text[]',
} as const;

const PERSON_FIELDS = Object.keys(PERSON_COLUMNS).filter((c) => c !== 'id');
// Rewriting an unchanged person would only create dead tuples and bump updated_at.
// updated_at takes the new row's default (now()): Citus refuses a function call in DO UPDATE SET on a distributed table.
const PERSON_UPSERT = `on conflict (id) do update set
  ${PERSON_FIELDS.map((c) => `${c} = excluded.${c}`).join(', ')}, updated_at = excluded.updated_at
  where (${PERSON_FIELDS.map((c) => `person.${c}`).join(', ')}) is distinct from (${PERSON_FIELDS.map((c) => `excluded.${c}`).join(', ')})`;

export type GoldenRow = Record<keyof typeof PERSON_COLUMNS, unknown>;

/** The person row of a cluster: the golden record's fields plus the social-insurance number most members carry. */
export function personRow(id: string, g: GoldenRecord, members: readonly MpiRecord[]): GoldenRow {
  const f = g.fields;
  const ngaySinh = isoPartialDate(f.ngaySinh);
  // The golden card may be absent while a bare 10-digit social-insurance number is known.
  const bhxhVotes = new Map<string, number>();
  for (const r of members) if (r.bhxh) bhxhVotes.set(r.bhxh, (bhxhVotes.get(r.bhxh) ?? 0) + 1);
  let bhxh: string | null = null;
  let best = 0;
  for (const [v, n] of bhxhVotes) if (n > best) [bhxh, best] = [v, n];
  const hoTen = f.hoTen ?? members[0]!.name;
  return {
    id,
    ho_ten: hoTen,
    name_key: searchKey(hoTen),
    ngay_sinh: ngaySinh,
    birth_year: ngaySinh ? Number(ngaySinh.slice(0, 4)) : null,
    gioi_tinh: f.gioiTinh === 'Nam' ? 1 : f.gioiTinh === 'Nữ' ? 2 : null,
    so_cccd: f.soCccd ?? null,
    so_bhyt: f.soBhyt ?? null,
    bhxh,
    so_dien_thoai: f.soDienThoai ?? null,
    dia_chi: f.diaChi ?? null,
    ma_xa: f.maXa ?? null,
    ma_ho_gia_dinh: f.maHoGiaDinh ?? null,
    quality_flags: g.qualityFlags,
  };
}

/** Inserts or refreshes golden records built by personRow. */
export async function writeGoldenRecords(tx: Db, rows: readonly GoldenRow[]): Promise<void> {
  await bulkInsert(tx, 'person', PERSON_COLUMNS, rows, PERSON_UPSERT);
  await syncPersonIdentifiers(tx, rows.map((r) => String(r.id)));
}

/** A person known only by a name and perhaps an identifier, until records fill in the golden record. */
export interface MinimalPerson {
  id: string;
  ho_ten: string;
  so_cccd?: string | null | undefined;
  bhxh?: string | null | undefined;
  quality_flags?: readonly string[] | undefined;
}

const MINIMAL_COLUMNS = { id: 'text', ho_ten: 'text', name_key: 'text', so_cccd: 'text', bhxh: 'text', quality_flags: 'text[]' } as const;

/** Creates the persons that do not exist yet; an existing person keeps its golden record. */
export async function createPersons(tx: Db, persons: readonly MinimalPerson[]): Promise<void> {
  const rows = persons.map((p) => ({
    id: p.id,
    ho_ten: p.ho_ten,
    name_key: searchKey(p.ho_ten),
    so_cccd: p.so_cccd ?? null,
    bhxh: p.bhxh ?? null,
    // Explicit: a null would not fall back to the column default.
    quality_flags: p.quality_flags ?? [],
  }));
  await bulkInsert(tx, 'person', MINIMAL_COLUMNS, rows, 'on conflict (id) do nothing');
  await syncPersonIdentifiers(tx, rows.map((r) => r.id));
}

export interface FlagOptions {
  /** Only persons no source record points at (checked in the same statement, so a concurrent link wins). */
  onlyUnlinked?: boolean | undefined;
}

/** Sets or clears one quality flag; returns how many persons changed. */
export async function flagPersons(tx: Db, ids: readonly string[], flag: string, on: boolean, options: FlagOptions = {}): Promise<number> {
  if (ids.length === 0) return 0;
  const unlinked = options.onlyUnlinked ? sql`and not exists (select 1 from source_record sr where sr.person_id = p.id)` : sql``;
  const r = on
    ? await sql`update person p set quality_flags = array_append(p.quality_flags, ${flag}::text), updated_at = now()
        where p.id = any(${ids}::text[]) and not (${flag}::text = any(p.quality_flags)) ${unlinked}`.execute(tx)
    : await sql`update person p set quality_flags = array_remove(p.quality_flags, ${flag}::text), updated_at = now()
        where p.id = any(${ids}::text[]) and ${flag}::text = any(p.quality_flags) ${unlinked}`.execute(tx);
  return Number(r.numAffectedRows ?? 0);
}
