import { codeLabel } from '@openhssk/core/xml130';
import { type PdfDoc, vietnamesePdf } from '../pdf/index.ts';
import type { bookSummary, getEpisodeForPerson, listEpisodes } from './queries.ts';

type Summary = NonNullable<Awaited<ReturnType<typeof bookSummary>>>;
type Detail = NonNullable<Awaited<ReturnType<typeof getEpisodeForPerson>>>;
type EpisodeList = Awaited<ReturnType<typeof listEpisodes>>;


const KIND_LABEL: Record<string, string> = {
  allergy: 'Dị ứng',
  personal_history: 'Tiền sử bản thân',
  family_history: 'Tiền sử gia đình',
  risk_factor: 'Yếu tố nguy cơ',
};

const dmy = (v: string | null | undefined) => {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}))?/.exec(v ?? '');
  if (!m) return v ?? '—';
  return m[4] ? `${m[3]}/${m[2]}/${m[1]} ${m[4]}:${m[5]}` : `${m[3]}/${m[2]}/${m[1]}`;
};
const xmlDate = (v: string | undefined) => (v && v.length >= 8 ? `${v.slice(6, 8)}/${v.slice(4, 6)}/${v.slice(0, 4)}` : (v ?? '—'));

const newDoc = (title: string) => vietnamesePdf({ size: 'A4', margin: 48, info: { Title: title, Producer: 'OpenHSSK' } });

type Doc = PdfDoc;
const h1 = (doc: Doc, t: string) => doc.font('B').fontSize(16).text(t).moveDown(0.3).font('R').fontSize(10);
const h2 = (doc: Doc, t: string) => doc.moveDown(0.6).font('B').fontSize(12).text(t).moveDown(0.2).font('R').fontSize(10);
const field = (doc: Doc, label: string, value: string | null | undefined) => doc.font('B').text(`${label}: `, { continued: true }).font('R').text(value || '—');

function header(doc: Doc, summary: Pick<Summary, 'person'>, subtitle: string) {
  doc.fontSize(9).fillColor('#555').text('SỔ SỨC KHỎE ĐIỆN TỬ — bản in từ OpenHSSK', { align: 'right' }).fillColor('black').fontSize(10);
  h1(doc, subtitle);
  field(doc, 'Họ và tên', summary.person.ho_ten);
  field(doc, 'Ngày sinh', dmy(summary.person.ngay_sinh));
  field(doc, 'Giới tính', summary.person.gioi_tinh ? (codeLabel('GIOI_TINH', String(summary.person.gioi_tinh)) ?? '') : '');
}

function episodeBody(doc: Doc, d: Detail) {
  const e = d.episode;
  field(doc, 'Cơ sở khám chữa bệnh', `${e.facility_name ?? ''} (${e.facility_code})`);
  field(doc, 'Loại hình', codeLabel('MA_LOAI_KCB', e.ma_loai_kcb) ?? e.ma_loai_kcb);
  field(doc, 'Thời gian', `${dmy(e.ngay_vao)} → ${dmy(e.ngay_ra)}`);
  h2(doc, 'Chẩn đoán');
  field(doc, 'Chẩn đoán sơ bộ (lúc vào)', d.diagnoses.preliminary);
  doc.font('B').text('Chẩn đoán xác định (ra viện):').font('R');
  for (const dx of d.diagnoses.final) doc.text(`• ${dx.code} ${dx.name ?? ''}${dx.main ? ' (bệnh chính)' : ''}`, { indent: 10 });
  if (d.diagnoses.final_text) doc.text(d.diagnoses.final_text, { indent: 10 });
  field(doc, 'Kết quả điều trị', e.ket_qua_dtri ? (codeLabel('KET_QUA_DTRI', String(e.ket_qua_dtri)) ?? String(e.ket_qua_dtri)) : '');
  h2(doc, 'Thuốc');
  if (d.medicines.length === 0) doc.text('Không có thuốc.');
  for (const m of d.medicines) doc.text(`• ${m.name} ${m.strength} — ${m.quantity} ${m.unit}. ${m.dose}${m.days ? ` (${m.days} ngày)` : ''}${m.usage ? `. ${m.usage}` : ''}`);
  h2(doc, 'Dịch vụ kỹ thuật');
  const services = d.tables.XML3 ?? [];
  if (services.length === 0) doc.text('Không có dịch vụ kỹ thuật.');
  for (const s of services) doc.text(`• ${s.TEN_DICH_VU || s.TEN_VAT_TU || ''} — ${s.SO_LUONG ?? ''} ${s.DON_VI_TINH ?? ''}`);
  h2(doc, 'Kết quả cận lâm sàng');
  if (d.labs.length === 0) doc.text('Không có kết quả cận lâm sàng.');
  for (const l of d.labs) {
    const range = l.range ? ` (tham chiếu ${l.range.low}–${l.range.high})` : '';
    doc.text(`• ${l.name}: ${l.value} ${l.unit}${range}${l.abnormal ? ' — BẤT THƯỜNG' : ''}${l.conclusion ? `. ${l.conclusion}` : ''}`);
  }
  const rv = d.tables.XML7?.[0];
  if (rv) {
    h2(doc, 'Giấy ra viện');
    field(doc, 'Chẩn đoán', rv.CHAN_DOAN_RV);
    field(doc, 'Phương pháp điều trị', rv.PP_DIEUTRI);
  }
  const ct = d.tables.XML13?.[0];
  if (ct) {
    h2(doc, 'Giấy chuyển tuyến');
    field(doc, 'Số giấy', ct.GIAY_CHUYEN_TUYEN);
    field(doc, 'Nơi chuyển đến', ct.MA_CSKCB_DEN ?? ct.MA_NOI_DEN);
  }
  const hen = d.tables.XML14?.[0];
  if (hen) {
    h2(doc, 'Giấy hẹn khám lại');
    field(doc, 'Ngày hẹn', xmlDate(hen.NGAY_HEN_KL));
  }
}

