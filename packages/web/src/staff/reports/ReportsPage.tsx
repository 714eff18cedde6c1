import { lastEndedHalfYear, vietnamToday } from '@openhssk/core';
import { type ChronicCare, type Kpis, countText as num, percentText as pct, type Target, type TargetStatus, type TargetStatuses, type Targets, targetText, type UnitRef } from '@openhssk/core/api';
import { useEffect, useMemo, useState } from 'react';
import { ApiProblem, get } from '../http.ts';
import { Chart } from './Chart.tsx';
import { ChronicCareSection } from './ChronicCareSection.tsx';
import { CoverageSection } from './CoverageSection.tsx';
import { SixMonthlyDownloads } from './SixMonthlyDownloads.tsx';
import { TargetsEditor } from './TargetsEditor.tsx';
import { WeeklyProgress } from './WeeklyProgress.tsx';
import './reports.css';

type Level = UnitRef['level'];
type Unit = UnitRef;


interface KpiResponse {
  unit: Unit;
  period: { from: string; to: string };
  path: Unit[];
  /** Targets in force for the unit and period (its own, inherited or the plans' default) and where it stands. */
  targets: Targets;
  statuses: TargetStatuses;
  delayBuckets: string[];
  kpis: Kpis;
  children: Array<{ unit: Unit; kpis: Kpis; targets: Targets; statuses: TargetStatuses }>;
  monthly: Array<{ month: string; episodes: number; visibleWithin24h: number; discharged: number }>;
  chronic_care: ChronicCare;
}

const LEVEL_VI: Record<Level, string> = { province: 'Tỉnh', district: 'Huyện', commune: 'Xã' };

const KIND = /^(xã|phường|thị trấn|thị xã|thành phố|huyện|quận|tỉnh|đặc khu)\s/i;

/** Demo and registry names often carry their kind already ("xã Nghĩa Kỳ"); add it only when missing. */
function unitLabel(u: Unit): string {
  const name = KIND.test(u.name) ? u.name : `${LEVEL_VI[u.level]} ${u.name}`;
  return name.charAt(0).toLocaleUpperCase('vi') + name.slice(1);
}

const qs = (p: Record<string, string>) => new URLSearchParams(p).toString();

/** One node of the area tree; children are fetched when opened. */
function TreeNode({ unit, period, selected, onSelect }: { unit: Unit; period: { from: string; to: string }; selected: string; onSelect: (code: string) => void }) {
  const [open, setOpen] = useState(false);
  const [kids, setKids] = useState<Unit[] | null>(null);
  const toggle = () => {
    if (!open && kids === null) {
      void get<{ units: Unit[] }>(`/api/v1/reports/units?${qs({ parent: unit.code, ...period })}`).then(
        (r) => setKids(r.units),
        () => setKids([]),
      );
    }
    setOpen(!open);
  };
  return (
    <li>
      {unit.level !== 'commune' ? (
        <button type="button" className="tree-toggle" aria-expanded={open} aria-label={`${open ? 'Thu gọn' : 'Mở'} ${unitLabel(unit)}`} onClick={toggle}>
          {open ? '▾' : '▸'}
        </button>
      ) : (
        <span className="tree-toggle" aria-hidden="true" />
      )}
      <button type="button" className={`link${selected === unit.code ? ' current' : ''}`} aria-current={selected === unit.code ? 'true' : undefined} onClick={() => onSelect(unit.code)}>
        {unitLabel(unit)}
      </button>
      {open && kids && kids.length > 0 && (
        <ul>
          {kids.map((k) => (
            <TreeNode key={k.code} unit={k} period={period} selected={selected} onSelect={onSelect} />
          ))}
        </ul>
      )}
    </li>
  );
}

/** The card's target line, coloured by the status the server computed (no data: no colour). */
function targetLine(t: Target, status: TargetStatus): { ok: boolean; text: string } | undefined {
  if (status === 'no_data') return undefined;
  return { ok: status === 'met', text: `Mục tiêu ${targetText(t)} · ${status === 'met' ? 'Đạt' : 'Chưa đạt'}` };
}

const cellClass = (status: TargetStatus) => (status === 'not_met' ? 'bad' : status === 'met' ? 'good' : undefined);

function Card({ title, value, detail, target }: { title: string; value: string; detail?: string | undefined; target?: { ok: boolean; text: string } | undefined }) {
  return (
    <div className="kpi-card">
      <div className="kpi-title">{title}</div>
      <div className="kpi-value">{value}</div>
      {detail && <div className="kpi-detail">{detail}</div>}
      {target && <div className={`kpi-target ${target.ok ? 'ok' : 'bad'}`}>{target.text}</div>}
    </div>
  );
}

