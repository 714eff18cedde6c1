import { viDate } from '@openhssk/core';
import { countText, percentText, pointsText, type TargetIndicator, type TargetStatus, type TargetStatuses, type Targets, targetText } from '@openhssk/core/api';
import ExcelJS from 'exceljs';
import { pdfTable, vietnamesePdf } from '../pdf/index.ts';
import { DELAY_BUCKETS, type Kpis, type MonthlyEpisodes, type Period, type UnitRef } from './kpis.ts';
import { status, TARGET_INDICATORS, TARGET_TITLES, targetRate } from './targets.ts';

/** What a report row is about: an administrative unit, or one facility (its own report). */
export type ReportSubject = UnitRef | { code: string; name: string; level: 'facility' };

export interface UnitKpis {
  unit: ReportSubject;
  kpis: Kpis;
  /** Targets in force for the unit and how its figures stand against them (colours the cells). */
  targets?: Targets;
  statuses?: TargetStatuses;
}

/** Which KPI column a target colours. */
const TARGET_COLUMN: Record<TargetIndicator, string> = {
  withRecord: 'rateRecord',
  identified: 'rateIdentified',
  integratedResidents: 'rateIntegratedResidents',
  integratedFacilities: 'rateIntegrated',
};
const STATUS_FILL: Record<TargetStatus, string | null> = { met: 'FFC6EFCE', not_met: 'FFFFC7CE', no_data: null };
const STATUS_VI: Record<TargetStatus, string> = { met: 'Đạt', not_met: 'Chưa đạt', no_data: 'Chưa có số liệu' };

const LEVEL_VI = { province: 'Tỉnh', district: 'Huyện', commune: 'Xã', facility: 'Cơ sở KCB' } as const;

/** Columns of every KPI table (dashboard, XLSX, six-monthly report); value is a count or a ratio. */
export const KPI_COLUMNS: Array<{ key: string; title: string; pct?: boolean; get: (k: Kpis) => number | null }> = [
  { key: 'residents', title: 'Dân số thường trú (danh sách MIS2022)', get: (k) => k.residents },
  { key: 'withRecord', title: 'Có hồ sơ sức khỏe (định danh và có dữ liệu sức khỏe)', get: (k) => k.withRecord },
  { key: 'rateRecord', title: 'Tỷ lệ có hồ sơ', pct: true, get: (k) => k.rates.withRecord },
  { key: 'rateIdentity', title: 'Tỷ lệ có hồ sơ định danh', pct: true, get: (k) => k.rates.withIdentity },
  { key: 'rateHealthData', title: 'Tỷ lệ có dữ liệu sức khỏe', pct: true, get: (k) => k.rates.withHealthData },
  { key: 'rateIntegratedResidents', title: 'Tỷ lệ tích hợp trên VNeID (thường trú)', pct: true, get: (k) => k.rates.integratedResidents },
  { key: 'rateBhyt', title: 'Tỷ lệ có số BHYT', pct: true, get: (k) => k.rates.withBhyt },
  { key: 'rateActivated', title: 'Tỷ lệ kích hoạt sổ', pct: true, get: (k) => k.rates.activated },
  { key: 'rateIdentified', title: 'Tỷ lệ hồ sơ KCB có số định danh cá nhân (ước tính)', pct: true, get: (k) => k.rates.identified },
  { key: 'checkins', title: 'Lượt tiếp nhận tại quầy OpenHSSK', get: (k) => k.checkins },
  { key: 'ratePersonalId', title: 'Tỷ lệ tiếp nhận bằng số định danh (tại quầy)', pct: true, get: (k) => k.rates.personalIdCheckins },
  { key: 'rateVneid', title: 'Tỷ lệ tiếp nhận bằng VNeID (tại quầy)', pct: true, get: (k) => k.rates.vneid },
  { key: 'insured', title: 'Cơ sở KCB BHYT', get: (k) => k.insuredFacilities },
  { key: 'rateIntegrated', title: 'Tỷ lệ cơ sở đã liên thông', pct: true, get: (k) => k.rates.integrated },
  { key: 'episodes', title: 'Hồ sơ KCB nhận được', get: (k) => k.episodes },
  { key: 'rate24h', title: 'Tỷ lệ hiển thị trong 24 giờ', pct: true, get: (k) => k.rates.visible24h },
  { key: 'referrals', title: 'Giấy chuyển tuyến (XML13)', get: (k) => k.referrals },
  { key: 'reexams', title: 'Giấy hẹn khám lại (XML14)', get: (k) => k.reexams },
  { key: 'qValid', title: 'Đúng', pct: true, get: (k) => k.quality.valid },
  { key: 'qComplete', title: 'Đủ', pct: true, get: (k) => k.quality.complete },
  { key: 'qClean', title: 'Sạch', pct: true, get: (k) => k.quality.clean },
  { key: 'qFresh', title: 'Sống', pct: true, get: (k) => k.quality.fresh },
  { key: 'corrOpen', title: 'Yêu cầu sửa thông tin đang mở', get: (k) => k.quality.corrections.open },
  { key: 'corrOverdue', title: 'Yêu cầu sửa thông tin quá hạn', get: (k) => k.quality.corrections.overdue },
  { key: 'corrResolved', title: 'Yêu cầu sửa thông tin đã giải quyết trong kỳ', get: (k) => k.quality.corrections.resolved },
];

