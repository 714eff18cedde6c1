/**
 * The Vietnamese code sets of XML 130 as FHIR CodeSystem + ValueSet resources, from data. Closed sets
 * come from `xml130/codesets.ts` (one source of labels for the whole project); open lists we hold only
 * in part are published with `content: fragment`, lists we do not hold at all with `not-present` (so a
 * coding can still name its system). Labels marked `verified: false` were written by us from the
 * standards note's description and need checking against the decision text (UNVERIFIED).
 */
import type { CodeSystem, CodeSystemConcept, ValueSet } from '@medplum/fhirtypes';
import { ROUTES } from '../codes/drugs.ts';
import { PRODUCTS } from '../immunization/products.ts';
import { CODE_SETS, type CodeSetName } from '../xml130/codesets.ts';
import { CANONICAL_BASE, codeSystemUrl, valueSetUrl } from './systems.ts';

export interface VnCodeSystemDef {
  /** Resource id and last segment of the canonical URL. */
  id: string;
  /** Computable name (FHIR `name`). */
  name: string;
  /** XML 130 element(s) using it. */
  element: string;
  title: string;
  description: string;
  content: 'complete' | 'fragment' | 'not-present';
  concepts: ReadonlyArray<{ code: string; display: string }>;
  /** Whether every label was checked against a primary text. */
  verified: boolean;
}

const fromCodeSet = (set: CodeSetName) => Object.entries(CODE_SETS[set]).map(([code, display]) => ({ code, display }));

/** Version of the code sets: the decision chain they follow. */
export const CODE_SYSTEM_VERSION = '130-4750-3176';
const PUBLISHER = 'OpenHSSK';

// MA_DOITUONG_KCB meanings found in a HIS vendor's copy of the QĐ 824/QĐ-BYT list (standards note §5);
// codes whose meaning was not found are left out, hence `fragment`. Vietnamese wording is ours.
const DOI_TUONG: ReadonlyArray<readonly [string, string]> = [
  ['1.1', 'Đúng tuyến: khám, chữa bệnh ban đầu tại nơi đăng ký'],
  ['1.2', 'Đúng tuyến: cơ sở tuyến huyện, xã cùng tỉnh'],
  ['1.3', 'Đúng tuyến: chuyển tuyến theo quy định'],
  ['1.4', 'Đúng tuyến: có giấy tạm trú hoặc đi công tác'],
  ['1.5', 'Đúng tuyến: hẹn khám lại sau chuyển tuyến'],
  ['1.7', 'Đúng tuyến: trẻ sơ sinh điều trị ngay sau sinh'],
  ['1.8', 'Đúng tuyến: người bệnh lao'],
  ['1.9', 'Đúng tuyến: người nhiễm HIV/AIDS'],
  ['1.10', 'Đúng tuyến: COVID-19'],
  ['2', 'Cấp cứu'],
  ['3.2', 'Trái tuyến: tự đi điều trị nội trú tại bệnh viện tuyến tỉnh'],
  ['3.3', 'Trái tuyến: tự đi khám, chữa bệnh tại bệnh viện tuyến huyện'],
  ['3.5', 'Trái tuyến: tự đi điều trị ngoại trú tại cơ sở tuyến tỉnh'],
  ['3.6', 'Trái tuyến: người dân tộc thiểu số, hộ nghèo vùng khó khăn, xã đảo'],
  ['7.1', 'Nhận thuốc theo hẹn'],
];

// MA_NHOM cost groups used by the project's services (QĐ 5937/QĐ-BYT annex 3); names are ours.
const MA_NHOM: ReadonlyArray<readonly [string, string]> = [
  ['1', 'Xét nghiệm'],
  ['2', 'Chẩn đoán hình ảnh'],
  ['3', 'Thăm dò chức năng'],
  ['4', 'Thuốc trong danh mục BHYT'],
  ['8', 'Phẫu thuật'],
  ['10', 'Vật tư y tế trong danh mục BHYT'],
  ['12', 'Vận chuyển người bệnh'],
  ['13', 'Khám bệnh'],
  ['14', 'Ngày giường điều trị ban ngày'],
  ['15', 'Ngày giường điều trị nội trú'],
  ['18', 'Thủ thuật'],
];

// XML 130 tables, named for DocumentReference.type and provenance; names from the standards note §3.
const TABLES: ReadonlyArray<readonly [string, string]> = [
  ['XML1', 'Bảng tổng hợp khám bệnh, chữa bệnh'],
  ['XML2', 'Bảng chi tiết thuốc'],
  ['XML3', 'Bảng chi tiết dịch vụ kỹ thuật và vật tư y tế'],
  ['XML4', 'Bảng chi tiết dịch vụ cận lâm sàng'],
  ['XML5', 'Bảng chi tiết diễn biến lâm sàng'],
  ['XML7', 'Giấy ra viện'],
  ['XML8', 'Tóm tắt hồ sơ bệnh án'],
  ['XML13', 'Giấy chuyển tuyến'],
  ['XML14', 'Giấy hẹn khám lại'],
];

