import { viDate, vietnamToday, viNumber } from '@openhssk/core';
import { type FormEvent, useState } from 'react';
import { Alert } from '../../ui.tsx';
import { CLINICIAN_ROLES } from '../api.ts';
import { Back, RowsFieldset, setFlash } from '../components.tsx';
import { ROUTES, useStation } from '../context.ts';
import { db } from '../db.ts';
import { useDraft, useLive } from '../hooks.ts';
import { bmiOf, checkBloodPressure, checkDay, checkMeasure, MeasureInput } from '../measures.tsx';
import { enqueue } from '../outbox.ts';

/** Measure keys of the form data and the check-up payload's names for them. */
const VITALS = [
  ['pulse', 'pulse'],
  ['sbp', 'sbp'],
  ['dbp', 'dbp'],
  ['temperature', 'temperature'],
  ['resp_rate', 'respRate'],
] as const;
const BODY = [
  ['height_cm', 'heightCm'],
  ['weight_kg', 'weightKg'],
  ['waist_cm', 'waistCm'],
] as const;

interface Draft {
  examinedOn: string;
  reason: string;
  m: Record<string, string>;
  visionRight: string;
  visionLeft: string;
  visionCorrected: boolean;
  exam: Record<string, string>;
  paraclinical: Array<{ test: string; result: string; unit: string; conclusion: string }>;
  diagnoses: string;
  diagnosisText: string;
  advice: string;
}

const empty = (): Draft => ({
  examinedOn: vietnamToday(),
  reason: 'Khám sức khỏe định kỳ',
  m: {},
  visionRight: '',
  visionLeft: '',
  visionCorrected: false,
  exam: {},
  paraclinical: [],
  diagnoses: '',
  diagnosisText: '',
  advice: '',
});

const ICD10 = /^[A-Z][0-9]{2}(\.[0-9A-Z]{1,2})?$/;
const VISION_LEVELS = Array.from({ length: 10 }, (_, i) => `${10 - i}/10`);

