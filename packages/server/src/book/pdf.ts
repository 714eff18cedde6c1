import { viDate, viDateTime, viNumber } from '@openhssk/core';
import { finalDiagnosisLabel, LAB_FLAG, labValueText, medicineName, NO_RECORD_SUMMARY, RECORD_SUMMARY_NOTE, rangeText, recordSummaryLines, serviceLineText } from '@openhssk/core/api';
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

const newDoc = (title: string) => vietnamesePdf({ size: 'A4', margin: 48, info: { Title: title, Producer: 'OpenHSSK' } });

type Doc = PdfDoc;
const h1 = (doc: Doc, t: string) => doc.font('B').fontSize(16).text(t).moveDown(0.3).font('R').fontSize(10);
const h2 = (doc: Doc, t: string) => doc.moveDown(0.6).font('B').fontSize(12).text(t).moveDown(0.2).font('R').fontSize(10);
const field = (doc: Doc, label: string, value: string | null | undefined) => doc.font('B').text(`${label}: `, { continued: true }).font('R').text(value || '—');

function header(doc: Doc, summary: Pick<Summary, 'person'>, subtitle: string) {
  doc.fontSize(9).fillColor('#555').text('SỔ SỨC KHỎE ĐIỆN TỬ — bản in từ OpenHSSK', { align: 'right' }).fillColor('black').fontSize(10);
  h1(doc, subtitle);
  field(doc, 'Họ và tên', summary.person.ho_ten);
  field(doc, 'Ngày sinh', viDate(summary.person.ngay_sinh));
  field(doc, 'Giới tính', summary.person.gioi_tinh ? (codeLabel('GIOI_TINH', String(summary.person.gioi_tinh)) ?? '') : '');
}

/** One result as the screen writes it: value, range and high/low, or the report's description and conclusion. */
function labLine(l: Detail['labs'][number]): string {
  const parts = [l.value ? `${l.name}: ${labValueText(l.value, l.unit)}` : l.name];
  if (l.range) parts.push(` (tham chiếu ${rangeText(l.range)})`);
  if (l.flag) parts.push(` ${LAB_FLAG[l.flag].arrow} ${LAB_FLAG[l.flag].word}`);
  if (l.description) parts.push(`${l.value ? ' ' : ': '}${l.description}`);
  if (l.conclusion) parts.push(` – Kết luận: ${l.conclusion}`);
  return parts.join('');
}

const medicineLine = (m: Detail['medicines'][number]) =>
  `${medicineName(m.name, m.strength)} – ${viNumber(m.quantity)} ${m.unit}. Liều dùng: ${m.dose || '—'}${m.days ? ` · ${m.days} ngày` : ''}${m.usage ? ` (${m.usage})` : ''}`;

const diagnosisLine = (dx: Detail['diagnoses']['final'][number]) => `${dx.code} ${dx.name ?? ''} (${dx.main ? 'bệnh chính' : 'bệnh kèm theo'})`;

/** The doctor's record summary (XML8), marked as the doctor's words like on the screen. */
function recordSummaryBlock(doc: Doc, r: NonNullable<Detail['record_summary']>, indent = 0) {
  doc.fillColor('#555').text(`${RECORD_SUMMARY_NOTE}${r.written_on ? ` (ngày ${viDate(r.written_on)})` : ''}`, { indent }).fillColor('black');
  for (const [label, value] of recordSummaryLines(r)) doc.font('B').text(`${label}: `, { indent, continued: true }).font('R').text(value);
}

/**
 * The visit in the order and words of the screen (web EpisodeView): the essentials first, then the
 * long lists the screen folds away, printed in full with their counts, since paper cannot unfold.
 */
