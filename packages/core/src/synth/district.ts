/**
 * One synthetic district of Quảng Ngãi (old province code 51). Names follow real places of the
 * area, but the commune and facility codes are made up for demos and tests: they are kept as data
 * so nothing else depends on them being the official GSO / BHXH codes.
 */
import type { PriceClass } from '../codes/services.ts';

export type CommuneKind = 'xã' | 'phường' | 'thị trấn';

export interface Commune {
  /** 5-digit commune/ward code (MAXA_CU_TRU). */
  code: string;
  name: string;
  kind: CommuneKind;
  /** Share of the district population (relative weight). */
  weight: number;
  /** Hamlets (thôn) or residential groups (tổ dân phố). */
  hamlets: ReadonlyArray<string>;
  /** Share of Hrê ethnic residents (mountain-edge communes). */
  minorityShare: number;
}

export type FacilityType =
  | 'provincial_hospital'
  | 'specialised_hospital'
  | 'district_centre'
  | 'polyclinic'
  | 'commune_station'
  | 'private_clinic';

export type AdminLevel = 'trung ương' | 'tỉnh' | 'huyện' | 'xã' | 'tư nhân';
export type TechnicalLevel = 'ban đầu' | 'cơ bản' | 'chuyên sâu';

export interface Facility {
  /** 5-digit MACSKCB. */
  code: string;
  name: string;
  type: FacilityType;
  adminLevel: AdminLevel;
  technicalLevel: TechnicalLevel;
  /** Price class for exam/bed tariffs. */
  priceClass: PriceClass;
  communeCode: string;
  /** Signed a health-insurance (BHYT) contract. */
  bhytContract: boolean;
  /** Accepts primary-care registrations (MA_DKBD on cards). */
  primaryCare: boolean;
  /** Has inpatient beds. */
  inpatient: boolean;
}

export interface District {
  provinceCode: string;
  provinceName: string;
  code: string;
  name: string;
  communes: ReadonlyArray<Commune>;
  facilities: ReadonlyArray<Facility>;
}

const thon = (n: number): string[] => Array.from({ length: n }, (_, i) => `Thôn ${i + 1}`);
const to = (n: number): string[] => Array.from({ length: n }, (_, i) => `Tổ dân phố ${i + 1}`);

const COMMUNES: ReadonlyArray<Commune> = [
  { code: '21550', name: 'La Hà', kind: 'thị trấn', weight: 12, hamlets: to(8), minorityShare: 0 },
  { code: '21553', name: 'Sông Vệ', kind: 'thị trấn', weight: 8, hamlets: to(6), minorityShare: 0 },
  { code: '21556', name: 'Nghĩa Kỳ', kind: 'xã', weight: 9, hamlets: ['Thôn An Hội Bắc', 'Thôn An Hội Nam', 'Thôn Phú Thọ', 'Thôn Thạch Bích', 'Thôn Trường Thọ'], minorityShare: 0 },
  { code: '21559', name: 'Nghĩa Thuận', kind: 'xã', weight: 6, hamlets: thon(6), minorityShare: 0.01 },
  { code: '21562', name: 'Nghĩa Thắng', kind: 'xã', weight: 6, hamlets: thon(7), minorityShare: 0 },
  { code: '21565', name: 'Nghĩa Sơn', kind: 'xã', weight: 4, hamlets: ['Thôn Hòa Bình', 'Thôn Đồng Cát', 'Thôn Trũng Kè 1', 'Thôn Trũng Kè 2'], minorityShare: 0.35 },
  { code: '21568', name: 'Nghĩa Lâm', kind: 'xã', weight: 4, hamlets: thon(5), minorityShare: 0.12 },
  { code: '21571', name: 'Nghĩa Thọ', kind: 'xã', weight: 3, hamlets: thon(4), minorityShare: 0.25 },
  { code: '21574', name: 'Nghĩa Điền', kind: 'xã', weight: 6, hamlets: thon(6), minorityShare: 0 },
  { code: '21577', name: 'Nghĩa Trung', kind: 'xã', weight: 8, hamlets: thon(7), minorityShare: 0 },
  { code: '21580', name: 'Nghĩa Hiệp', kind: 'xã', weight: 6, hamlets: ['Thôn Phú Sa', 'Thôn Vạn An', 'Thôn Hải Môn', 'Thôn Hiệp Phổ'], minorityShare: 0 },
  { code: '21583', name: 'Nghĩa Phương', kind: 'xã', weight: 5, hamlets: thon(5), minorityShare: 0 },
  { code: '21586', name: 'Nghĩa Mỹ', kind: 'xã', weight: 6, hamlets: ['Thôn Mỹ Hưng', 'Thôn Mỹ Thạnh', 'Thôn Năm Châu', 'Thôn Thanh Khiết'], minorityShare: 0 },
  { code: '21589', name: 'Nghĩa Hòa', kind: 'xã', weight: 7, hamlets: thon(6), minorityShare: 0 },
  { code: '21592', name: 'Nghĩa Điền Tây', kind: 'xã', weight: 3, hamlets: thon(4), minorityShare: 0.05 },
];

