import type ExcelJS from 'exceljs';

/**
 * The rows of a report sheet below its header row (the first row whose first cell is `firstHeader`),
 * each keyed by its column title: tests read a downloaded XLSX back by what the header says.
 */
export function sheetRows(ws: ExcelJS.Worksheet, firstHeader: string): Array<Record<string, unknown>> {
  let header: string[] | undefined;
  const out: Array<Record<string, unknown>> = [];
  ws.eachRow((row) => {
    const vals = (row.values as unknown[]).slice(1);
    if (!header) {
      if (vals[0] === firstHeader) header = vals.map(String);
      return;
    }
    out.push(Object.fromEntries(header.map((h, i) => [h, vals[i] ?? null])));
  });
  if (!header) throw new Error(`no header row starting "${firstHeader}" in sheet ${ws.name}`);
  return out;
}
