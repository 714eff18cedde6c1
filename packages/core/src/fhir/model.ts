/**
 * What the mapping reads: plain records as the store holds them (XML 130 fields named as in the
 * standard), so the mapping needs no database and is tested on its own.
 */
import type { Encounter, Meta, Organization, Patient, Practitioner, Reference } from '@medplum/fhirtypes';
import { SID } from './systems.ts';
import { instantToFhir } from './time.ts';

/** The golden record of a person (person table). */
export interface PersonRecord {
  id: string;
  ho_ten: string;
  /** 'yyyy', 'yyyy-mm' or 'yyyy-mm-dd'. */
  ngay_sinh: string | null;
  gioi_tinh: number | null;
  so_cccd: string | null;
  so_bhyt: string | null;
  bhxh: string | null;
  bhyt_valid_from: string | null;
  bhyt_valid_to: string | null;
  bhyt_facility_code: string | null;
  so_dien_thoai: string | null;
  dia_chi: string | null;
  updated_at: Date | string;
}

/** A registered facility (facility table) with the name of its administrative unit. */
export interface FacilityRecord {
  code: string;
  name: string;
  level: string | null;
  admin_unit_code: string | null;
  admin_unit_name: string | null;
}

/** The current version of one episode (episode table, XML1 fields from its xml1 column). */
export interface EpisodeRecord {
  /** FHIR id of everything derived from the episode: the id of its first version, stable across resends. */
  key: string;
  version: number;
  facility_code: string;
  facility_name: string | null;
  ma_lk: string;
  person_id: string | null;
  ma_bn: string;
  ho_ten: string;
  ma_loai_kcb: string;
  /** Zone-less Vietnam wall-clock 'YYYY-MM-DD HH:MM:SS'. */
  ngay_vao: string;
  ngay_vao_noi_tru: string | null;
  ngay_ra: string | null;
  ma_benh_chinh: string | null;
  ma_benh_kt: string | null;
  chan_doan_rv: string | null;
  ket_qua_dtri: number | null;
  ma_loai_rv: number | null;
  /** All XML1 fields as sent. */
  xml1: Readonly<Record<string, string>>;
  submission_id: string;
  /** SHA-256 of the envelope the version came in. */
  submission_sha256: string | null;
  /** What the receipt says about the envelope's signature. */
  signature: { verified: boolean; method?: string | undefined; certificate_id?: string | undefined } | null;
  received_at: Date | string;
  /**
   * The episode is sensitive (HIV, TB, mental health). Such an episode reaches the mapping only when
   * the reader may see it (the citizen's own app on their explicit choice), so its rows keep their
   * sensitive reason codes; absent means not sensitive.
   */
  sensitive?: boolean;
}

/** One row of XML2…XML15 of an episode version (episode_row table). */
export interface RowRecord {
  tbl: string;
  row_no: number;
  fields: Readonly<Record<string, string>>;
}

/** MA_LOAI_KCB codes where the patient stays in a bed (inpatient, day-care, commune stay, < 4 h). */
export const INPATIENT_CARE_TYPES: ReadonlySet<string> = new Set(['03', '04', '06', '09']);

/**
 * Visit categories (MA_DOITUONG_KCB) that name a TB (1.8) or HIV (1.9) patient: an episode with one is
 * as sensitive as one with the diagnosis, so the FHIR projection leaves it out like a sensitive episode.
 */
export const SENSITIVE_VISIT_CATEGORIES: ReadonlyArray<string> = ['1.8', '1.9'];

export const field = (fields: Readonly<Record<string, string>>, name: string): string => (fields[name] ?? '').trim();

/** ';'-separated list field → its non-empty parts. */
export const parts = (v: string | null | undefined): string[] =>
  (v ?? '')
    .split(';')
    .map((s) => s.trim())
    .filter(Boolean);

export const num = (v: string): number | undefined => (/^-?\d+(\.\d+)?$/.test(v.trim()) ? Number(v.trim()) : undefined);

export const episodeMeta = (ep: EpisodeRecord): Meta => ({ versionId: String(ep.version), lastUpdated: instantToFhir(ep.received_at) });

/** The patient of an episode: the golden record when linked, otherwise the facility's patient code. */
export function subjectOf(ep: EpisodeRecord): Reference<Patient> {
  if (ep.person_id) return { reference: `Patient/${ep.person_id}`, display: ep.ho_ten };
  return { type: 'Patient', identifier: { system: SID.maBn(ep.facility_code), value: ep.ma_bn }, display: ep.ho_ten };
}

export const encounterRef = (ep: EpisodeRecord): Reference<Encounter> => ({ reference: `Encounter/${ep.key}` });

export const facilityRef = (ep: EpisodeRecord): Reference<Organization> => ({ reference: `Organization/${ep.facility_code}`, ...(ep.facility_name ? { display: ep.facility_name } : {}) });

/** A facility named by code only (MA_NOI_DI, MA_NOI_DEN, MA_DKBD …): it may not be in our registry. */
export const facilityByCode = (code: string): Reference<Organization> => ({ type: 'Organization', identifier: { system: SID.macskcb, value: code } });

const ID_CHARS = /^[A-Za-z0-9-]$/;

/**
 * FHIR id of a licence number: letters, digits and '-' kept, every other byte as '.' + two hex digits
 * ('012345/QNG-CCHN' → '012345.2FQNG-CCHN'), so the id is reversible; undefined when it would exceed
 * FHIR's 64 characters (such a practitioner stays a reference by identifier).
 */
export function practitionerId(licence: string): string | undefined {
  let out = '';
  for (const ch of licence) {
    if (ID_CHARS.test(ch)) out += ch;
    else for (const b of Buffer.from(ch, 'utf8')) out += `.${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out.length >= 1 && out.length <= 64 ? out : undefined;
}

/** The licence number of a Practitioner id; undefined when the id is not one practitionerId makes. */
export function licenceOfPractitionerId(id: string): string | undefined {
  if (!/^([A-Za-z0-9-]|\.[0-9A-F]{2}){1,64}$/.test(id)) return undefined;
  const bytes: number[] = [];
  for (let i = 0; i < id.length; i++) {
    if (id[i] === '.') {
      bytes.push(Number.parseInt(id.slice(i + 1, i + 3), 16));
      i += 2;
    } else bytes.push(id.charCodeAt(i));
  }
  const licence = Buffer.from(bytes).toString('utf8');
  return practitionerId(licence) === id ? licence : undefined;
}

/**
 * A practitioner named by licence number (MA_BAC_SI, NGUOI_THUC_HIEN …): the identifier, and the
 * Practitioner resource the server projects from the same number.
 */
export const practitionerByLicence = (code: string): Reference<Practitioner> => {
  const id = practitionerId(code);
  return { ...(id ? { reference: `Practitioner/${id}` } : {}), type: 'Practitioner', identifier: { system: SID.practitionerLicence, value: code } };
};

/** Resource ids derived from an episode: `<key>-<row>` for rows and diagnoses, `<key>-xml7|8` for papers. */
export const childId = (ep: EpisodeRecord, n: number | string) => `${ep.key}-${n}`;

/** Splits `<key>-<n>` into the episode key and the number; undefined when the id has another shape. */
export function parseChildId(id: string): { key: string; n: number } | undefined {
  const m = /^(\d{1,18})-(\d{1,6})$/.exec(id);
  return m ? { key: m[1]!, n: Number(m[2]) } : undefined;
}