/**
 * Health-department dashboard (issue 8): KPIs of an area and its sub-areas for a period,
 * drill-down province → district → commune, XLSX export and the six-monthly report.
 */
export function ReportsPage({ initialUnit }: { initialUnit?: string | undefined }) {
  const year = Number(vietnamToday().slice(0, 4));
  const [from, setFrom] = useState(`${year}-01-01`);
  const [to, setTo] = useState(vietnamToday());
  const [unit, setUnit] = useState<string | undefined>(initialUnit);
  const [roots, setRoots] = useState<Unit[]>([]);
  const [data, setData] = useState<KpiResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  // Bumped after a target is saved so the dashboard re-reads its colours.
  const [targetsVersion, setTargetsVersion] = useState(0);
  const period = useMemo(() => ({ from, to }), [from, to]);

  useEffect(() => {
    get<{ units: Unit[] }>(`/api/v1/reports/units?${qs(period)}`).then(
      (r) => {
        setRoots(r.units);
        setUnit((u) => u ?? r.units[0]?.code);
      },
      (e: unknown) => setError(e instanceof ApiProblem ? e.message : 'Không tải được danh sách địa bàn.'),
    );
  }, [period]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: targetsVersion re-reads the figures' colours after a target is saved
  useEffect(() => {
    if (!unit) return;
    setLoading(true);
    get<KpiResponse>(`/api/v1/reports/kpis?${qs({ unit, ...period })}`).then(
      (r) => {
        setData(r);
        setError(null);
        setLoading(false);
      },
      (e: unknown) => {
        setError(e instanceof ApiProblem ? e.message : 'Không tải được số liệu.');
        setLoading(false);
      },
    );
  }, [unit, period, targetsVersion]);

  const delayOption = useMemo(
    () =>
      data && {
        tooltip: { trigger: 'axis' },
        grid: { left: 48, right: 16, top: 24, bottom: 40 },
        xAxis: { type: 'category', data: data.delayBuckets, name: 'Ra viện → nhận hồ sơ', nameLocation: 'middle', nameGap: 28 },
        yAxis: { type: 'value', name: 'Hồ sơ' },
        series: [{ type: 'bar', name: 'Hồ sơ', data: data.kpis.delayBuckets.map((v, i) => ({ value: v, itemStyle: { color: i < 3 ? '#1e7a3c' : '#b45309' } })) }],
      },
    [data],
  );
  const monthlyOption = useMemo(
    () =>
      data && {
        tooltip: { trigger: 'axis' },
        legend: { top: 0 },
        grid: { left: 48, right: 16, top: 32, bottom: 28 },
        xAxis: { type: 'category', data: data.monthly.map((m) => m.month) },
        yAxis: { type: 'value' },
        series: [
          { type: 'bar', name: 'Hồ sơ nhận được', data: data.monthly.map((m) => m.episodes), itemStyle: { color: '#0f3d6e' } },
          { type: 'line', name: 'Hiển thị trong 24 giờ', data: data.monthly.map((m) => m.visibleWithin24h), itemStyle: { color: '#1e7a3c' } },
        ],
      },
    [data],
  );

  const k = data?.kpis;
  const t = data?.targets;
  const xlsxHref = data ? `/api/v1/reports/kpis.xlsx?${qs({ unit: data.unit.code, ...period })}` : undefined;

  return (
    // The portal's <main> holds this page: a second one would be a nested landmark.
    <div className="reports">
      <h1>Báo cáo Sổ sức khỏe điện tử</h1>
      <form className="report-filters" onSubmit={(e) => e.preventDefault()}>
        <label>
          Từ ngày
          <input type="date" value={from} max={to} onChange={(e) => e.target.value && setFrom(e.target.value)} />
        </label>
        <label>
          Đến ngày
          <input type="date" value={to} min={from} onChange={(e) => e.target.value && setTo(e.target.value)} />
        </label>
        <label>
          Địa bàn
          <select value={unit ?? ''} onChange={(e) => setUnit(e.target.value)}>
            {[...(data?.path ?? roots), ...(data?.children.map((c) => c.unit) ?? [])]
              .filter((u, i, all) => all.findIndex((x) => x.code === u.code) === i)
              .map((u) => (
                <option key={u.code} value={u.code}>
                  {unitLabel(u)}
                </option>
              ))}
          </select>
        </label>
      </form>

      {error && (
        <p role="alert" className="status warn">
          {error}
        </p>
      )}

      <div className="report-layout">
        <nav aria-label="Cây địa bàn" className="unit-tree">
          <ul>
            {roots.map((r) => (
              <TreeNode key={r.code} unit={r} period={period} selected={unit ?? ''} onSelect={setUnit} />
            ))}
          </ul>
        </nav>

        <section aria-busy={loading} className="report-body">
          {!data && !error && <ReportSkeleton />}
          {data && k && t && (
            <>
              <nav aria-label="Đường dẫn địa bàn" className="crumbs">
                {data.path.map((u, i) => (
                  <span key={u.code}>
                    {i > 0 && ' › '}
                    {u.code === data.unit.code ? (
                      <strong>{unitLabel(u)}</strong>
                    ) : (
                      <button type="button" className="link" onClick={() => setUnit(u.code)}>
                        {unitLabel(u)}
                      </button>
                    )}
                  </span>
                ))}
              </nav>
              <h2 data-testid="report-unit">{unitLabel(data.unit)}</h2>

              <div className="kpi-cards">
                <Card title="Dân số thường trú (MIS2022)" value={num(k.residents)} />
                <Card
                  title="Có hồ sơ sức khỏe"
                  value={pct(k.rates.withRecord)}
                  detail={`${num(k.withRecord)} người có dữ liệu sức khỏe · Có hồ sơ định danh: ${pct(k.rates.withIdentity)}`}
                  target={targetLine(t.withRecord, data.statuses.withRecord)}
                />
                <Card title="Có số BHYT" value={pct(k.rates.withBhyt)} detail={`${num(k.withBhyt)} người`} />
                <Card title="Kích hoạt sổ" value={pct(k.rates.activated)} detail={`${num(k.activated)} người`} />
                <Card
                  title="Tích hợp trên VNeID (thường trú)"
                  value={pct(k.rates.integratedResidents)}
                  detail={`${num(k.integratedResidents)} người kích hoạt sổ và có thẻ BHYT`}
                  target={targetLine(t.integratedResidents, data.statuses.integratedResidents)}
                />
                <Card
                  title="Hồ sơ KCB có số định danh cá nhân"
                  value={pct(k.rates.identified)}
                  detail={`Ước tính tiếp nhận bằng định danh: ${num(k.episodesWithCccd)}/${num(k.episodes)} hồ sơ. Tại quầy OpenHSSK: ${num(k.personalIdCheckins)}/${num(k.checkins)} lượt bằng số định danh, ${num(k.vneidCheckins)} bằng VNeID`}
                  target={targetLine(t.identified, data.statuses.identified)}
                />
                <Card
                  title="Cơ sở BHYT đã liên thông"
                  value={pct(k.rates.integrated)}
                  detail={`${num(k.integratedFacilities)}/${num(k.insuredFacilities)} cơ sở`}
                  target={targetLine(t.integratedFacilities, data.statuses.integratedFacilities)}
                />
                <Card title="Hồ sơ KCB nhận được" value={num(k.episodes)} detail={`Hiển thị trong 24 giờ: ${pct(k.rates.visible24h)}`} />
                <Card title="Chuyển tuyến / hẹn khám lại" value={`${num(k.referrals)} / ${num(k.reexams)}`} />
                <Card
                  title="Chất lượng dữ liệu"
                  value={`Đúng ${pct(k.quality.valid)}`}
                  detail={`Đủ ${pct(k.quality.complete)} · Sạch ${pct(k.quality.clean)} · Sống ${pct(k.quality.fresh)} · Yêu cầu sửa thông tin: ${num(k.quality.corrections.open)} đang mở, ${num(k.quality.corrections.overdue)} quá hạn`}
                />
              </div>

              <p className="exports">
                <a className="button" href={xlsxHref} download data-testid="kpi-xlsx">
                  Tải bảng chỉ số (XLSX)
                </a>
              </p>

              {data.children.length > 0 && (
                // Focusable so a keyboard can scroll it on a phone (axe: scrollable-region-focusable).
                // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must be reachable by keyboard
                <section className="table-wrap report-table" aria-label="Chỉ số theo địa bàn trực thuộc" tabIndex={0}>
                  <table>
                    <caption>Chỉ số theo địa bàn trực thuộc</caption>
                    <thead>
                      <tr>
                        <th scope="col">Địa bàn</th>
                        <th scope="col">Dân số</th>
                        <th scope="col">Có hồ sơ</th>
                        <th scope="col">Có BHYT</th>
                        <th scope="col">Kích hoạt sổ</th>
                        <th scope="col">Có số định danh</th>
                        <th scope="col">Liên thông</th>
                        <th scope="col">Hồ sơ KCB</th>
                        <th scope="col">Trong 24 giờ</th>
                        <th scope="col">Đúng / Đủ</th>
                      </tr>
                    </thead>
                    <tbody>
                      {data.children.map((c) => (
                        <tr key={c.unit.code}>
                          <th scope="row">
                            <button type="button" className="link" onClick={() => setUnit(c.unit.code)}>
                              {unitLabel(c.unit)}
                            </button>
                          </th>
                          <td>{num(c.kpis.residents)}</td>
                          <td className={cellClass(c.statuses.withRecord)}>{pct(c.kpis.rates.withRecord)}</td>
                          <td>{pct(c.kpis.rates.withBhyt)}</td>
                          <td>{pct(c.kpis.rates.activated)}</td>
                          <td className={cellClass(c.statuses.identified)}>{pct(c.kpis.rates.identified)}</td>
                          <td className={cellClass(c.statuses.integratedFacilities)}>{pct(c.kpis.rates.integrated)}</td>
                          <td>{num(c.kpis.episodes)}</td>
                          <td>{pct(c.kpis.rates.visible24h)}</td>
                          <td>
                            {pct(c.kpis.quality.valid)} / {pct(c.kpis.quality.complete)}
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </section>
              )}

              <div className="charts">
                <figure>
                  <figcaption>Thời gian từ ra viện đến khi hồ sơ hiển thị</figcaption>
                  {delayOption && <Chart option={delayOption} label="Biểu đồ phân bố độ trễ hiển thị hồ sơ" />}
                  {/* Wider than a phone: the table scrolls inside its own region, reachable by keyboard. */}
                  {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must take focus to be scrolled without a mouse (WCAG 2.1.1) */}
                  <section className="table-scroll" aria-label="Bảng phân bố độ trễ (cuộn ngang)" tabIndex={0}>
                  <table className="compact">
                    <caption className="sr-only">Phân bố độ trễ</caption>
                    <tbody>
                      <tr>
                        {data.delayBuckets.map((b) => (
                          <th key={b} scope="col">
                            {b}
                          </th>
                        ))}
                      </tr>
                      <tr>
                        {k.delayBuckets.map((v, i) => (
                          <td key={data.delayBuckets[i]}>{num(v)}</td>
                        ))}
                      </tr>
                    </tbody>
                  </table>
                  </section>
                </figure>
                <figure>
                  <figcaption>Hồ sơ khám chữa bệnh nhận được theo tháng</figcaption>
                  {monthlyOption && <Chart option={monthlyOption} label="Biểu đồ số hồ sơ nhận được theo tháng" />}
                </figure>
              </div>
              <p className="note">Các bảng trên có trong tệp XLSX (trang “Chỉ số”, “Độ trễ hiển thị”, “Theo tháng”).</p>

              <SixMonthlyDownloads
                title="Báo cáo 6 tháng (Điều 8 QĐ 2733/QĐ-BYT)"
                href={(year, half, format) => `/api/v1/reports/six-monthly?${qs({ unit: data.unit.code, year: String(year), half: String(half), format })}`}
              />

              <WeeklyProgress unitCode={data.unit.code} />

              <CoverageSection unitCode={data.unit.code} onDrill={setUnit} />

              <ChronicCareSection data={data.chronic_care} units={[data.unit, ...data.children.map((c) => c.unit)]} label={unitLabel} onDrill={setUnit} />

              <TargetsEditor unitCode={data.unit.code} unitName={unitLabel(data.unit)} defaultYear={Number(to.slice(0, 4))} onSaved={() => setTargetsVersion((n) => n + 1)} />
            </>
          )}
        </section>
      </div>
    </div>
  );
}

/** Placeholder shapes while the first figures load, so the page does not sit blank. */
function ReportSkeleton() {
  return (
    <div className="report-skeleton" aria-hidden="true">
      <div className="skeleton-line wide" />
      <div className="kpi-cards">
        {Array.from({ length: 6 }, (_, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: fixed placeholders without identity
          <div key={i} className="kpi-card skeleton-card" />
        ))}
      </div>
    </div>
  );
}
