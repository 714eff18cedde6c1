import { viDate, vietnamToday, viNumber } from '@openhssk/core';
import { type FormEvent, useState } from 'react';
import { Alert } from '../../ui.tsx';
import type { ControlRule, FollowUpMeasure, RegisterDef } from '../api.ts';
import { Back, RowsFieldset, setFlash } from '../components.tsx';
import { ROUTES, useStation } from '../context.ts';
import { db } from '../db.ts';
import { CONTROL_VI } from '../format.ts';
import { useDraft, useLive } from '../hooks.ts';
import { checkBloodPressure, checkDay, checkMeasure, MeasureInput } from '../measures.tsx';
import { enqueue } from '../outbox.ts';

interface Medicine {
  name: string;
  quantity: string;
  unit: string;
  days: string;
}

interface Draft {
  visitDate: string;
  m: Record<string, string>;
  glucoseKind: string;
  exacerbations: string;
  symptomControl: string;
  medicines: Medicine[];
  adherence: string;
  nextDue: string;
  note: string;
}

const empty = (): Draft => ({ visitDate: vietnamToday(), m: {}, glucoseKind: '', exacerbations: '', symptomControl: '', medicines: [], adherence: '', nextDue: '', note: '' });

const MEASURE_LABEL: Record<FollowUpMeasure, string> = {
  sbp: 'huyết áp tâm thu',
  dbp: 'huyết áp tâm trương',
  glucose_mmol: 'đường huyết',
  glucose_kind: 'loại xét nghiệm đường huyết',
  hba1c: 'HbA1c',
  exacerbations: 'số đợt cấp',
  symptom_control: 'mức kiểm soát triệu chứng',
};

interface Readings {
  sbp: number | null;
  dbp: number | null;
  hba1c: number | null;
  glucose_mmol: number | null;
  glucose_kind: string | null;
  exacerbations: number | null;
  symptom_control: string | null;
}

/** The register's control rule applied to the readings as typed (the server decides the same way on save). */
function controlPreview(rule: ControlRule, r: Readings): { status: 'controlled' | 'uncontrolled' | 'unknown'; rule: string } {
  switch (rule.kind) {
    case 'blood_pressure':
      return {
        status: r.sbp === null || r.dbp === null ? 'unknown' : r.sbp < rule.sbpBelow && r.dbp < rule.dbpBelow ? 'controlled' : 'uncontrolled',
        rule: `huyết áp dưới ${rule.sbpBelow}/${rule.dbpBelow} mmHg`,
      };
    case 'glycaemia': {
      const text = `HbA1c dưới ${viNumber(rule.hba1cBelow)} % hoặc đường huyết lúc đói ${viNumber(rule.fastingMin)}–${viNumber(rule.fastingMax)} mmol/L`;
      if (r.hba1c !== null) return { status: r.hba1c < rule.hba1cBelow ? 'controlled' : 'uncontrolled', rule: text };
      if (r.glucose_mmol !== null && r.glucose_kind === 'luc_doi') {
        return { status: r.glucose_mmol >= rule.fastingMin && r.glucose_mmol <= rule.fastingMax ? 'controlled' : 'uncontrolled', rule: text };
      }
      return { status: 'unknown', rule: text };
    }
    case 'no_exacerbation':
      return {
        status: r.exacerbations === null && r.symptom_control === null ? 'unknown' : (r.exacerbations ?? 0) === 0 && r.symptom_control !== 'khong_kiem_soat' ? 'controlled' : 'uncontrolled',
        rule: 'không có đợt cấp từ lần khám trước',
      };
    case 'symptom_control':
      return { status: r.symptom_control === null ? 'unknown' : rule.controlled.includes(r.symptom_control) ? 'controlled' : 'uncontrolled', rule: 'triệu chứng được kiểm soát' };
  }
}