/** Columns of a facility's own report: what its episodes and check-ins measure. */
const FACILITY_COLUMNS = new Set(['rateIdentified', 'checkins', 'ratePersonalId', 'rateVneid', 'rateIntegrated', 'episodes', 'rate24h', 'referrals', 'reexams']);
const columnsFor = (r: { unit: ReportSubject }) => (r.unit.level === 'facility' ? KPI_COLUMNS.filter((c) => FACILITY_COLUMNS.has(c.key)) : KPI_COLUMNS);


function addKpiSheet(wb: ExcelJS.Workbook, name: string, title: string, rows: UnitKpis[]) {
  const ws = wb.addWorksheet(name);
  ws.addRow([title]).font = { bold: true, size: 13 };
  ws.addRow([]);
  const cols = rows[0] ? columnsFor(rows[0]) : KPI_COLUMNS;
  const header = ws.addRow(['Mã', 'Đơn vị', 'Cấp', ...cols.map((c) => c.title)]);
  header.font = { bold: true };
  header.alignment = { wrapText: true, vertical: 'top' };
  for (const r of rows) {
    const row = ws.addRow([r.unit.code, r.unit.name, LEVEL_VI[r.unit.level], ...cols.map((c) => c.get(r.kpis))]);
    cols.forEach((c, i) => {
      if (c.pct) row.getCell(4 + i).numFmt = '0.0%';
    });
    // Green / red against the unit's own targets, as on the dashboard.
    for (const ind of TARGET_INDICATORS) {
      const fill = r.statuses ? STATUS_FILL[r.statuses[ind]] : null;
      const col = cols.findIndex((c) => c.key === TARGET_COLUMN[ind]);
      if (fill && col >= 0) row.getCell(4 + col).fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: fill } };
    }
  }
  ws.getColumn(1).width = 10;
  ws.getColumn(2).width = 32;
  for (let i = 0; i < cols.length; i++) ws.getColumn(4 + i).width = 14;
  ws.views = [{ state: 'frozen', xSplit: 2, ySplit: 3 }];
  return ws;
}

