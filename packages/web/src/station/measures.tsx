import { vietnamToday, viNumber } from '@openhssk/core';
import type { Measure } from './api.ts';
import { readNumber } from './fields.tsx';

/**
 * Measurements of check-ups and follow-ups: label, unit and plausible range come from the form
 * data's `measures` (the server refuses the same ranges), so a reading typed wrong is said at once.
 */

export function checkMeasure(m: Measure | undefined, typed: string): { value: number | null; error?: string } {
  if (typed.trim() === '') return { value: null };
  const n = readNumber(typed);
  if (!m) return Number.isFinite(n) ? { value: n } : { value: null, error: `«${typed}» không phải là số.` };
  if (!Number.isFinite(n)) return { value: null, error: `${m.label_vi}: «${typed}» không phải là số.` };
  if (n < m.min || n > m.max) {
    return { value: null, error: `${m.label_vi} ${viNumber(n)} ${m.unit} nằm ngoài khoảng hợp lệ (${viNumber(m.min)}–${viNumber(m.max)} ${m.unit}); kiểm tra lại số đo.` };
  }
  const p = 10 ** m.decimals;
  return { value: Math.round(n * p) / p };
}

/** Blood pressure only as a pair, systolic above diastolic (as the server checks it). */
export function checkBloodPressure(sbp: number | null, dbp: number | null, errors: Record<string, string>) {
  if (errors.sbp || errors.dbp) return;
  if ((sbp === null) !== (dbp === null)) errors[sbp === null ? 'sbp' : 'dbp'] = 'Huyết áp cần đủ cả tâm thu và tâm trương.';
  else if (sbp !== null && dbp !== null && sbp <= dbp) errors.dbp = `Huyết áp ${sbp}/${dbp} mmHg: tâm thu phải lớn hơn tâm trương.`;
}

export function checkDay(label: string, s: string, errors: Record<string, string>, field: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) {
    errors[field] = `${label}: cần chọn ngày.`;
    return null;
  }
  if (s > vietnamToday()) {
    errors[field] = `${label}: ngày ở tương lai.`;
    return null;
  }
  return s;
}

/** Body-mass index, one decimal; shown while height and weight are typed. */
export function bmiOf(weightKg: number | null, heightCm: number | null): number | null {
  if (!weightKg || !heightCm) return null;
  return Math.round((weightKg / (heightCm / 100) ** 2) * 10) / 10;
}

export function MeasureInput(p: { id: string; measure: Measure | undefined; label?: string; value: string; onChange: (v: string) => void; error?: string | undefined }) {
  const m = p.measure;
  const label = p.label ?? m?.label_vi ?? p.id;
  return (
    <div className="field st-field">
      <label htmlFor={p.id}>
        {label}
        {m ? ` (${m.unit})` : ''}
      </label>
      <input
        id={p.id}
        inputMode={m && m.decimals > 0 ? 'decimal' : 'numeric'}
        value={p.value}
        onChange={(e) => p.onChange(e.target.value)}
        aria-invalid={p.error ? true : undefined}
        aria-describedby={`${p.id}-hint${p.error ? ` ${p.id}-error` : ''}`}
      />
      {p.error && (
        <span id={`${p.id}-error`} className="st-error">
          {p.error}
        </span>
      )}
      <span id={`${p.id}-hint`} className="muted small">
        {m ? `${viNumber(m.min)}–${viNumber(m.max)} ${m.unit}` : ''}
      </span>
    </div>
  );
}