function episodeBody(doc: Doc, d: Detail) {
  const e = d.episode;
  const x1 = ('fields' in e.xml1 ? e.xml1.fields : e.xml1) as Record<string, string>;
  const t = d.tables;
  field(doc, 'Cơ sở khám chữa bệnh', `${e.facility_name ?? ''} (${e.facility_code})`);
  field(doc, 'Loại hình', codeLabel('MA_LOAI_KCB', e.ma_loai_kcb) ?? e.ma_loai_kcb);
  field(doc, 'Thời gian', `${viDateTime(e.ngay_vao)} → ${viDateTime(e.ngay_ra)}`);
  field(doc, 'Lý do khám', x1.LY_DO_VV);
  field(doc, 'Kết quả điều trị', e.ket_qua_dtri ? (codeLabel('KET_QUA_DTRI', String(e.ket_qua_dtri)) ?? String(e.ket_qua_dtri)) : '');
  if (x1.CAN_NANG) field(doc, 'Cân nặng', `${viNumber(x1.CAN_NANG)} kg`);
  h2(doc, 'Chẩn đoán');
  field(doc, 'Chẩn đoán lúc vào (sơ bộ)', d.diagnoses.preliminary);
  doc.font('B').text(`${finalDiagnosisLabel(e.care_group)} (xác định):`).font('R');
  for (const dx of d.diagnoses.final) doc.text(`• ${diagnosisLine(dx)}`, { indent: 10 });
  if (d.diagnoses.final_text) doc.text(`Ghi của bác sĩ: ${d.diagnoses.final_text}`, { indent: 10 });
  h2(doc, 'Thuốc');
  if (d.medicines.length === 0) doc.text('Không có thuốc trong lượt khám này.');
  for (const m of d.medicines) doc.text(`• ${medicineLine(m)}`);
  const abnormal = d.labs.filter((l) => l.flag);
  if (abnormal.length > 0) {
    h2(doc, `Kết quả bất thường (${abnormal.length})`);
    for (const l of abnormal) doc.text(`• ${labLine(l)}`);
  }
  h2(doc, 'Tóm tắt hồ sơ bệnh án');
  if (d.record_summary) recordSummaryBlock(doc, d.record_summary);
  else doc.text(NO_RECORD_SUMMARY);
  if (d.next_appointment || d.referral) {
    h2(doc, 'Hẹn khám lại, chuyển tuyến');
    if (d.next_appointment) doc.text(`Hẹn khám lại ngày ${viDate(d.next_appointment.date)} (số giấy ${d.next_appointment.number ?? '—'}).`);
    if (d.referral) {
      field(doc, 'Giấy chuyển tuyến', d.referral.number);
      field(doc, 'Nơi chuyển đến', d.referral.destination);
      field(doc, 'Hướng điều trị', d.referral.direction);
    }
  }
  h2(doc, `Tất cả kết quả cận lâm sàng (${d.labs.length})`);
  if (d.labs.length === 0) doc.text('Không có kết quả xét nghiệm, chẩn đoán hình ảnh.');
  for (const l of d.labs) doc.text(`• ${labLine(l)}`);
  h2(doc, `Dịch vụ kỹ thuật, ngày giường, vật tư (${d.services.length})`);
  if (d.services.length === 0) doc.text('Không có dịch vụ kỹ thuật.');
  for (const l of d.services) doc.text(`• ${serviceLineText(l)}`);
  if (t.XML5?.length) {
    h2(doc, `Diễn biến lâm sàng hằng ngày (${t.XML5.length})`);
    for (const r of t.XML5) doc.text(`• ${viDate(r.THOI_DIEM_DBLS)} ${r.DIEN_BIEN_LS ?? ''}`);
  }
  const rv = t.XML7?.[0];
  if (rv) {
    h2(doc, 'Giấy ra viện');
    field(doc, 'Chẩn đoán', rv.CHAN_DOAN_RV);
    field(doc, 'Phương pháp điều trị', rv.PP_DIEUTRI);
    if (rv.GHI_CHU) field(doc, 'Ghi chú', rv.GHI_CHU);
  }
}