/** The dashboard's KPI table: the unit then its children; a second sheet holds the delay distribution. */
export async function kpiWorkbook(unit: UnitKpis, children: UnitKpis[], period: Period, monthly: MonthlyEpisodes[] = []): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'OpenHSSK';
  addKpiSheet(wb, 'Chỉ số', `Chỉ số hồ sơ sức khỏe điện tử — ${unit.unit.name}, ${viDate(period.from)}–${viDate(period.to)}`, [unit, ...children]);
  const ws = wb.addWorksheet('Độ trễ hiển thị');
  ws.addRow(['Thời gian từ ra viện đến khi nhận hồ sơ']).font = { bold: true };
  ws.addRow(['Mã', 'Đơn vị', ...DELAY_BUCKETS, 'Chưa ra viện']).font = { bold: true };
  for (const r of [unit, ...children]) ws.addRow([r.unit.code, r.unit.name, ...r.kpis.delayBuckets, r.kpis.episodes - r.kpis.discharged]);
  ws.getColumn(2).width = 32;
  const wm = wb.addWorksheet('Theo tháng');
  wm.addRow([`Hồ sơ KCB nhận được theo tháng — ${unit.unit.name}`]).font = { bold: true };
  wm.addRow(['Tháng', 'Hồ sơ nhận được', 'Đã ra viện', 'Hiển thị trong 24 giờ']).font = { bold: true };
  for (const m of monthly) wm.addRow([m.month, m.episodes, m.discharged, m.visibleWithin24h]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export interface SixMonthly {
  unit: ReportSubject;
  year: number;
  half: 1 | 2;
  period: Period;
  previous: Period;
  current: UnitKpis[];
  prior: Map<string, Kpis>;
}

/** Rows of "results against targets": the unit's targets for the half-year, its figure now and before. */
function targetRows(r: SixMonthly) {
  const own = r.current[0];
  const prev = own ? r.prior.get(own.unit.code) : undefined;
  // A facility answers for its own episodes and its own connection, not for its commune's residents.
  const indicators = r.unit.level === 'facility' ? TARGET_INDICATORS.filter((i) => i === 'identified' || i === 'integratedFacilities') : TARGET_INDICATORS;
  return indicators.flatMap((i) => {
    const t = own?.targets?.[i];
    if (!own || !t) return [];
    const cur = targetRate(own.kpis, i);
    const p = prev ? targetRate(prev, i) : null;
    return [{ title: TARGET_TITLES[i], target: targetText(t), cur, p, status: status(cur, t) }];
  });
}

function reportTitle(r: SixMonthly) {
  return `Báo cáo kết quả triển khai Sổ sức khỏe điện tử ${r.half === 1 ? '6 tháng đầu' : '6 tháng cuối'} năm ${r.year}`;
}

/** Six-monthly report (Điều 8 QĐ 2733/QĐ-BYT) as a workbook: targets, figures per area, previous half. */
export async function sixMonthlyWorkbook(r: SixMonthly): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'OpenHSSK';
  const ws = wb.addWorksheet('Tổng hợp');
  ws.addRow([reportTitle(r)]).font = { bold: true, size: 13 };
  ws.addRow([`${r.unit.level === 'facility' ? 'Cơ sở KCB' : 'Đơn vị'}: ${r.unit.name} (${r.unit.code}). Kỳ báo cáo: ${viDate(r.period.from)}–${viDate(r.period.to)}; kỳ trước: ${viDate(r.previous.from)}–${viDate(r.previous.to)}.`]);
  ws.addRow([]);
  ws.addRow(['Chỉ tiêu', 'Mục tiêu', 'Kỳ này', 'Kỳ trước', 'Thay đổi', 'Đánh giá']).font = { bold: true };
  for (const t of targetRows(r)) {
    const row = ws.addRow([t.title, t.target, t.cur, t.p, pointsText(t.cur, t.p), STATUS_VI[t.status]]);
    row.getCell(3).numFmt = '0.0%';
    row.getCell(4).numFmt = '0.0%';
    const fill = STATUS_FILL[t.status];
    if (fill) for (const c of [3, 6]) row.getCell(c).fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: fill } };
  }
  ws.getColumn(1).width = 50;
  for (const c of [2, 3, 4, 5, 6]) ws.getColumn(c).width = 16;
  addKpiSheet(wb, 'Theo địa bàn', `${reportTitle(r)} — số liệu theo địa bàn`, r.current);
  const prior = r.current.map((u) => ({ unit: u.unit, kpis: r.prior.get(u.unit.code) })).filter((u): u is UnitKpis => u.kpis !== undefined);
  addKpiSheet(wb, 'Kỳ trước', `Kỳ trước (${viDate(r.previous.from)}–${viDate(r.previous.to)})`, prior);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** The same report as a PDF (A4 landscape). */
