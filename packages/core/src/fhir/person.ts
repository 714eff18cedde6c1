/**
 * The golden record of a person (MPI) as Patient, its health-insurance card as Coverage, and a
 * registered facility as Organization.
 */
import type { Coverage, HumanName, Identifier, Organization, Patient } from '@medplum/fhirtypes';
import { parseBhyt } from '../identifiers/bhyt.ts';
import type { FacilityRecord, PersonRecord } from './model.ts';
import { facilityByCode } from './model.ts';
import { EXT, SID } from './systems.ts';
import { birthDateToFhir, instantToFhir } from './time.ts';

const GENDER: Readonly<Record<number, Patient['gender']>> = { 1: 'male', 2: 'female', 3: 'unknown' };

/** Vietnamese order: family name first, then middle and given names (kept together as `given`). */
export function vietnameseName(full: string): HumanName {
  const words = full.trim().split(/\s+/).filter(Boolean);
  return { use: 'official', text: words.join(' '), ...(words.length ? { family: words[0] } : {}), ...(words.length > 1 ? { given: words.slice(1) } : {}) };
}

const period = (from: string | null, to: string | null) => (from || to ? { period: { ...(from ? { start: from } : {}), ...(to ? { end: to } : {}) } } : {});

export function patientResource(p: PersonRecord): Patient {
  const identifier: Identifier[] = [];
  if (p.so_cccd) identifier.push({ use: 'official', type: { text: 'Số định danh cá nhân' }, system: SID.cccd, value: p.so_cccd });
  if (p.so_bhyt) identifier.push({ type: { text: 'Mã thẻ BHYT' }, system: SID.bhyt, value: p.so_bhyt, ...period(p.bhyt_valid_from, p.bhyt_valid_to) });
  if (p.bhxh) identifier.push({ type: { text: 'Mã số BHXH' }, system: SID.bhxh, value: p.bhxh });
  const birthDate = birthDateToFhir(p.ngay_sinh);
  const gender = p.gioi_tinh !== null ? GENDER[p.gioi_tinh] : undefined;
  return {
    resourceType: 'Patient',
    id: p.id,
    meta: { lastUpdated: instantToFhir(p.updated_at) },
    language: 'vi',
    ...(identifier.length ? { identifier } : {}),
    active: true,
    name: [vietnameseName(p.ho_ten)],
    ...(p.so_dien_thoai ? { telecom: [{ system: 'phone', value: p.so_dien_thoai }] } : {}),
    ...(gender ? { gender } : {}),
    ...(birthDate ? { birthDate } : {}),
    ...(p.dia_chi ? { address: [{ use: 'home', text: p.dia_chi, country: 'VN' }] } : {}),
    ...(p.bhyt_facility_code ? { generalPractitioner: [{ ...facilityByCode(p.bhyt_facility_code), display: 'Nơi đăng ký khám chữa bệnh ban đầu' }] } : {}),
  };
}

/** The BHYT card on the golden record (undefined when the person has none). Coverage id = person id. */
export function coverageResource(p: PersonRecord): Coverage | undefined {
  if (!p.so_bhyt) return undefined;
  const card = parseBhyt(p.so_bhyt);
  return {
    resourceType: 'Coverage',
    id: p.id,
    meta: { lastUpdated: instantToFhir(p.updated_at) },
    language: 'vi',
    identifier: [{ system: SID.bhyt, value: p.so_bhyt }],
    status: 'active',
    type: { coding: [{ system: EXT.actCode, code: 'PUBLICPOL', display: 'public healthcare' }], text: 'Bảo hiểm y tế' },
    subscriberId: p.so_bhyt,
    beneficiary: { reference: `Patient/${p.id}`, display: p.ho_ten },
    relationship: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/subscriber-relationship', code: 'self', display: 'Self' }] },
    ...period(p.bhyt_valid_from, p.bhyt_valid_to),
    payor: [{ display: 'Bảo hiểm xã hội Việt Nam' }],
    ...(card.ok
      ? {
          class: [
            { type: { coding: [{ system: EXT.coverageClass, code: 'group', display: 'Group' }] }, value: card.value.group, name: 'Mã đối tượng' },
            { type: { coding: [{ system: EXT.coverageClass, code: 'plan', display: 'Plan' }] }, value: String(card.value.benefitLevel), name: 'Mã quyền lợi' },
          ],
        }
      : {}),
  };
}

export function organizationResource(f: FacilityRecord): Organization {
  return {
    resourceType: 'Organization',
    id: f.code,
    language: 'vi',
    identifier: [{ use: 'official', system: SID.macskcb, value: f.code }],
    active: true,
    ...(f.level ? { type: [{ text: f.level }] } : {}),
    name: f.name,
    ...(f.admin_unit_name || f.admin_unit_code ? { address: [{ text: f.admin_unit_name ?? f.admin_unit_code ?? '', country: 'VN' }] } : {}),
  };
}
