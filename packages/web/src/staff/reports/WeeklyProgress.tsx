import { viNumber } from '@openhssk/core';
import { countText, percentText } from '@openhssk/core/api';
import { useEffect, useState } from 'react';
import { ApiProblem, get, viDate, viDateTime } from '../http.ts';

interface WeeklyRow {
  unit: { code: string; name: string; level: 'province' | 'district' | 'commune' };
  insuredFacilities: number;
  integratedFacilities: number;
  episodes: number;
  identifiedRate: number | null;
  withHealthData: number | null;
  change: { integratedFacilities: number; identifiedRate: number | null; withHealthData: number | null } | null;
}
interface WeeklyResponse {
  weekEnd: string;
  period: { from: string; to: string };
  takenAt: string | null;
  previousWeekEnd: string;
  rows: WeeklyRow[];
  weeks: string[];
}

const num = countText;
const pct = percentText;
const sign = (n: number) => (n > 0 ? '+' : n < 0 ? '−' : '±');
const delta = (n: number | null | undefined) => (n === null || n === undefined ? '—' : `${sign(n)}${viNumber(Math.abs(n), 0)}`);
const deltaPts = (v: number | null | undefined) => (v === null || v === undefined ? '—' : `${sign(v)}${viNumber(Math.abs(v * 100), 1)} điểm %`);

/** The weekly Đề án 06 progress table of a unit: stored snapshots (week ending Thursday 15:00). */
export function WeeklyProgress({ unitCode }: { unitCode: string }) {
  const [week, setWeek] = useState<string | undefined>(undefined);
  const [data, setData] = useState<WeeklyResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const q = new URLSearchParams({ unit: unitCode, ...(week ? { week } : {}) });
    get<WeeklyResponse>(`/api/v1/reports/weekly?${q}`).then(
      (r) => {
        setData(r);
        setError(null);
      },
      (e: unknown) => setError(e instanceof ApiProblem ? e.message : 'Không tải được bảng tiến độ tuần.'),
    );
  }, [unitCode, week]);
  const weeks = data ? [...new Set([data.weekEnd, ...data.weeks])].sort().reverse() : [];
  return (
    <section className="weekly" aria-labelledby="weekly-h">
      <h2 id="weekly-h">Tiến độ Đề án 06 hằng tuần</h2>
      {error && (
        <p role="alert" className="status warn">
          {error}
        </p>
      )}
      {data && (
        <>
          <div className="report-filters">
            <label>
              Tuần (chốt 15:00 thứ Năm)
              <select value={data.weekEnd} onChange={(e) => setWeek(e.target.value)} data-testid="weekly-week">
                {weeks.map((w) => (
                  <option key={w} value={w}>
                    đến {viDate(w)}
                  </option>
                ))}
              </select>
            </label>
            {data.rows.length > 0 && (
              <a className="button" href={`/api/v1/reports/weekly.xlsx?${new URLSearchParams({ unit: unitCode, week: data.weekEnd })}`} download data-testid="weekly-xlsx">
                Tải bảng tuần (XLSX)
              </a>
            )}
          </div>
          {data.rows.length === 0 ? (
            <p className="muted">Chưa có số liệu chốt cho tuần {viDate(data.period.from)}–{viDate(data.period.to)}: số liệu được chốt tự động sau 15:00 thứ Năm.</p>
          ) : (
            <>
              <p className="note">
                Cột: cơ sở KCB BHYT đã liên thông / tổng số; tỷ lệ hồ sơ KCB trong tuần có số định danh cá nhân; người thường trú có sổ sức khỏe có dữ liệu. Dòng dưới: thay đổi so với tuần trước.
              </p>
              <p className="note">
                Tuần {viDate(data.period.from)}–{viDate(data.period.to)}, chốt lúc {viDateTime(data.takenAt)}; thay đổi so với tuần kết thúc {viDate(data.previousWeekEnd)}.
              </p>
              {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must take focus to be scrolled without a mouse (WCAG 2.1.1) */}
              <section className="table-wrap report-table" aria-label="Bảng tiến độ tuần theo địa bàn" tabIndex={0}>
                <table data-testid="weekly-table">
                  <thead>
                    <tr>
                      <th scope="col">Địa bàn</th>
                      <th scope="col">Cơ sở liên thông</th>
                      <th scope="col">Có số định danh</th>
                      <th scope="col">Sổ có dữ liệu</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.rows.map((r) => (
                      <tr key={r.unit.code}>
                        <th scope="row">{r.unit.name}</th>
                        <td>
                          {num(r.integratedFacilities)}/{num(r.insuredFacilities)}{' '}
                          <br />
                          <small>{delta(r.change?.integratedFacilities)}</small>
                        </td>
                        <td>
                          {pct(r.identifiedRate)} <small>({num(r.episodes)} hồ sơ)</small>
                          <br />
                          <small>{deltaPts(r.change?.identifiedRate)}</small>
                        </td>
                        <td>
                          {num(r.withHealthData)}{' '}
                          <br />
                          <small>{delta(r.change?.withHealthData)}</small>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </section>
            </>
          )}
        </>
      )}
    </section>
  );
}