const pairs = (rows: ReadonlyArray<readonly [string, string]>) => rows.map(([code, display]) => ({ code, display }));

export const VN_CODE_SYSTEMS: ReadonlyArray<VnCodeSystemDef> = [
  { id: 'ma-loai-kcb', name: 'MaLoaiKcb', element: 'MA_LOAI_KCB', title: 'Hình thức khám, chữa bệnh (MA_LOAI_KCB)', description: 'Care type of an episode (QĐ 824/QĐ-BYT shared list as used by XML 130).', content: 'complete', concepts: fromCodeSet('MA_LOAI_KCB'), verified: true },
  { id: 'ket-qua-dtri', name: 'KetQuaDtri', element: 'KET_QUA_DTRI', title: 'Kết quả điều trị (KET_QUA_DTRI)', description: 'Treatment outcome (XML1, XML8; code 8 added by QĐ 4750).', content: 'complete', concepts: fromCodeSet('KET_QUA_DTRI'), verified: true },
  { id: 'ma-loai-rv', name: 'MaLoaiRv', element: 'MA_LOAI_RV', title: 'Loại ra viện (MA_LOAI_RV)', description: 'Discharge type (XML1, XML13).', content: 'complete', concepts: fromCodeSet('MA_LOAI_RV'), verified: true },
  { id: 'ma-doituong-kcb', name: 'MaDoiTuongKcb', element: 'MA_DOITUONG_KCB', title: 'Đối tượng khám, chữa bệnh (MA_DOITUONG_KCB)', description: 'Visit category by route (QĐ 824/QĐ-BYT). Partial: only codes whose meaning was found; labels UNVERIFIED against the decision.', content: 'fragment', concepts: pairs(DOI_TUONG), verified: false },
  { id: 'gioi-tinh', name: 'GioiTinh', element: 'GIOI_TINH', title: 'Giới tính (GIOI_TINH)', description: 'Sex as coded in XML 130.', content: 'complete', concepts: fromCodeSet('GIOI_TINH'), verified: true },
  { id: 'pham-vi', name: 'PhamVi', element: 'PHAM_VI', title: 'Phạm vi thanh toán (PHAM_VI)', description: 'Payment scope of a drug or service line (XML2, XML3).', content: 'complete', concepts: fromCodeSet('PHAM_VI'), verified: true },
  { id: 'ma-pttt', name: 'MaPttt', element: 'MA_PTTT', title: 'Phương thức thanh toán (MA_PTTT)', description: 'Payment method (XML2, XML3).', content: 'complete', concepts: fromCodeSet('MA_PTTT'), verified: true },
  { id: 'nguon-ctra', name: 'NguonCtra', element: 'NGUON_CTRA', title: 'Nguồn chi trả thuốc (NGUON_CTRA)', description: 'Funding source of a drug line (XML2).', content: 'complete', concepts: fromCodeSet('NGUON_CTRA'), verified: true },
  { id: 'ma-khuvuc', name: 'MaKhuVuc', element: 'MA_KHUVUC', title: 'Mã khu vực (MA_KHUVUC)', description: 'Living-area code printed on the health-insurance card.', content: 'complete', concepts: fromCodeSet('MA_KHUVUC'), verified: true },
  { id: 'pp-vo-cam', name: 'PpVoCam', element: 'PP_VO_CAM', title: 'Phương pháp vô cảm (PP_VO_CAM)', description: 'Anaesthesia method of a service (XML3).', content: 'complete', concepts: fromCodeSet('PP_VO_CAM'), verified: true },
  { id: 'ma-lydo-ct', name: 'MaLyDoCt', element: 'MA_LYDO_CT', title: 'Lý do chuyển tuyến (MA_LYDO_CT)', description: 'Reason for a referral (XML13).', content: 'complete', concepts: fromCodeSet('MA_LYDO_CT'), verified: true },
  { id: 'ma-nhom', name: 'MaNhom', element: 'MA_NHOM', title: 'Nhóm chi phí (MA_NHOM)', description: 'Cost group of a drug or service line (QĐ 5937/QĐ-BYT annex 3). Partial: the groups the project uses; labels UNVERIFIED.', content: 'fragment', concepts: pairs(MA_NHOM), verified: false },
  { id: 'duong-dung', name: 'DuongDung', element: 'DUONG_DUNG', title: 'Đường dùng thuốc (DUONG_DUNG)', description: 'Route of administration (QĐ 5937/QĐ-BYT list). Partial: the routes the project uses; codes and labels UNVERIFIED.', content: 'fragment', concepts: Object.entries(ROUTES).map(([code, display]) => ({ code, display })), verified: false },
  { id: 'ma-thuoc', name: 'MaThuoc', element: 'MA_THUOC', title: 'Mã thuốc (MA_THUOC)', description: 'Shared Ministry of Health drug codes (active ingredient). The list itself is not held here.', content: 'not-present', concepts: [], verified: false },
  { id: 'ma-dich-vu', name: 'MaDichVu', element: 'MA_DICH_VU', title: 'Mã dịch vụ kỹ thuật (MA_DICH_VU)', description: 'Shared Ministry of Health technical-service codes. The list itself is not held here.', content: 'not-present', concepts: [], verified: false },
  { id: 'ma-chi-so', name: 'MaChiSo', element: 'MA_CHI_SO', title: 'Mã chỉ số cận lâm sàng (MA_CHI_SO)', description: 'Test, imaging and function index codes (QĐ 7603/QĐ-BYT annex 11). The list itself is not held here.', content: 'not-present', concepts: [], verified: false },
  {
    id: 'vac-xin',
    name: 'VacXin',
    element: 'vaccination.product_id',
    title: 'Vắc xin (danh mục sản phẩm của sổ tiêm chủng)',
    description: 'Vaccine products the immunization registry recognises in imports and station records (not an XML 130 list); names are the project\'s.',
    content: 'complete',
    concepts: PRODUCTS.map((p) => ({ code: p.id, display: p.name_vi })),
    verified: false,
  },
  { id: 'bang-xml130', name: 'BangXml130', element: 'LOAIHOSO', title: 'Bảng dữ liệu XML 130 (LOAIHOSO)', description: 'Tables of the XML 130 output standard that OpenHSSK projects to FHIR.', content: 'fragment', concepts: pairs(TABLES), verified: true },
];

