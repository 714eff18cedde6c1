import { viNumber } from '@openhssk/core';
import type { Target, TargetIndicator } from '@openhssk/core/api';
import { useEffect, useState } from 'react';
import { ApiProblem, get, put } from '../http.ts';

interface TargetRow extends Target {
  indicator: TargetIndicator;
  title: string;
}

interface TargetsResponse {
  unit: { code: string; name: string };
  year: number;
  half: 0 | 1 | 2;
  editable: boolean;
  targets: TargetRow[];
}

const HALF_VI = { 0: 'Cả năm', 1: '6 tháng đầu năm', 2: '6 tháng cuối năm' } as const;

/** The share as the percentage a person types: "92,5" (a comma, as everywhere else; both are read back). */
const pctValue = (v: number) => viNumber(v * 100, 1);

function source(t: TargetRow, unitCode: string): string {
  if (!t.setBy) return 'Mặc định theo kế hoạch';
  const period = t.setBy.half === 0 ? '' : ` (${HALF_VI[t.setBy.half].toLocaleLowerCase('vi')})`;
  return t.setBy.unitCode === unitCode ? `Đơn vị đặt${period}` : `Theo mục tiêu của ${t.setBy.unitName}${period}`;
}

/**
 * Targets of the selected unit for a year or half-year. Everyone who sees the dashboard reads them;
 * only a system admin or a province officer (the server says which: `editable`) can change them.
 */
export function TargetsEditor({ unitCode, unitName, defaultYear, onSaved }: { unitCode: string; unitName: string; defaultYear: number; onSaved: () => void }) {
  const [year, setYear] = useState(defaultYear);
  const [half, setHalf] = useState<0 | 1 | 2>(0);
  const [data, setData] = useState<TargetsResponse | null>(null);
  const [draft, setDraft] = useState<Partial<Record<TargetIndicator, string>>>({});
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [reload, setReload] = useState(0);

  // biome-ignore lint/correctness/useExhaustiveDependencies: reload re-reads the targets after a save
  useEffect(() => {
    get<TargetsResponse>(`/api/v1/reports/targets?unit=${encodeURIComponent(unitCode)}&year=${year}&half=${half}`).then(
      (r) => {
        setData(r);
        setDraft(Object.fromEntries(r.targets.map((t) => [t.indicator, pctValue(t.value)])));
      },
      (e: unknown) => setMessage({ ok: false, text: e instanceof ApiProblem ? e.message : 'Không tải được mục tiêu.' }),
    );
  }, [unitCode, year, half, reload]);

  const save = async (t: TargetRow, clear: boolean) => {
    const raw = (draft[t.indicator] ?? '').replace(',', '.').trim();
    const value = clear ? null : Number(raw);
    if (value !== null && (raw === '' || !Number.isFinite(value) || value < 0 || value > 100)) {
      setMessage({ ok: false, text: 'Mục tiêu phải là một số từ 0 đến 100 (%).' });
      return;
    }
    try {
      await put('/api/v1/reports/targets', value === null ? { unit: unitCode, indicator: t.indicator, year, half, clear: true } : { unit: unitCode, indicator: t.indicator, year, half, value });
      setMessage({ ok: true, text: clear ? `Đã bỏ mục tiêu riêng: “${t.title}”.` : `Đã lưu mục tiêu “${t.title}”: ${viNumber(value)} %.` });
      setReload((n) => n + 1);
      onSaved();
    } catch (e) {
      setMessage({ ok: false, text: e instanceof ApiProblem ? e.message : 'Không lưu được mục tiêu.' });
    }
  };

  return (
    <section className="targets" aria-labelledby="targets-h">
      <h2 id="targets-h">Mục tiêu của {unitName}</h2>
      <div className="report-filters">
        <label>
          Năm
          <input type="number" min={2020} max={2100} value={year} onChange={(e) => e.target.value && setYear(Number(e.target.value))} />
        </label>
        <label>
          Kỳ
          <select value={half} onChange={(e) => setHalf(Number(e.target.value) as 0 | 1 | 2)}>
            <option value={0}>{HALF_VI[0]}</option>
            <option value={1}>{HALF_VI[1]}</option>
            <option value={2}>{HALF_VI[2]}</option>
          </select>
        </label>
      </div>
      {message && (
        <p role={message.ok ? 'status' : 'alert'} className={`status ${message.ok ? 'ok' : 'warn'}`}>
          {message.text}
        </p>
      )}
      {data && (
        <ul className="target-list">
          {data.targets.map((t) => {
            const id = `target-${t.indicator}`;
            return (
              <li key={t.indicator}>
                <label htmlFor={id}>{t.title}</label>
                <div className="target-edit">
                  <span aria-hidden="true">{t.strict ? '>' : '≥'}</span>
                  <input
                    id={id}
                    inputMode="decimal"
                    size={5}
                    readOnly={!data.editable}
                    aria-describedby={`${id}-src`}
                    value={draft[t.indicator] ?? ''}
                    onChange={(e) => setDraft((d) => ({ ...d, [t.indicator]: e.target.value }))}
                  />
                  <span>%</span>
                  {data.editable && (
                    <>
                      <button type="button" onClick={() => save(t, false)}>
                        Lưu
                      </button>
                      {t.setBy?.unitCode === unitCode && t.setBy.half === half && (
                        <button type="button" className="secondary" onClick={() => save(t, true)}>
                          Bỏ mục tiêu riêng
                        </button>
                      )}
                    </>
                  )}
                </div>
                <small id={`${id}-src`}>{source(t, unitCode)}</small>
              </li>
            );
          })}
        </ul>
      )}
      {data && !data.editable && <p className="note">Chỉ quản trị hệ thống hoặc cán bộ Sở Y tế cấp tỉnh được thay đổi mục tiêu.</p>}
    </section>
  );
}
