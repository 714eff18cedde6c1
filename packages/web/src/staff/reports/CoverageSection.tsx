import { viDate, viDateTime, vietnamToday, viNumber } from '@openhssk/core';
import type { ImmCoverage, ImmCoverageIndicator } from '@openhssk/core/api';
import { useEffect, useState } from 'react';
import { ApiProblem, get } from '../http.ts';

/**
 * Immunization coverage of the selected unit (issue 16): the three programme indicators for the unit
 * and each unit under it, a unit's name drills down, the table downloads as XLSX. Figures come from
 * the precomputed summary (refreshed in the background); the section says how old they are.
 */

const share = (i: ImmCoverageIndicator) =>
  i.percent === null ? '—' : `${viNumber(i.percent, 1)} % (${viNumber(i.numerator, 0)}/${viNumber(i.denominator, 0)})`;
const monthVi = (m: string) => viDate(m.slice(0, 7));

export function CoverageSection({ unitCode, onDrill }: { unitCode: string; onDrill: (code: string) => void }) {
  const [month, setMonth] = useState(() => vietnamToday().slice(0, 7));
  const [data, setData] = useState<ImmCoverage | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    setError(null);
    get<ImmCoverage>(`/api/v1/immunization/coverage?unit=${encodeURIComponent(unitCode)}&month=${month}`).then(
      (d) => live && setData(d),
      (e: unknown) => live && setError(e instanceof ApiProblem ? e.message : 'Không tải được tỷ lệ tiêm chủng.'),
    );
    return () => {
      live = false;
    };
  }, [unitCode, month]);
  return (
    <section className="card" aria-labelledby="coverage-title" data-testid="coverage">
      <h2 id="coverage-title">Tỷ lệ tiêm chủng</h2>
      <div className="report-filters">
        <label>
          Tháng
          <input type="month" value={month} onChange={(e) => e.target.value && setMonth(e.target.value)} />
        </label>
        {data && (
          <a className="button secondary" href={`/api/v1/immunization/coverage?unit=${encodeURIComponent(data.unit.code)}&month=${month}&format=xlsx`} download>
            Tải bảng (XLSX)
          </a>
        )}
      </div>
      {error && (
        <p role="alert" className="status warn">
          {error}
        </p>
      )}
      {data && (
        <>
          <p className="muted">
            Mẫu số: trẻ trong sổ dân cư (MPI) của địa bàn. Viêm gan B sơ sinh: trẻ sinh từ {monthVi(data.cohorts.hepb_birth_24h[0])} đến {monthVi(data.cohorts.hepb_birth_24h[1])};
            tiêm chủng đầy đủ dưới 1 tuổi: trẻ sinh từ {monthVi(data.cohorts.fully_immunized_u1[0])} đến {monthVi(data.cohorts.fully_immunized_u1[1])}; MR trước 24 tháng:
            trẻ sinh từ {monthVi(data.cohorts.mr_by_24m[0])} đến {monthVi(data.cohorts.mr_by_24m[1])}.
            {data.oldest_refresh ? ` Số liệu tổng hợp lúc ${viDateTime(data.oldest_refresh)}.` : ' Số liệu chưa được tổng hợp.'}
            {data.stale_communes > 0 ? ` ${viNumber(data.stale_communes, 0)} xã đang chờ cập nhật.` : ''}
          </p>
          {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard */}
          <section className="table-wrap report-table" aria-label="Tỷ lệ tiêm chủng theo địa bàn trực thuộc" tabIndex={0}>
            <table>
              <thead>
                <tr>
                  <th scope="col">Đơn vị</th>
                  <th scope="col">Viêm gan B sơ sinh trong 24 giờ</th>
                  <th scope="col">Tiêm chủng đầy đủ dưới 1 tuổi</th>
                  <th scope="col">MR trước 24 tháng</th>
                </tr>
              </thead>
              <tbody>
                {data.rows.map((r) => (
                  <tr key={r.code}>
                    <th scope="row">
                      <button type="button" className="link" onClick={() => onDrill(r.code)}>
                        {r.name}
                      </button>
                    </th>
                    <td>{share(r.hepb_birth_24h)}</td>
                    <td>{share(r.fully_immunized_u1)}</td>
                    <td>{share(r.mr_by_24m)}</td>
                  </tr>
                ))}
                <tr>
                  <th scope="row">Toàn {data.unit.name}</th>
                  <td>{share(data.total.hepb_birth_24h)}</td>
                  <td>{share(data.total.fully_immunized_u1)}</td>
                  <td>{share(data.total.mr_by_24m)}</td>
                </tr>
              </tbody>
            </table>
          </section>
        </>
      )}
    </section>
  );
}