/** Monthly follow-up of a chronic-disease register: BP, glucose/HbA1c, medicines dispensed, adherence. */
export function FollowUpPage({ personId, register }: { personId: string; register: string }) {
  const { me, form, navigate } = useStation();
  const cached = useLive(() => db.persons.get(personId), [personId]);
  const snap = useLive(() => db.members.get(personId), [personId]);
  const [d, setD, clearDraft] = useDraft<Draft>(`followup:${personId}:${register}`, empty);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  const def: RegisterDef | undefined = form?.registers.find((r) => r.key === register);
  const personName = cached?.pc?.person.ho_ten ?? cached?.station?.person.ho_ten ?? snap?.hoTen ?? null;
  const measures = form?.measures ?? {};
  // A field's error goes as soon as the field is changed; the form is checked again on saving.
  const forget = (keys: string[]) => setErrors((e) => (keys.some((k) => k in e) ? Object.fromEntries(Object.entries(e).filter(([k]) => !keys.includes(k))) : e));
  const set = (patch: Partial<Draft>) => {
    forget(Object.keys(patch));
    setD((x) => ({ ...x, ...patch }));
  };
  const setM = (k: string, v: string) => {
    forget([k]);
    setD((x) => ({ ...x, m: { ...x.m, [k]: v } }));
  };

  if (!form || !def) {
    return (
      <>
        <Back to={ROUTES.person(personId)}>Hồ sơ người dân</Back>
        <Alert>{form ? `Không có sổ quản lý «${register}».` : 'Mẫu theo dõi chưa có trên máy: cần có mạng lần đầu.'}</Alert>
      </>
    );
  }
  const wanted = new Set(def.requiredAnyOf.flat());
  const showGlucose = wanted.has('glucose_mmol') || wanted.has('hba1c');
  const showExacerbations = wanted.has('exacerbations');
  const showSymptoms = wanted.has('symptom_control');
  const codes = (list: string) => Object.entries(form.code_lists[list]?.codes ?? {});

  const readings = (errs: Record<string, string>): Readings & { pulse: number | null; weight_kg: number | null } => {
    const num = (k: string) => {
      const r = checkMeasure(measures[k], d.m[k] ?? '');
      if (r.error) errs[k] = r.error;
      return r.value;
    };
    let exacerbations: number | null = null;
    if (d.exacerbations.trim() !== '') {
      const n = Number(d.exacerbations);
      if (!Number.isInteger(n) || n < 0 || n > 50) errs.exacerbations = 'Số đợt cấp phải là số nguyên từ 0 đến 50.';
      else exacerbations = n;
    }
    return {
      sbp: num('sbp'),
      dbp: num('dbp'),
      pulse: num('pulse'),
      glucose_mmol: num('glucose_mmol'),
      hba1c: num('hba1c'),
      weight_kg: num('weight_kg'),
      glucose_kind: d.glucoseKind || null,
      exacerbations,
      symptom_control: d.symptomControl || null,
    };
  };
  const preview = controlPreview(def.control, readings({}));

  async function submit(e: FormEvent) {
    e.preventDefault();
    const errs: Record<string, string> = {};
    const visitDate = checkDay('Ngày khám theo dõi', d.visitDate, errs, 'visitDate');
    const r = readings(errs);
    checkBloodPressure(r.sbp, r.dbp, errs);
    if (r.glucose_mmol !== null && !r.glucose_kind) errs.glucoseKind = 'Ghi rõ đường huyết đo lúc đói, bất kỳ hay sau ăn 2 giờ.';
    const medicines = d.medicines.map((m, i) => {
      const quantity = m.quantity.trim() === '' ? undefined : Number(m.quantity.replace(',', '.'));
      const days = m.days.trim() === '' ? undefined : Number(m.days);
      const ok = m.name.trim() && (quantity === undefined || (quantity > 0 && quantity <= 10000)) && (days === undefined || (Number.isInteger(days) && days > 0 && days <= 366));
      if (!ok) errs[`med-${i}`] = `Thuốc thứ ${i + 1}: cần tên thuốc, số lượng 1–10000 và số ngày 1–366.`;
      return { name: m.name.trim(), ...(quantity !== undefined ? { quantity } : {}), ...(m.unit.trim() ? { unit: m.unit.trim() } : {}), ...(days !== undefined ? { days } : {}) };
    });
    if (d.nextDue && visitDate) {
      if (d.nextDue <= visitDate) errs.nextDue = 'Ngày hẹn tái khám phải sau ngày khám.';
      else if ((Date.parse(d.nextDue) - Date.parse(visitDate)) / 86400_000 > 366) errs.nextDue = 'Ngày hẹn tái khám không được quá một năm sau ngày khám.';
    }
    const have: Record<FollowUpMeasure, unknown> = { ...r };
    if (Object.keys(errs).length === 0 && !def!.requiredAnyOf.some((g) => g.every((k) => have[k] !== null))) {
      errs.measures = `Lần theo dõi ${def!.label_vi.toLowerCase()} cần có ${def!.requiredAnyOf.map((g) => g.map((k) => MEASURE_LABEL[k]).join(' và ')).join(', hoặc ')}.`;
    }
    setErrors(errs);
    const n = Object.keys(errs).length;
    if (n > 0 || !visitDate) {
      setMessage(errs.measures ?? `Chưa lưu: có ${n} ô cần sửa (xem thông báo dưới từng ô). Những gì bạn đã nhập vẫn được giữ.`);
      return;
    }
    const followUp = {
      register: def!.key,
      visitDate,
      ...(r.sbp !== null ? { sbp: r.sbp, dbp: r.dbp } : {}),
      ...(r.pulse !== null ? { pulse: r.pulse } : {}),
      ...(r.glucose_mmol !== null ? { glucoseMmol: r.glucose_mmol, glucoseKind: r.glucose_kind } : {}),
      ...(r.hba1c !== null ? { hba1c: r.hba1c } : {}),
      ...(r.weight_kg !== null ? { weightKg: r.weight_kg } : {}),
      ...(medicines.length ? { medicines } : {}),
      ...(d.adherence ? { adherence: d.adherence } : {}),
      ...(r.exacerbations !== null ? { exacerbations: r.exacerbations } : {}),
      ...(r.symptom_control ? { symptomControl: r.symptom_control } : {}),
      ...(d.nextDue ? { nextDue: d.nextDue } : {}),
      ...(d.note.trim() ? { note: d.note.trim() } : {}),
    };
    const what = [r.sbp !== null ? `HA ${r.sbp}/${r.dbp} mmHg` : null, r.glucose_mmol !== null ? `đường huyết ${viNumber(r.glucose_mmol)} mmol/L` : null, r.hba1c !== null ? `HbA1c ${viNumber(r.hba1c)} %` : null]
      .filter(Boolean)
      .join(' · ');
    await enqueue(me, {
      target: 'pc',
      kind: 'followup',
      personId,
      personName,
      payload: { followUp },
      label: `Theo dõi ${def!.label_vi.toLowerCase()} ${viDate(visitDate)}${what ? `: ${what}` : ''}`,
    });
    clearDraft();
    setFlash('Đã lưu lần theo dõi trên máy. Ứng dụng tự gửi lên máy chủ khi có mạng.');
    navigate(ROUTES.person(personId));
  }

  return (
    <>
      <Back to={ROUTES.person(personId)}>{personName ?? 'Hồ sơ người dân'}</Back>
      <h1>Theo dõi {def.label_vi.toLowerCase()}</h1>
      {personName && <p className="muted">{personName}</p>}
      <form className="card" onSubmit={submit} noValidate aria-label={`Phiếu theo dõi ${def.label_vi.toLowerCase()}`}>
        <div className="field">
          <label htmlFor="visitDate">Ngày khám theo dõi</label>
          <input id="visitDate" type="date" max={vietnamToday()} value={d.visitDate} onChange={(e) => set({ visitDate: e.target.value })} aria-invalid={errors.visitDate ? true : undefined} />
          {errors.visitDate && <span className="st-error">{errors.visitDate}</span>}
        </div>
        <fieldset>
          <legend>Chỉ số</legend>
          <div className="st-grid">
            <MeasureInput id="sbp" measure={measures.sbp} value={d.m.sbp ?? ''} onChange={(v) => setM('sbp', v)} error={errors.sbp} />
            <MeasureInput id="dbp" measure={measures.dbp} value={d.m.dbp ?? ''} onChange={(v) => setM('dbp', v)} error={errors.dbp} />
            <MeasureInput id="pulse" measure={measures.pulse} value={d.m.pulse ?? ''} onChange={(v) => setM('pulse', v)} error={errors.pulse} />
            <MeasureInput id="weight_kg" measure={measures.weight_kg} value={d.m.weight_kg ?? ''} onChange={(v) => setM('weight_kg', v)} error={errors.weight_kg} />
            {showGlucose && (
              <>
                <MeasureInput id="glucose_mmol" measure={measures.glucose_mmol} value={d.m.glucose_mmol ?? ''} onChange={(v) => setM('glucose_mmol', v)} error={errors.glucose_mmol} />
                <div className="field">
                  <label htmlFor="glucoseKind">Đo lúc</label>
                  <select id="glucoseKind" value={d.glucoseKind} onChange={(e) => set({ glucoseKind: e.target.value })} aria-invalid={errors.glucoseKind ? true : undefined}>
                    <option value="">— Chọn —</option>
                    {codes('glucose_kind').map(([c, l]) => (
                      <option key={c} value={c}>
                        {l}
                      </option>
                    ))}
                  </select>
                  {errors.glucoseKind && <span className="st-error">{errors.glucoseKind}</span>}
                </div>
                <MeasureInput id="hba1c" measure={measures.hba1c} value={d.m.hba1c ?? ''} onChange={(v) => setM('hba1c', v)} error={errors.hba1c} />
              </>
            )}
            {showExacerbations && (
              <div className="field">
                <label htmlFor="exacerbations">Số đợt cấp từ lần khám trước</label>
                <input id="exacerbations" inputMode="numeric" value={d.exacerbations} onChange={(e) => set({ exacerbations: e.target.value })} />
                {errors.exacerbations && <span className="st-error">{errors.exacerbations}</span>}
              </div>
            )}
            {showSymptoms && (
              <div className="field">
                <label htmlFor="symptomControl">Mức kiểm soát triệu chứng</label>
                <select id="symptomControl" value={d.symptomControl} onChange={(e) => set({ symptomControl: e.target.value })}>
                  <option value="">— Chọn —</option>
                  {codes('symptom_control').map(([c, l]) => (
                    <option key={c} value={c}>
                      {l}
                    </option>
                  ))}
                </select>
              </div>
            )}
          </div>
          <p data-testid="control-preview" aria-live="polite">
            Đánh giá: <strong>{CONTROL_VI[preview.status]}</strong> <span className="muted small">(mục tiêu: {preview.rule})</span>
          </p>
        </fieldset>
        <RowsFieldset
          legend="Thuốc cấp"
          rows={d.medicines}
          fields={['name', 'quantity', 'unit', 'days'] as const}
          labels={{ name: 'Tên thuốc', quantity: 'Số lượng', unit: 'Đơn vị', days: 'Số ngày' }}
          idPrefix="med"
          errors={errors}
          numeric={['quantity', 'days']}
          blank={{ name: '', quantity: '', unit: 'viên', days: '30' }}
          removeLabel="Bỏ thuốc này"
          addLabel="Thêm thuốc"
          onChange={(medicines) => set({ medicines })}
        />
        <div className="field">
          <label htmlFor="adherence">Tuân thủ điều trị</label>
          <select id="adherence" value={d.adherence} onChange={(e) => set({ adherence: e.target.value })}>
            <option value="">— Chưa đánh giá —</option>
            {codes('adherence').map(([c, l]) => (
              <option key={c} value={c}>
                {l}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="nextDue">Hẹn tái khám</label>
          <input id="nextDue" type="date" min={d.visitDate} value={d.nextDue} onChange={(e) => set({ nextDue: e.target.value })} aria-describedby="nextDue-hint" aria-invalid={errors.nextDue ? true : undefined} />
          {errors.nextDue && <span className="st-error">{errors.nextDue}</span>}
          <span id="nextDue-hint" className="muted small">
            Để trống: hẹn sau {def.followUpIntervalDays} ngày.
          </span>
        </div>
        <div className="field">
          <label htmlFor="note">Ghi chú</label>
          <textarea id="note" rows={2} maxLength={1000} value={d.note} onChange={(e) => set({ note: e.target.value })} />
        </div>
        <Alert>{message}</Alert>
        <button type="submit" className="button primary">
          Lưu lần theo dõi
        </button>
      </form>
    </>
  );
}
