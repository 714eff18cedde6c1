import { viDate } from '@openhssk/core';
import { type ChronicCare, countText as num, percentText as pct, type RegisterFigures, type UnitRef } from '@openhssk/core/api';

/**
 * Chronic-disease care in the communes of the selected unit (issue 15 item 4): 831 records at the
 * stations, and per register the patients managed, overdue follow-ups and the control rate. Live
 * figures as of today: the registers keep each patient's last visit, not a history, so the period
 * chosen above does not apply here — the section says so.
 */

function Register({ r }: { r: RegisterFigures }) {
  return (
    <>
      <td>{num(r.active)}</td>
      <td className={r.overdue > 0 ? 'bad' : undefined}>{num(r.overdue)}</td>
      <td>
        {pct(r.control_rate)}
        {r.cohort > 0 && <span className="muted"> ({`${num(r.controlled)}/${num(r.cohort)}`})</span>}
      </td>
    </>
  );
}

export function ChronicCareSection({ data, units, label, onDrill }: { data: ChronicCare; units: readonly UnitRef[]; label: (u: UnitRef) => string; onDrill: (code: string) => void }) {
  const byCode = new Map(data.units.map((u) => [u.unit, u]));
  const [own, ...children] = units;
  const row = (u: UnitRef, drill: boolean) => {
    const f = byCode.get(u.code);
    if (!f) return null;
    return (
      <tr key={u.code} data-unit={u.code}>
        <th scope="row">
          {drill ? (
            <button type="button" className="link" onClick={() => onDrill(u.code)}>
              {label(u)}
            </button>
          ) : (
            `Toàn ${label(u)}`
          )}
        </th>
        <td>
          {num(f.with_831)} <span className="muted">(đủ {num(f.complete_831)})</span>
        </td>
        <Register r={f.hypertension} />
        <Register r={f.diabetes} />
      </tr>
    );
  };
  return (
    <section className="card" aria-labelledby="chronic-title" data-testid="chronic-care">
      <h2 id="chronic-title">Quản lý bệnh không lây nhiễm tại trạm y tế</h2>
      <p className="muted">
        Số liệu đến ngày {viDate(data.as_of)} (không theo kỳ báo cáo đã chọn). Tỷ lệ kiểm soát: người bệnh đã quản lý đủ thời gian, lần khám gần nhất trong thời hạn và đạt
        ngưỡng kiểm soát.
      </p>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard */}
      <section className="table-wrap report-table" aria-label="Quản lý bệnh không lây nhiễm theo địa bàn" tabIndex={0}>
        <table>
          <thead>
            <tr>
              <th scope="col" rowSpan={2}>
                Đơn vị
              </th>
              <th scope="col" rowSpan={2}>
                Có phiếu 831
              </th>
              <th scope="colgroup" colSpan={3}>
                Tăng huyết áp
              </th>
              <th scope="colgroup" colSpan={3}>
                Đái tháo đường
              </th>
            </tr>
            <tr>
              <th scope="col">Đang quản lý</th>
              <th scope="col">Quá hẹn tái khám</th>
              <th scope="col">Tỷ lệ kiểm soát</th>
              <th scope="col">Đang quản lý</th>
              <th scope="col">Quá hẹn tái khám</th>
              <th scope="col">Tỷ lệ kiểm soát</th>
            </tr>
          </thead>
          <tbody>
            {children.map((u) => row(u, true))}
            {own && row(own, false)}
          </tbody>
        </table>
      </section>
    </section>
  );
}
