import { DomainError } from '@openhssk/core';
import { normalizePhone } from '@openhssk/core/mpi';
import type { Db } from '../db/index.ts';
import { bookDb } from './tables.ts';

/**
 * Phone and current address as the citizen keeps them in the book: a declared value beside the
 * registry's (person.so_dien_thoai, person.dia_chi), which stays as the population list gave it. The
 * newest declaration is current; earlier ones stay as history.
 */
export interface DeclaredContact {
  so_dien_thoai: string | null;
  dia_chi: string | null;
  declared_at: Date | string;
}

export const ADDRESS_MIN = 10;
export const ADDRESS_MAX = 300;

/** What the citizen typed, checked and normalized; empty means "no declared value" (the registry's stands). */
export function validateContact(input: { so_dien_thoai: string | null; dia_chi: string | null }) {
  const phoneText = input.so_dien_thoai?.trim() ?? '';
  const address = (input.dia_chi ?? '').trim().replace(/\s+/g, ' ');
  const phone = phoneText === '' ? null : normalizePhone(phoneText);
  if (phone === undefined) {
    throw new DomainError(
      'invalid',
      'CONTACT_PHONE_INVALID',
      'Số điện thoại không hợp lệ: nhập số Việt Nam gồm 10 chữ số bắt đầu bằng 0 (ví dụ 0912 345 678) hoặc dạng +84.',
      'Not a Vietnamese phone number: 10 digits starting with 0 (e.g. 0912 345 678) or +84.',
      { field: 'so_dien_thoai' },
    );
  }
  if (address !== '' && (address.length < ADDRESS_MIN || address.length > ADDRESS_MAX || !/\p{L}/u.test(address))) {
    throw new DomainError(
      'invalid',
      'CONTACT_ADDRESS_INVALID',
      `Địa chỉ chưa đúng: ghi số nhà hoặc thôn/xóm, xã/phường, tỉnh/thành phố (từ ${ADDRESS_MIN} đến ${ADDRESS_MAX} ký tự).`,
      `Address must name the house or hamlet, commune and province (${ADDRESS_MIN}–${ADDRESS_MAX} characters).`,
      { field: 'dia_chi' },
    );
  }
  return { so_dien_thoai: phone, dia_chi: address === '' ? null : address };
}

export async function declaredContact(db: Db, personId: string): Promise<DeclaredContact | null> {
  const row = await bookDb(db)
    .selectFrom('citizen_contact')
    .select(['so_dien_thoai', 'dia_chi', 'declared_at'])
    .where('person_id', '=', personId)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ?? null;
}

/**
 * Records a new declaration when it differs from the current one; returns the current declaration
 * and which fields changed (none: nothing written).
 */
export async function declareContact(db: Db, personId: string, declaredBy: string, input: { so_dien_thoai: string | null; dia_chi: string | null }) {
  const value = validateContact(input);
  const current = await declaredContact(db, personId);
  const changed = (['so_dien_thoai', 'dia_chi'] as const).filter((k) => (current?.[k] ?? null) !== value[k]);
  if (changed.length === 0) return { declared: current, changed };
  const row = await bookDb(db)
    .insertInto('citizen_contact')
    .values({ person_id: personId, ...value, declared_by: declaredBy })
    .returning(['so_dien_thoai', 'dia_chi', 'declared_at'])
    .executeTakeFirstOrThrow();
  return { declared: row, changed };
}
