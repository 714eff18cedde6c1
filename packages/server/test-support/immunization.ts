import { matchProduct } from '@openhssk/core/immunization';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { Db } from '../src/db/index.ts';
import { type NewPerson, upsertPersons } from '../src/person/index.ts';
import { staffSession } from './staff.ts';

/** The immunization tests' communes and their districts (province 51 Quảng Ngãi). */
export const IMM_COMMUNES = { '21556': '528', '21557': '528', '21559': '529' } as const;

/** A deterministic generator in [0, 1): the same persons and doses on every run and both databases. */
export function seededRandom(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
}

export interface GeneratedDose {
  person_id: string;
  given_on: string;
  /** A product name matchProduct knows ('VGB', 'DPT-VGB-Hib', …). */
  vaccine: string;
}

/**
 * Province 51 with districts 528 and 529, the three communes of IMM_COMMUNES, the station 51242 of
 * commune 21556, the given persons and their doses (source 'TEST', record ids T0, T1, …), and the
 * sessions of a provincial officer, an officer of district 529 and the station's nurse.
 */
export async function seedImmunizationProvince(
  app: FastifyInstance,
  db: Db,
  persons: readonly NewPerson[],
  doses: readonly GeneratedDose[],
): Promise<Record<'officer51' | 'officer529' | 'nurse', string>> {
  await db.insertInto('admin_unit').values([
    { code: '51', level: 'province', name: 'Quảng Ngãi', parent_code: null, valid_from: null, valid_to: null },
    { code: '528', level: 'district', name: 'Tư Nghĩa', parent_code: '51', valid_from: null, valid_to: null },
    { code: '529', level: 'district', name: 'Mộ Đức', parent_code: '51', valid_from: null, valid_to: null },
    ...Object.entries(IMM_COMMUNES).map(([code, parent]) => ({ code, level: 'commune' as const, name: `xã ${code}`, parent_code: parent, valid_from: null, valid_to: null })),
  ]).execute();
  await db.insertInto('facility').values([{ code: '51242', name: 'Trạm Y tế xã 21556', level: 'xã', admin_unit_code: '21556' }]).execute();
  await upsertPersons(db, persons);
  const rows = doses.map((d, i) => ({ p: d.person_id, v: d.vaccine, a: [...matchProduct(d.vaccine)!.antigens], g: d.given_on, id: `T${i}` }));
  await sql`insert into vaccination (person_id, vaccine_name, vaccine_code, product_id, antigens, given_on, source, source_record_id)
    select x.p, x.v, x.v, x.v, x.a, x.g::date, 'TEST', x.id from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) as x(p text, v text, a text[], g text, id text)`.execute(db);
  const cookies = { officer51: '', officer529: '', nurse: '' };
  for (const [u, role, extra] of [
    ['officer51', 'health_officer', { adminUnitCode: '51' }],
    ['officer529', 'health_officer', { adminUnitCode: '529' }],
    ['nurse', 'station_nurse', { facilityCode: '51242' }],
  ] as const) {
    cookies[u] = (await staffSession(app, db, { username: u, fullName: `Nhân viên ${u}`, role, ...extra })).cookie;
  }
  return cookies;
}
