import { viDate, viDateTime, vietnamToday } from '@openhssk/core';
import type { HouseholdRelation } from '@openhssk/core/mpi';
import ExcelJS from 'exceljs';
import { pdfTable, vietnamesePdf } from '../pdf/index.ts';
import { EVENT_KIND_VI, JOIN_REASON_VI, LEAVE_REASON_VI, RELATION_VI, SEX_VI } from './labels.ts';
import type { ExportRows, HouseholdView, MemberView } from './register.ts';

const relationText = (m: { relation: HouseholdRelation | null; relation_label: string | null }) => m.relation_label ?? (m.relation ? RELATION_VI[m.relation] : '');

export interface SheetHeader {
  communeName: string | null;
  communeCode: string;
  stationName: string | null;
  printedBy: string;
}

/** One household as a printable sheet (phiếu hộ gia đình): members now, members who left, events. */
export function householdSheetPdf(h: HouseholdView, header: SheetHeader): Promise<Buffer> {
  const title = `PHIẾU HỘ GIA ĐÌNH — MÃ HỘ ${h.household_code}`;
  const { doc, done } = vietnamesePdf({ size: 'A4', layout: 'landscape', margin: 32, info: { Title: title, Author: 'OpenHSSK' } });
  doc.font('R').fontSize(9).text(header.stationName ?? 'Trạm Y tế', { continued: false });
  doc.text(`${header.communeName ?? 'Xã'} (mã ${header.communeCode})`);
  doc.moveDown(0.5);
  doc.font('B').fontSize(14).text(title, { align: 'center' });
  doc.font('R').fontSize(10).moveDown(0.3);
  doc.text(`Thôn/Tổ dân phố: ${h.hamlet ?? '—'}`);
  doc.text(`Địa chỉ: ${h.address ?? '—'}`);
  doc.text(`Chủ hộ: ${h.head_name ?? 'chưa xác định'}`);
  doc.text(`Số thành viên hiện tại: ${h.members}${h.dissolved_on ? ` (hộ không còn thành viên từ ${viDate(h.dissolved_on, '')})` : ''}`);
  doc.moveDown(0.6);

  const table = (headers: string[], rows: string[][], widths: number[]) => pdfTable(doc, headers, rows, widths);
  const memberRow = (m: MemberView, i: number, past: boolean) => [
    String(i + 1),
    m.ho_ten,
    viDate(m.ngay_sinh, ''),
    m.gioi_tinh ? (SEX_VI[m.gioi_tinh] ?? '') : '',
    relationText(m),
    m.so_cccd ?? '',
    m.so_bhyt ?? '',
    m.so_dien_thoai ?? '',
    `${viDate(m.joined_on, '')}${m.joined_on ? ' — ' : ''}${JOIN_REASON_VI[m.joined_reason]}`,
    past ? `${viDate(m.left_on, '')} — ${m.left_reason ? LEAVE_REASON_VI[m.left_reason] : ''}` : m.deceased_on ? `Tử vong ${viDate(m.deceased_on, '')}` : '',
  ];
  const headers = ['STT', 'Họ và tên', 'Ngày sinh', 'Giới tính', 'Quan hệ với chủ hộ', 'Số CCCD', 'Số thẻ BHYT', 'Điện thoại', 'Vào hộ', 'Rời hộ'];
  const widths = [24, 125, 58, 45, 94, 74, 86, 64, 112, 88];
  doc.font('B').fontSize(11).text('1. Thành viên hiện tại');
  doc.moveDown(0.3);
  table(headers, h.members_current.map((m, i) => memberRow(m, i, false)), widths);
  if (h.members_past.length > 0) {
    doc.font('B').fontSize(11).text('2. Thành viên đã rời hộ');
    doc.moveDown(0.3);
    table(headers, h.members_past.map((m, i) => memberRow(m, i, true)), widths);
  }
  if (h.events.length > 0) {
    doc.font('B').fontSize(11).text(`${h.members_past.length > 0 ? 3 : 2}. Biến động ghi nhận tại trạm`);
    doc.moveDown(0.3);
    table(
      ['Ngày', 'Biến động', 'Người', 'Ghi nhận bởi', 'Ghi chú'],
      h.events.map((e) => [viDate(e.occurred_on, ''), EVENT_KIND_VI[e.kind], e.person_name ?? '', e.recorded_by_name ?? '', String(e.details.note ?? e.details.destination ?? e.details.from ?? '')]),
      [70, 80, 160, 160, 307],
    );
  }
  doc.font('R').fontSize(8).fillColor('#333333').text(`In lúc ${viDateTime(new Date())} bởi ${header.printedBy}. Dữ liệu từ sổ hộ gia đình của trạm y tế (OpenHSSK).`);
  doc.end();
  return done;
}

/** The commune's household list as a workbook: households, then members with their household. */
export async function householdListXlsx(rows: ExportRows, header: SheetHeader): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'OpenHSSK';
  const place = `${header.communeName ?? 'Xã'} (mã ${header.communeCode})`;
  const hs = wb.addWorksheet('Hộ gia đình');
  hs.addRow([`Danh sách hộ gia đình — ${place}`]).font = { bold: true, size: 13 };
  hs.addRow([`Lập ngày ${viDate(vietnamToday())} bởi ${header.printedBy}`]);
  hs.addRow(['Mã hộ', 'Thôn/Tổ dân phố', 'Địa chỉ', 'Chủ hộ', 'Số thành viên']).font = { bold: true };
  for (const h of rows.households) hs.addRow([h.household_code, h.hamlet ?? '', h.address ?? '', h.head_name ?? '', h.members]);
  hs.getColumn(1).width = 16;
  hs.getColumn(2).width = 22;
  hs.getColumn(3).width = 50;
  hs.getColumn(4).width = 28;
  hs.views = [{ state: 'frozen', ySplit: 3 }];

  const ms = wb.addWorksheet('Thành viên');
  ms.addRow([`Thành viên hộ gia đình — ${place}`]).font = { bold: true, size: 13 };
  ms.addRow([]);
  ms.addRow(['Mã hộ', 'Thôn/Tổ dân phố', 'Họ và tên', 'Ngày sinh', 'Giới tính', 'Quan hệ với chủ hộ', 'Số CCCD', 'Số thẻ BHYT', 'Điện thoại', 'Ngày vào hộ', 'Lý do vào hộ']).font = {
    bold: true,
  };
  for (const m of rows.members) {
    ms.addRow([
      m.household_code, m.hamlet ?? '', m.ho_ten, viDate(m.ngay_sinh, ''), m.gioi_tinh ? (SEX_VI[m.gioi_tinh] ?? '') : '', relationText(m), m.so_cccd ?? '', m.so_bhyt ?? '',
      m.so_dien_thoai ?? '', viDate(m.joined_on, ''), JOIN_REASON_VI[m.joined_reason],
    ]);
  }
  for (const [i, w] of [16, 22, 28, 12, 10, 18, 16, 18, 14, 12, 22].entries()) ms.getColumn(i + 1).width = w;
  ms.views = [{ state: 'frozen', ySplit: 3 }];
  return Buffer.from(await wb.xlsx.writeBuffer());
}
