import { viDate, viNumber } from '@openhssk/core';
import type { FollowUpRow, RegisterDef } from '../api.ts';

/**
 * The register's main reading over the visits, as a small inline SVG (no chart library on a cheap
 * phone), with the control threshold of the register's data drawn as a dashed line.
 */
export function Trend({ rows, register }: { rows: FollowUpRow[]; register: RegisterDef | undefined }) {
  if (!register || rows.length < 2) return null;
  const rule = register.control;
  const series: Array<{ name: string; values: Array<number | null>; limit: number | null; unit: string }> =
    rule.kind === 'blood_pressure'
      ? [
          { name: 'Tâm thu', values: rows.map((r) => r.sbp), limit: rule.sbpBelow, unit: 'mmHg' },
          { name: 'Tâm trương', values: rows.map((r) => r.dbp), limit: rule.dbpBelow, unit: 'mmHg' },
        ]
      : rule.kind === 'glycaemia'
        ? rows.some((r) => r.hba1c !== null)
          ? [{ name: 'HbA1c', values: rows.map((r) => r.hba1c), limit: rule.hba1cBelow, unit: '%' }]
          : [{ name: 'Đường huyết', values: rows.map((r) => r.glucose_mmol), limit: rule.fastingMax, unit: 'mmol/L' }]
        : [];
  const all = series.flatMap((s) => [...s.values.filter((v): v is number => v !== null), ...(s.limit ? [s.limit] : [])]);
  if (all.length === 0) return null;
  const W = 300;
  const H = 90;
  const lo = Math.min(...all) * 0.9;
  const hi = Math.max(...all) * 1.05;
  const x = (i: number) => 8 + (i * (W - 16)) / Math.max(rows.length - 1, 1);
  const y = (v: number) => H - 6 - ((v - lo) / (hi - lo || 1)) * (H - 12);
  const last = rows[rows.length - 1]!;
  const summary = series.map((s) => `${s.name} lần cuối ${viNumber(s.values[s.values.length - 1] ?? 0)} ${s.unit}${s.limit ? `, ngưỡng ${viNumber(s.limit)}` : ''}`).join('; ');
  return (
    <figure className="st-trend">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`Diễn biến ${rows.length} lần theo dõi từ ${viDate(rows[0]!.visit_date)} đến ${viDate(last.visit_date)}: ${summary}`}>
        {series.map((s, si) => (
          <g key={s.name} className={`st-series s${si}`}>
            {s.limit !== null && <line x1={0} x2={W} y1={y(s.limit)} y2={y(s.limit)} className="limit" />}
            <polyline
              fill="none"
              points={s.values
                .map((v, i) => (v === null ? null : `${x(i)},${y(v)}`))
                .filter(Boolean)
                .join(' ')}
            />
            {s.values.map((v, i) => (v === null ? null : <circle key={`${s.name}-${rows[i]!.id}`} cx={x(i)} cy={y(v)} r={3} />))}
          </g>
        ))}
      </svg>
      <figcaption className="muted small">{summary}</figcaption>
    </figure>
  );
}
