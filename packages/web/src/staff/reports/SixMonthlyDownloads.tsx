import { lastEndedHalfYear } from '@openhssk/core';
import { useState } from 'react';
import './reports.css';

/**
 * Year and half-year of a six-monthly report (Điều 8 QĐ 2733/QĐ-BYT) with its XLSX and PDF links;
 * `href` builds the address, so the health department's and a facility's report share the form.
 */
export function SixMonthlyDownloads({ title, href, testId }: { title: string; href: (year: number, half: 1 | 2, format: 'xlsx' | 'pdf') => string; testId?: string }) {
  const [year, setYear] = useState(() => lastEndedHalfYear().year);
  const [half, setHalf] = useState<1 | 2>(() => lastEndedHalfYear().half);
  const id = testId ?? 'six';
  return (
    <section className="six-monthly" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>{title}</h2>
      <div className="report-filters">
        <label>
          Năm
          <input type="number" min={2024} max={2100} value={year} onChange={(e) => setYear(Number(e.target.value))} />
        </label>
        <label>
          Kỳ
          <select value={half} onChange={(e) => setHalf(e.target.value === '1' ? 1 : 2)}>
            <option value="1">6 tháng đầu năm</option>
            <option value="2">6 tháng cuối năm</option>
          </select>
        </label>
        <a className="button" href={href(year, half, 'xlsx')} download data-testid={`${id}-xlsx`}>
          Tạo báo cáo (XLSX)
        </a>
        <a className="button secondary" href={href(year, half, 'pdf')} download data-testid={`${id}-pdf`}>
          Tạo báo cáo (PDF)
        </a>
      </div>
    </section>
  );
}