const F = (
  code: string, name: string, type: FacilityType, adminLevel: AdminLevel, technicalLevel: TechnicalLevel,
  priceClass: PriceClass, communeCode: string, bhytContract: boolean, primaryCare: boolean, inpatient: boolean,
): Facility => ({ code, name, type, adminLevel, technicalLevel, priceClass, communeCode, bhytContract, primaryCare, inpatient });

const FACILITIES: ReadonlyArray<Facility> = [
  // The provincial hospitals sit in the city, outside the district: commune codes of city wards.
  F('51001', 'Bệnh viện Đa khoa tỉnh Quảng Ngãi', 'provincial_hospital', 'tỉnh', 'chuyên sâu', 'I', '21502', true, false, true),
  F('51002', 'Bệnh viện Sản - Nhi tỉnh Quảng Ngãi', 'specialised_hospital', 'tỉnh', 'chuyên sâu', 'II', '21505', true, false, true),
  F('51003', 'Bệnh viện Lao và Bệnh phổi tỉnh Quảng Ngãi', 'specialised_hospital', 'tỉnh', 'chuyên sâu', 'II', '21508', true, false, true),
  F('51004', 'Bệnh viện Tâm thần tỉnh Quảng Ngãi', 'specialised_hospital', 'tỉnh', 'chuyên sâu', 'II', '21511', true, false, true),
  F('51040', 'Trung tâm Y tế huyện Tư Nghĩa', 'district_centre', 'huyện', 'cơ bản', 'III', '21550', true, true, true),
  F('51041', 'Phòng khám Đa khoa khu vực Sông Vệ', 'polyclinic', 'huyện', 'cơ bản', 'III', '21553', true, true, true),
  F('51242', 'Trạm Y tế xã Nghĩa Kỳ', 'commune_station', 'xã', 'ban đầu', 'IV', '21556', true, true, true),
  F('51243', 'Trạm Y tế xã Nghĩa Thuận', 'commune_station', 'xã', 'ban đầu', 'IV', '21559', true, true, true),
  F('51244', 'Trạm Y tế xã Nghĩa Thắng', 'commune_station', 'xã', 'ban đầu', 'IV', '21562', true, true, true),
  F('51245', 'Trạm Y tế xã Nghĩa Sơn', 'commune_station', 'xã', 'ban đầu', 'IV', '21565', true, true, true),
  F('51246', 'Trạm Y tế xã Nghĩa Trung', 'commune_station', 'xã', 'ban đầu', 'IV', '21577', true, true, true),
  F('51247', 'Trạm Y tế xã Nghĩa Hiệp', 'commune_station', 'xã', 'ban đầu', 'IV', '21580', true, true, true),
  F('51248', 'Trạm Y tế xã Nghĩa Hòa', 'commune_station', 'xã', 'ban đầu', 'IV', '21589', true, true, true),
  F('51601', 'Phòng khám Đa khoa An Phước', 'private_clinic', 'tư nhân', 'ban đầu', 'III', '21550', true, true, false),
  F('51602', 'Phòng khám chuyên khoa Nội Thiện Tâm', 'private_clinic', 'tư nhân', 'ban đầu', 'III', '21577', false, false, false),
];

export const QUANG_NGAI_DISTRICT: District = {
  provinceCode: '51',
  provinceName: 'Quảng Ngãi',
  code: '528',
  name: 'Tư Nghĩa',
  communes: COMMUNES,
  facilities: FACILITIES,
};

/** Returns the synthetic district (a function so callers do not rely on module identity). */
export function createDistrict(): District {
  return QUANG_NGAI_DISTRICT;
}

/** "xã Nghĩa Kỳ" / "thị trấn La Hà": the commune with its kind, as written in addresses. */
export function communeLabel(c: Commune): string {
  return `${c.kind} ${c.name}`;
}