/** "Khám sức khỏe định kỳ": vital signs, height/weight with BMI, vision, examination by organ system, results, advice. */
export function CheckupPage({ personId }: { personId: string }) {
  const { me, form, navigate } = useStation();
  const cached = useLive(() => db.persons.get(personId), [personId]);
  const snap = useLive(() => db.members.get(personId), [personId]);
  const [d, setD, clearDraft] = useDraft<Draft>(`checkup:${personId}`, empty);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState<string | null>(null);
  const clinician = CLINICIAN_ROLES.includes(me.role);
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

  const h = checkMeasure(measures.height_cm, d.m.height_cm ?? '').value;
  const w = checkMeasure(measures.weight_kg, d.m.weight_kg ?? '').value;
  const bmi = bmiOf(w, h);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const errs: Record<string, string> = {};
    const examinedOn = checkDay('Ngày khám', d.examinedOn, errs, 'examinedOn');
    const values: Record<string, number> = {};
    for (const [key, name] of [...VITALS, ...BODY]) {
      const r = checkMeasure(measures[key], d.m[key] ?? '');
      if (r.error) errs[key] = r.error;
      else if (r.value !== null) values[name] = r.value;
    }
    checkBloodPressure(values.sbp ?? null, values.dbp ?? null, errs);
    const codes = clinician ? d.diagnoses.split(/[,;\s]+/).map((c) => c.trim().toUpperCase()).filter(Boolean) : [];
    const badCode = codes.find((c) => !ICD10.test(c));
    if (badCode) errs.diagnoses = `Mã ICD-10 «${badCode}» sai định dạng (ví dụ đúng: I10, E11.9).`;
    d.paraclinical.forEach((p, i) => {
      if (!p.test.trim() || !p.result.trim()) errs[`para-${i}`] = 'Mỗi kết quả cận lâm sàng cần tên xét nghiệm và kết quả.';
    });
    setErrors(errs);
    const n = Object.keys(errs).length;
    if (n > 0 || !examinedOn) {
      setMessage(`Chưa lưu: có ${n} ô cần sửa (xem thông báo dưới từng ô). Những gì bạn đã nhập vẫn được giữ.`);
      return;
    }
    const exam = Object.fromEntries(Object.entries(d.exam).filter(([, v]) => v.trim() !== ''));
    const checkup = {
      examinedOn,
      ...(d.reason.trim() ? { reason: d.reason.trim() } : {}),
      ...values,
      ...(d.visionRight ? { visionRight: d.visionRight } : {}),
      ...(d.visionLeft ? { visionLeft: d.visionLeft } : {}),
      ...(d.visionRight || d.visionLeft ? { visionCorrected: d.visionCorrected } : {}),
      ...(Object.keys(exam).length ? { exam } : {}),
      ...(d.paraclinical.length
        ? { paraclinical: d.paraclinical.map((p) => ({ test: p.test.trim(), result: p.result.trim(), ...(p.unit.trim() ? { unit: p.unit.trim() } : {}), ...(p.conclusion.trim() ? { conclusion: p.conclusion.trim() } : {}) })) }
        : {}),
      ...(codes.length ? { diagnoses: codes } : {}),
      ...(d.diagnosisText.trim() ? { diagnosisText: d.diagnosisText.trim() } : {}),
      ...(d.advice.trim() ? { advice: d.advice.trim() } : {}),
    };
    const parts = [values.sbp ? `HA ${values.sbp}/${values.dbp} mmHg` : null, bmi ? `BMI ${viNumber(bmi.toFixed(1))}` : null].filter(Boolean).join(' · ');
    await enqueue(me, {
      target: 'pc',
      kind: 'checkup',
      personId,
      personName,
      payload: { checkup },
      label: `Khám sức khỏe định kỳ ${viDate(examinedOn)}${parts ? `: ${parts}` : ''}`,
    });
    clearDraft();
    setFlash('Đã lưu lần khám trên máy. Ứng dụng tự gửi lên máy chủ khi có mạng.');
    navigate(ROUTES.person(personId));
  }

  return (
    <>
      <Back to={ROUTES.person(personId)}>{personName ?? 'Hồ sơ người dân'}</Back>
      <h1>Khám sức khỏe định kỳ</h1>
      {personName && <p className="muted">{personName}</p>}
      {!form && <Alert>Mẫu khám chưa có trên máy: cần có mạng lần đầu.</Alert>}
      <form className="card" onSubmit={submit} noValidate aria-label="Phiếu khám sức khỏe định kỳ">
        <div className="field">
          <label htmlFor="examinedOn">Ngày khám</label>
          <input id="examinedOn" type="date" max={vietnamToday()} value={d.examinedOn} onChange={(e) => set({ examinedOn: e.target.value })} aria-invalid={errors.examinedOn ? true : undefined} />
          {errors.examinedOn && <span className="st-error">{errors.examinedOn}</span>}
        </div>
        <div className="field">
          <label htmlFor="reason">Lý do khám</label>
          <input id="reason" value={d.reason} onChange={(e) => set({ reason: e.target.value })} maxLength={500} />
        </div>
        <fieldset>
          <legend>Dấu hiệu sinh tồn</legend>
          <div className="st-grid">
            {VITALS.map(([key]) => (
              <MeasureInput key={key} id={key} measure={measures[key]} value={d.m[key] ?? ''} onChange={(v) => setM(key, v)} error={errors[key]} />
            ))}
          </div>
        </fieldset>
        <fieldset>
          <legend>Thể lực</legend>
          <div className="st-grid">
            {BODY.map(([key]) => (
              <MeasureInput key={key} id={key} measure={measures[key]} value={d.m[key] ?? ''} onChange={(v) => setM(key, v)} error={errors[key]} />
            ))}
          </div>
          <p data-testid="bmi" aria-live="polite">
            Chỉ số khối cơ thể (BMI): <strong>{bmi ? `${viNumber(bmi.toFixed(1))} kg/m²` : '— (nhập chiều cao và cân nặng)'}</strong>
          </p>
        </fieldset>
        <fieldset>
          <legend>Thị lực</legend>
          <div className="st-grid">
            {(['visionRight', 'visionLeft'] as const).map((k) => (
              <div className="field" key={k}>
                <label htmlFor={k}>{k === 'visionRight' ? 'Mắt phải' : 'Mắt trái'}</label>
                <select id={k} value={d[k]} onChange={(e) => set({ [k]: e.target.value })}>
                  <option value="">— Chưa đo —</option>
                  {VISION_LEVELS.map((v) => (
                    <option key={v} value={v}>
                      {v}
                    </option>
                  ))}
                  {Object.entries(form?.vision_special ?? {}).map(([code, label]) => (
                    <option key={code} value={code}>
                      {label}
                    </option>
                  ))}
                </select>
              </div>
            ))}
          </div>
          <label className="choice">
            <input type="checkbox" checked={d.visionCorrected} onChange={(e) => set({ visionCorrected: e.target.checked })} />
            Đo khi đeo kính
          </label>
        </fieldset>
        <details className="st-section">
          <summary>Khám lâm sàng theo cơ quan</summary>
          {Object.entries(form?.organ_systems ?? {}).map(([k, label]) => (
            <div className="field" key={k}>
              <label htmlFor={`exam-${k}`}>{label}</label>
              <textarea id={`exam-${k}`} rows={1} maxLength={1000} value={d.exam[k] ?? ''} onChange={(e) => set({ exam: { ...d.exam, [k]: e.target.value } })} />
            </div>
          ))}
        </details>
        <RowsFieldset
          legend="Cận lâm sàng"
          rows={d.paraclinical}
          fields={['test', 'result', 'unit', 'conclusion'] as const}
          labels={{ test: 'Xét nghiệm', result: 'Kết quả', unit: 'Đơn vị', conclusion: 'Kết luận' }}
          idPrefix="para"
          errors={errors}
          blank={{ test: '', result: '', unit: '', conclusion: '' }}
          removeLabel="Bỏ dòng này"
          addLabel="Thêm kết quả cận lâm sàng"
          onChange={(paraclinical) => set({ paraclinical })}
        />
        {clinician && (
          <div className="field">
            <label htmlFor="diagnoses">Chẩn đoán (mã ICD-10, cách nhau bằng dấu phẩy)</label>
            <input id="diagnoses" autoCapitalize="characters" value={d.diagnoses} onChange={(e) => set({ diagnoses: e.target.value })} aria-invalid={errors.diagnoses ? true : undefined} />
            {errors.diagnoses && <span className="st-error">{errors.diagnoses}</span>}
          </div>
        )}
        <div className="field">
          <label htmlFor="diagnosisText">{clinician ? 'Chẩn đoán (mô tả)' : 'Kết luận'}</label>
          <textarea id="diagnosisText" rows={2} maxLength={1000} value={d.diagnosisText} onChange={(e) => set({ diagnosisText: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor="advice">Tư vấn</label>
          <textarea id="advice" rows={2} maxLength={2000} value={d.advice} onChange={(e) => set({ advice: e.target.value })} />
        </div>
        <Alert>{message}</Alert>
        <button type="submit" className="button primary">
          Lưu lần khám
        </button>
      </form>
    </>
  );
}