export async function episodePdf(person: Pick<Summary, 'person'>, d: Detail): Promise<Buffer> {
  const { doc, done } = newDoc('Tóm tắt lượt khám chữa bệnh');
  header(doc, person, 'Tóm tắt lượt khám chữa bệnh');
  doc.moveDown(0.5);
  episodeBody(doc, d);
  doc.end();
  return done;
}

export async function bookPdf(s: Summary, episodes: EpisodeList): Promise<Buffer> {
  const { doc, done } = newDoc('Sổ sức khỏe điện tử');
  header(doc, s, 'Sổ sức khỏe điện tử');
  field(doc, 'Số định danh cá nhân', s.person.so_cccd);
  h2(doc, 'Thẻ bảo hiểm y tế');
  if (!s.bhyt) doc.text('Chưa có thông tin thẻ BHYT.');
  else {
    field(doc, 'Số thẻ', s.bhyt.so_bhyt);
    field(doc, 'Giá trị sử dụng', `${dmy(s.bhyt.valid_from)} – ${dmy(s.bhyt.valid_to)}`);
    field(doc, 'Nơi đăng ký KCB ban đầu', `${s.bhyt.facility_name ?? ''} (${s.bhyt.facility_code ?? ''})`);
  }
  h2(doc, 'Bệnh mạn tính (theo chẩn đoán của cơ sở y tế)');
  if (s.chronic.length === 0) doc.text('Không có.');
  for (const c of s.chronic) doc.text(`• ${c.code} ${c.name ?? ''} — ${c.episodes} lượt, gần nhất ${dmy(c.last_seen)}`);
  h2(doc, 'Thông tin tự khai báo');
  if (s.declarations.length === 0) doc.text('Chưa khai báo.');
  for (const d of s.declarations) doc.text(`• [${KIND_LABEL[d.kind] ?? d.kind}] ${d.title}${d.relation ? ` (${d.relation})` : ''}${d.detail ? `: ${d.detail}` : ''} — tự khai báo`);
  h2(doc, 'Tiêm chủng');
  if (s.vaccinations.length === 0) doc.text('Chưa có dữ liệu tiêm chủng.');
  for (const v of s.vaccinations) doc.text(`• ${dmy(v.given_on)} ${v.vaccine_name}${v.dose_no ? ` mũi ${v.dose_no}` : ''}`);
  h2(doc, `Lịch sử khám chữa bệnh (${episodes.length} lượt)`);
  if (s.hidden_sensitive > 0) doc.fillColor('#555').text(`${s.hidden_sensitive} lượt khám thuộc nhóm thông tin nhạy cảm không được in.`).fillColor('black');
  for (const e of episodes) {
    doc.text(`• ${dmy(e.ngay_vao)} — ${e.facility_name ?? e.facility_code} — ${codeLabel('MA_LOAI_KCB', e.ma_loai_kcb) ?? e.ma_loai_kcb}`);
    doc.fillColor('#333').text(`Chẩn đoán: ${e.ma_benh_chinh ?? ''} ${e.ten_benh_chinh ?? e.chan_doan_rv ?? ''}`, { indent: 12 }).fillColor('black');
  }
  doc.end();
  return done;
}