/** A visit in the whole book: what was found, what was given, what the tests said, in a few lines. */
function episodeSummary(doc: Doc, e: EpisodeList[number], d: Detail | undefined) {
  doc.font('B').text(`• ${viDateTime(e.ngay_vao)} — ${e.facility_name ?? e.facility_code} — ${codeLabel('MA_LOAI_KCB', e.ma_loai_kcb) ?? e.ma_loai_kcb}`).font('R');
  const indent = 12;
  const line = (label: string, text: string) => doc.fillColor('#333').text(`${label}: ${text}`, { indent }).fillColor('black');
  if (!d) {
    line('Chẩn đoán', `${e.ma_benh_chinh ?? ''} ${e.ten_benh_chinh ?? e.chan_doan_rv ?? ''}`);
    return;
  }
  line(finalDiagnosisLabel(d.episode.care_group), d.diagnoses.final.map(diagnosisLine).join('; ') || d.diagnoses.final_text || '—');
  if (d.medicines.length > 0) line('Thuốc', d.medicines.map((m) => `${medicineName(m.name, m.strength)} (${viNumber(m.quantity)} ${m.unit})`).join('; '));
  if (d.labs.length > 0) line('Kết quả', d.labs.map(labLine).join('; '));
  if (d.record_summary) recordSummaryBlock(doc, d.record_summary, indent);
  else if (d.tables.XML7?.[0]?.GHI_CHU) line('Ghi chú ra viện', d.tables.XML7[0].GHI_CHU);
  if (d.next_appointment) line('Hẹn khám lại', viDate(d.next_appointment.date));
  if (d.referral) line('Chuyển đến', d.referral.destination ?? '—');
  doc.moveDown(0.3);
}

export async function episodePdf(person: Pick<Summary, 'person'>, d: Detail): Promise<Buffer> {
  const { doc, done } = newDoc('Tóm tắt lượt khám chữa bệnh');
  header(doc, person, 'Tóm tắt lượt khám chữa bệnh');
  doc.moveDown(0.5);
  episodeBody(doc, d);
  doc.end();
  return done;
}

export async function bookPdf(s: Summary, episodes: EpisodeList, details: readonly Detail[]): Promise<Buffer> {
  const { doc, done } = newDoc('Sổ sức khỏe điện tử');
  header(doc, s, 'Sổ sức khỏe điện tử');
  field(doc, 'Số định danh cá nhân', s.person.so_cccd);
  h2(doc, 'Thẻ bảo hiểm y tế');
  if (!s.bhyt) doc.text('Chưa có thông tin thẻ BHYT.');
  else {
    field(doc, 'Số thẻ', s.bhyt.so_bhyt);
    field(doc, 'Giá trị sử dụng', `${viDateTime(s.bhyt.valid_from)} – ${viDateTime(s.bhyt.valid_to)}`);
    field(doc, 'Nơi đăng ký KCB ban đầu', `${s.bhyt.facility_name ?? ''} (${s.bhyt.facility_code ?? ''})`);
  }
  h2(doc, 'Bệnh mạn tính (theo chẩn đoán của cơ sở y tế)');
  if (s.chronic.length === 0) doc.text('Không có.');
  for (const c of s.chronic) doc.text(`• ${c.code} ${c.name ?? ''} — ${c.episodes} lượt, gần nhất ${viDateTime(c.last_seen)}`);
  h2(doc, 'Thông tin tự khai báo');
  if (s.declarations.length === 0) doc.text('Chưa khai báo.');
  for (const d of s.declarations) doc.text(`• [${KIND_LABEL[d.kind] ?? d.kind}] ${d.title}${d.relation ? ` (${d.relation})` : ''}${d.detail ? `: ${d.detail}` : ''} — tự khai báo`);
  h2(doc, 'Tiêm chủng');
  if (s.vaccinations.length === 0) doc.text('Chưa có dữ liệu tiêm chủng.');
  for (const v of s.vaccinations) doc.text(`• ${viDateTime(v.given_on)} ${v.vaccine_name}${v.dose_no ? ` mũi ${v.dose_no}` : ''}`);
  h2(doc, `Lịch sử khám chữa bệnh (${episodes.length} lượt)`);
  // No count of left-out sensitive visits: a printed book is handed to others, and a count would tell them.
  const detailOf = new Map(details.map((d) => [d.episode.id, d]));
  for (const e of episodes) episodeSummary(doc, e, detailOf.get(e.id));
  doc.end();
  return done;
}