export function sixMonthlyPdf(r: SixMonthly): Promise<Buffer> {
  const { doc, done } = vietnamesePdf({ size: 'A4', layout: 'landscape', margin: 36, info: { Title: reportTitle(r), Author: 'OpenHSSK' } });

  doc.font('B').fontSize(14).text(reportTitle(r).toUpperCase(), { align: 'center' });
  doc.font('R').fontSize(10).moveDown(0.3).text(`(Theo Điều 8 Quyết định số 2733/QĐ-BYT) — ${r.unit.level === 'facility' ? 'Cơ sở KCB' : 'Đơn vị'}: ${r.unit.name} (${r.unit.code})`, { align: 'center' });
  doc.text(`Kỳ báo cáo: ${viDate(r.period.from)}–${viDate(r.period.to)}; so sánh với kỳ trước ${viDate(r.previous.from)}–${viDate(r.previous.to)}.`, { align: 'center' });
  doc.moveDown();

  const table = (headers: string[], rows: string[][], widths: number[]) => pdfTable(doc, headers, rows, widths, { fontSize: 7.5 });

  doc.font('B').fontSize(11).text('1. Kết quả so với mục tiêu');
  doc.moveDown(0.3);
  table(
    ['Chỉ tiêu', 'Mục tiêu', 'Kỳ này', 'Kỳ trước', 'Thay đổi', 'Đánh giá'],
    targetRows(r).map((t) => [t.title, t.target, percentText(t.cur), percentText(t.p), pointsText(t.cur, t.p), STATUS_VI[t.status]]),
    [260, 70, 80, 80, 110, 100],
  );

  doc.font('B').fontSize(11).text('2. Số liệu theo địa bàn');
  doc.moveDown(0.3);
  const cols = columnsFor(r).filter((c) => !['qValid', 'qComplete', 'qClean', 'qFresh', 'corrOpen', 'corrOverdue', 'corrResolved', 'insured'].includes(c.key));
  table(
    ['Đơn vị', ...cols.map((c) => c.title)],
    r.current.map((u) => [u.unit.name, ...cols.map((c) => (c.pct ? percentText(c.get(u.kpis)) : countText(c.get(u.kpis))))]),
    [110, ...cols.map(() => 52)],
  );

  if (r.unit.level === 'facility') {
    doc.font('R').fontSize(8).fillColor('#333333').text(
      'Ghi chú: báo cáo của cơ sở chỉ gồm số liệu từ hồ sơ KCB và lượt tiếp nhận của chính cơ sở; các chỉ số theo dân số thường trú do Sở Y tế báo cáo theo địa bàn. ' +
        'Tiếp nhận bằng định danh (ước tính): hồ sơ KCB có số định danh cá nhân. Cơ sở đã liên thông: có lô dữ liệu được chấp nhận trong 7 ngày cuối kỳ. ' +
        'Hiển thị trong 24 giờ: từ giờ ra viện đến khi hệ thống nhận hồ sơ.',
    );
    doc.end();
    return done;
  }
  doc.font('B').fontSize(11).text('3. Chất lượng dữ liệu (đúng, đủ, sạch, sống)');
  doc.moveDown(0.3);
  table(
    ['Đơn vị', 'Đúng', 'Đủ', 'Sạch', 'Sống', 'Cặp trùng chờ xử lý', 'Yêu cầu sửa đang mở / quá hạn', 'Đúng kỳ trước', 'Đủ kỳ trước'],
    r.current.map((u) => {
      const p = r.prior.get(u.unit.code);
      const c = u.kpis.quality.corrections;
      return [u.unit.name, percentText(u.kpis.quality.valid), percentText(u.kpis.quality.complete), percentText(u.kpis.quality.clean), percentText(u.kpis.quality.fresh),
        countText(u.kpis.quality.pendingReviews), `${countText(c.open)} / ${countText(c.overdue)}`, percentText(p?.quality.valid ?? null), percentText(p?.quality.complete ?? null)];
    }),
    [130, 60, 60, 60, 60, 85, 95, 75, 75],
  );
  doc.font('R').fontSize(8).fillColor('#333333').text(
    'Ghi chú: dân số là người thường trú có trong danh sách dân cư (MIS2022). Có hồ sơ: có hồ sơ định danh (đủ họ tên, ngày sinh, giới tính, số CCCD, địa chỉ và mã xã) ' +
      'và có dữ liệu sức khỏe (lần khám chữa bệnh, ghi nhận của trạm y tế, tiêm chủng hoặc tự khai). ' +
      'Tiếp nhận bằng định danh (ước tính): hồ sơ KCB của mọi cơ sở có số định danh cá nhân; không phân biệt được số đọc từ VNeID hay ghi tay. ' +
      'Tích hợp trên VNeID: người thường trú đã kích hoạt sổ và có số thẻ BHYT. Sống: có dữ liệu mới trong kỳ. ' +
      'Cơ sở đã liên thông: có lô dữ liệu được chấp nhận trong 7 ngày cuối kỳ. Hiển thị trong 24 giờ: từ giờ ra viện đến khi hệ thống nhận hồ sơ.',
  );
  doc.end();
  return done;
}
