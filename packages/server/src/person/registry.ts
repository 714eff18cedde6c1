import { searchKey } from '@openhssk/core';
import { type Insertable, sql } from 'kysely';
import type { Db, Schema } from '../db/index.ts';
import { syncPersonIdentifiers } from './identifiers.ts';

export type NewPerson = Omit<Insertable<Schema['person']>, 'name_key'>;

const CHUNK = 500;

/** Inserts or refreshes golden records; the diacritic-free name key is derived here, once. */
export async function upsertPersons(db: Db, persons: readonly NewPerson[]): Promise<void> {
  // The identifier directory is derived in the same transaction (identifiers.ts).
  if (!db.isTransaction) return db.transaction().execute((tx) => upsertPersons(tx, persons));
  for (let i = 0; i < persons.length; i += CHUNK) {
    const values = persons.slice(i, i + CHUNK).map((p) => ({ ...p, name_key: searchKey(p.ho_ten) }));
    await db
      .insertInto('person')
      .values(values)
      .onConflict((oc) =>
        oc.column('id').doUpdateSet((eb) => ({
          ho_ten: eb.ref('excluded.ho_ten'),
          name_key: eb.ref('excluded.name_key'),
          ngay_sinh: eb.ref('excluded.ngay_sinh'),
          birth_year: eb.ref('excluded.birth_year'),
          gioi_tinh: eb.ref('excluded.gioi_tinh'),
          so_cccd: eb.ref('excluded.so_cccd'),
          so_bhyt: eb.ref('excluded.so_bhyt'),
          bhxh: eb.ref('excluded.bhxh'),
          bhyt_valid_from: eb.ref('excluded.bhyt_valid_from'),
          bhyt_valid_to: eb.ref('excluded.bhyt_valid_to'),
          bhyt_facility_code: eb.ref('excluded.bhyt_facility_code'),
          so_dien_thoai: eb.ref('excluded.so_dien_thoai'),
          dia_chi: eb.ref('excluded.dia_chi'),
          ma_xa: eb.ref('excluded.ma_xa'),
          ma_ho_gia_dinh: eb.ref('excluded.ma_ho_gia_dinh'),
          updated_at: new Date(),
        })),
      )
      .execute();
    await syncPersonIdentifiers(db, values.map((p) => p.id));
  }
}

export async function addRelations(db: Db, rows: ReadonlyArray<Insertable<Schema['person_relation']>>): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    await db
      .insertInto('person_relation')
      .values(rows.slice(i, i + CHUNK))
      .onConflict((oc) => oc.doNothing())
      .execute();
  }
}

export interface CardValidity {
  id: string;
  bhyt_valid_from: string | null;
  bhyt_valid_to: string | null;
  bhyt_facility_code: string | null;
  /** The card number when it changed (a re-issued card keeps the social-insurance number); absent = keep. */
  so_bhyt?: string | null;
}

/** Card number, validity and registered facility from the insurance card data (bhyt module, demo). */
export async function updatePersonCards(db: Db, cards: readonly CardValidity[]): Promise<void> {
  for (let i = 0; i < cards.length; i += CHUNK * 4) {
    const json = JSON.stringify(cards.slice(i, i + CHUNK * 4));
    await sql`update person p set bhyt_valid_from = x.bhyt_valid_from, bhyt_valid_to = x.bhyt_valid_to,
        bhyt_facility_code = x.bhyt_facility_code, so_bhyt = coalesce(x.so_bhyt, p.so_bhyt), updated_at = now()
      from jsonb_to_recordset(${json}::jsonb) as x(id text, bhyt_valid_from date, bhyt_valid_to date, bhyt_facility_code text, so_bhyt text)
      where p.id = x.id`.execute(db);
  }
}