const BY_ID = new Map(VN_CODE_SYSTEMS.map((c) => [c.id, c]));
const BY_ELEMENT = new Map(VN_CODE_SYSTEMS.map((c) => [c.element, c]));

/** The code system an XML 130 element uses, if published. */
export const codeSystemOf = (element: string): VnCodeSystemDef | undefined => BY_ELEMENT.get(element);

/** Vietnamese display of a code, when the published system has it. */
export function vnDisplay(element: string, code: string): string | undefined {
  return BY_ELEMENT.get(element)?.concepts.find((c) => c.code === code)?.display;
}

/** A Coding in the system of an XML 130 element (display only when known). */
export function vnCoding(element: string, code: string) {
  const cs = BY_ELEMENT.get(element);
  if (!cs) throw new Error(`no code system for ${element}`);
  const display = cs.concepts.find((c) => c.code === code)?.display;
  return { system: codeSystemUrl(cs.id), code, ...(display ? { display } : {}) };
}

export function codeSystemResource(def: VnCodeSystemDef): CodeSystem {
  const concept: CodeSystemConcept[] = def.concepts.map((c) => ({ code: c.code, display: c.display }));
  return {
    resourceType: 'CodeSystem',
    id: def.id,
    url: codeSystemUrl(def.id),
    identifier: [{ system: 'urn:ietf:rfc:3986', value: codeSystemUrl(def.id) }],
    version: CODE_SYSTEM_VERSION,
    name: def.name,
    title: def.title,
    status: 'active',
    experimental: !def.verified,
    publisher: PUBLISHER,
    description: `${def.description} ${def.element.includes('.') ? 'Column' : 'XML 130 element'}: ${def.element}.${def.verified ? '' : ' UNVERIFIED: labels or codes not checked against the decision text.'}`,
    caseSensitive: true,
    valueSet: valueSetUrl(def.id),
    content: def.content,
    ...(def.content === 'not-present' ? {} : { count: concept.length, concept }),
  };
}

export function valueSetResource(def: VnCodeSystemDef): ValueSet {
  return {
    resourceType: 'ValueSet',
    id: def.id,
    url: valueSetUrl(def.id),
    version: CODE_SYSTEM_VERSION,
    name: def.name,
    title: def.title,
    status: 'active',
    experimental: !def.verified,
    publisher: PUBLISHER,
    description: `All codes of ${codeSystemUrl(def.id)}.`,
    compose: { include: [{ system: codeSystemUrl(def.id), version: CODE_SYSTEM_VERSION }] },
  };
}

export const codeSystemById = (id: string) => BY_ID.get(id);

/** Every published CodeSystem and ValueSet, ordered by id. */
export const codeSystemResources = (): CodeSystem[] => [...VN_CODE_SYSTEMS].sort((a, b) => a.id.localeCompare(b.id)).map(codeSystemResource);
export const valueSetResources = (): ValueSet[] => [...VN_CODE_SYSTEMS].sort((a, b) => a.id.localeCompare(b.id)).map(valueSetResource);

export { CANONICAL_BASE };
