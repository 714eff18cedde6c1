import { viDate, vietnamToday } from '@openhssk/core';
import type { ImmCatalog, ImmVaccinationBook } from '@openhssk/core/api';
import { type FormEvent, useEffect, useState } from 'react';
import { DOSE_STATUS_VI, nextDueText, ROUTE_VI, SERIES_STATUS_VI, statusClass } from '../../pages/immunization-labels.ts';
import { Alert } from '../../ui.tsx';
import { Back, Flash, Staleness, useRefresh, WaitingEntries } from '../components.tsx';
import { ROUTES, useStation } from '../context.ts';
import { db } from '../db.ts';
import { useDraft, useLive } from '../hooks.ts';
import { cachedCatalog, cachedImmunizationPerson, type DosePayload, refreshCatalog, refreshImmunizationPerson } from '../immunization.ts';
import { enqueue } from '../outbox.ts';

/** A person's doses and schedule, and the form to record a dose given at the station (offline too). */
export function ImmunizationPersonPage({ personId }: { personId: string }) {
  const { me, online } = useStation();
  const cached = useLive(() => cachedImmunizationPerson(personId), [personId]);
  const member = useLive(() => db.members.get(personId), [personId]);
  const entries = useLive(() => db.outbox.where('personId').equals(personId).filter((e) => e.target === 'imm').reverse().sortBy('createdAt'), [personId]);
  // Applied entries change what the server holds: read the person again when one is answered.
  const answered = (entries ?? []).filter((e) => e.status !== 'pending').length;
  const { fresh, error } = useRefresh(() => refreshImmunizationPerson(personId), [personId, answered]);
  const name = cached?.view.person.ho_ten ?? member?.hoTen ?? 'Người dân';
  const waiting = (entries ?? []).filter((e) => e.status === 'pending' || (e.status === 'refused' && !e.seen));

  return (
    <>
      <Back to={ROUTES.person(personId)}>{name}</Back>
      <h1>Tiêm chủng: {name}</h1>
      <Flash />
      <Alert>{error}</Alert>
      {cached ? <Staleness savedAt={cached.savedAt} fresh={fresh} /> : !online && <p className="st-stale">Lịch sử tiêm của người này chưa được tải về máy; vẫn ghi được mũi tiêm, dữ liệu sẽ gửi khi có mạng.</p>}
      <WaitingEntries id="imm-waiting-title" title="Mũi tiêm ghi trên máy" entries={waiting} />
      <DoseForm personId={personId} personName={name} birthDate={cached?.view.person.ngay_sinh ?? member?.ngaySinh ?? null} me={me} />
      {cached && <Status view={cached.view} />}
      {online && (
        <p>
          <a href={`/api/v1/immunization/persons/${encodeURIComponent(personId)}/certificate.pdf`} download>
            In giấy chứng nhận tiêm chủng (PDF)
          </a>
        </p>
      )}
    </>
  );
}

/** Next doses, the doses recorded and each series' state; shared with the person's page summary. */
export function Status({ view }: { view: ImmVaccinationBook }) {
  const s = view.schedule;
  const shown = view.vaccinations.filter((v) => v.duplicate_of === null);
  return (
    <>
      <section className="card" aria-labelledby="imm-next-title">
        <h2 id="imm-next-title">Mũi cần tiêm</h2>
        {!s.evaluable ? (
          <p>{s.reason.message_vi}</p>
        ) : s.next_due.length === 0 ? (
          <p>Không có mũi nào cần tiêm theo lịch tiêm chủng mở rộng.</p>
        ) : (
          <ul className="st-list" data-testid="imm-next-due">
            {s.next_due.map((n) => (
              <li key={`${n.series}-${n.dose}`}>
                <strong>
                  {n.name_vi} – mũi {n.dose}
                </strong>{' '}
                <span className={statusClass(n.status)}>{DOSE_STATUS_VI[n.status]}</span>
                <div className="small">{nextDueText(n)}</div>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section className="card" aria-labelledby="imm-doses-title">
        <h2 id="imm-doses-title">Mũi đã tiêm ({shown.length})</h2>
        {shown.length === 0 ? (
          <p className="muted">Chưa có mũi tiêm nào được ghi nhận.</p>
        ) : (
          <ul className="st-list" data-testid="imm-doses">
            {shown.map((v) => (
              <li key={v.id}>
                <strong>{viDate(v.given_on)}</strong> · {v.vaccine_name}
                {v.dose_no ? ` · mũi ${v.dose_no}` : ''}
                <div className="small">
                  {v.antigens.map((a) => a.name_vi).join(', ') || 'Chưa nhận ra loại vắc xin'}
                  {v.facility_name ? ` · ${v.facility_name}` : ''}
                  {v.lot_no ? ` · lô ${v.lot_no}` : ''}
                </div>
              </li>
            ))}
          </ul>
        )}
      </section>
      {s.evaluable && (
        <section className="card" aria-labelledby="imm-series-title">
          <h2 id="imm-series-title">Theo lịch tiêm chủng mở rộng</h2>
          {s.series.map((x) => (
            <details key={x.series} className="st-section">
              <summary>
                <span className="st-section-title">{x.name_vi}</span> <span className={statusClass(x.status)}>{SERIES_STATUS_VI[x.status]}</span>
              </summary>
              <ul className="st-list">
                {x.doses.map((d) => (
                  <li key={`${d.dose}-${d.status}-${d.date ?? ''}`}>{d.text_vi}</li>
                ))}
              </ul>
            </details>
          ))}
        </section>
      )}
    </>
  );
}

interface DoseDraft {
  givenOn: string;
  vaccine: string;
  doseNo: string;
  lotNo: string;
  route: string;
  bodySite: string;
  reaction: string;
}

const emptyDraft = (): DoseDraft => ({ givenOn: vietnamToday(), vaccine: '', doseNo: '', lotNo: '', route: '', bodySite: '', reaction: '' });

function DoseForm({ personId, personName, birthDate, me }: { personId: string; personName: string; birthDate: string | null; me: ReturnType<typeof useStation>['me'] }) {
  const [catalog, setCatalog] = useState<ImmCatalog | undefined>(undefined);
  const [d, setD, clearDraft] = useDraft<DoseDraft>(`imm-dose:${personId}`, emptyDraft);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    let live = true;
    void cachedCatalog().then((c) => live && c && setCatalog(c));
    if (navigator.onLine) void refreshCatalog().then((c) => live && setCatalog(c), () => undefined);
    return () => {
      live = false;
    };
  }, []);
  const set = (patch: Partial<DoseDraft>) => {
    setSaved(false);
    setD((p) => ({ ...p, ...patch }));
  };
  const products = [...(catalog?.products ?? [])].sort((a, b) => Number(b.programme) - Number(a.programme) || a.name_vi.localeCompare(b.name_vi, 'vi'));

  async function submit(e: FormEvent) {
    e.preventDefault();
    const errs: Record<string, string> = {};
    if (!/^\d{4}-\d{2}-\d{2}$/.test(d.givenOn)) errs.givenOn = 'Nhập ngày tiêm.';
    else if (d.givenOn > vietnamToday()) errs.givenOn = 'Ngày tiêm ở tương lai.';
    else if (birthDate && birthDate.length === 10 && d.givenOn < birthDate) errs.givenOn = 'Ngày tiêm trước ngày sinh.';
    if (!d.vaccine.trim()) errs.vaccine = 'Chọn vắc xin.';
    const doseNo = d.doseNo.trim() ? Number(d.doseNo) : undefined;
    if (doseNo !== undefined && !(Number.isInteger(doseNo) && doseNo >= 1 && doseNo <= 20)) errs.doseNo = 'Mũi số phải từ 1 đến 20.';
    setErrors(errs);
    if (Object.keys(errs).length > 0) return;
    const payload: DosePayload = {
      person_id: personId,
      given_on: d.givenOn,
      vaccine: d.vaccine.trim(),
      ...(doseNo !== undefined ? { dose_no: doseNo } : {}),
      ...(d.lotNo.trim() ? { lot_no: d.lotNo.trim() } : {}),
      ...(d.route ? { route: d.route as NonNullable<DosePayload['route']> } : {}),
      ...(d.bodySite.trim() ? { body_site: d.bodySite.trim() } : {}),
      ...(d.reaction.trim() ? { reaction: d.reaction.trim() } : {}),
    };
    const product = products.find((p) => p.id === payload.vaccine);
    await enqueue(me, {
      target: 'imm',
      kind: 'dose',
      personId,
      personName,
      payload: { ...payload },
      label: `Tiêm ${product?.name_vi ?? payload.vaccine}${doseNo ? ` mũi ${doseNo}` : ''} ngày ${viDate(payload.given_on)}`,
    });
    clearDraft();
    setD(emptyDraft());
    setSaved(true);
  }

  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby="dose-form-title">
      <h2 id="dose-form-title">Ghi mũi tiêm tại trạm</h2>
      {saved && (
        <p className="st-flash" role="status">
          Đã lưu mũi tiêm trên máy. Ứng dụng tự gửi lên máy chủ khi có mạng.
        </p>
      )}
      <div className="st-grid">
        <div className="field">
          <label htmlFor="dose-date">Ngày tiêm</label>
          <input id="dose-date" type="date" max={vietnamToday()} value={d.givenOn} onChange={(e) => set({ givenOn: e.target.value })} aria-invalid={errors.givenOn ? true : undefined} aria-describedby={errors.givenOn ? 'dose-date-error' : undefined} required />
          {errors.givenOn && <span id="dose-date-error" className="st-error">{errors.givenOn}</span>}
        </div>
        <div className="field">
          <label htmlFor="dose-no">Mũi số</label>
          <input id="dose-no" inputMode="numeric" value={d.doseNo} onChange={(e) => set({ doseNo: e.target.value })} aria-invalid={errors.doseNo ? true : undefined} aria-describedby={errors.doseNo ? 'dose-no-error' : undefined} />
          {errors.doseNo && <span id="dose-no-error" className="st-error">{errors.doseNo}</span>}
        </div>
      </div>
      <div className="field">
        <label htmlFor="dose-vaccine">Vắc xin</label>
        {products.length > 0 ? (
          <select id="dose-vaccine" value={d.vaccine} onChange={(e) => set({ vaccine: e.target.value })} aria-invalid={errors.vaccine ? true : undefined} aria-describedby={errors.vaccine ? 'dose-vaccine-error' : undefined} required>
            <option value="">– Chọn vắc xin –</option>
            {products.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name_vi}
                {p.programme ? ' (TCMR)' : ''}
              </option>
            ))}
          </select>
        ) : (
          <input id="dose-vaccine" value={d.vaccine} onChange={(e) => set({ vaccine: e.target.value })} placeholder="Tên hoặc mã vắc xin, ví dụ DPT-VGB-Hib" aria-invalid={errors.vaccine ? true : undefined} aria-describedby={errors.vaccine ? 'dose-vaccine-error' : undefined} required />
        )}
        {errors.vaccine && <span id="dose-vaccine-error" className="st-error">{errors.vaccine}</span>}
      </div>
      <div className="st-grid">
        <div className="field">
          <label htmlFor="dose-lot">Số lô</label>
          <input id="dose-lot" value={d.lotNo} maxLength={50} onChange={(e) => set({ lotNo: e.target.value })} />
        </div>
        <div className="field">
          <label htmlFor="dose-route">Đường dùng</label>
          <select id="dose-route" value={d.route} onChange={(e) => set({ route: e.target.value })}>
            <option value="">– Không ghi –</option>
            {Object.entries(ROUTE_VI).map(([k, v]) => (
              <option key={k} value={k}>
                {v}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="dose-site">Vị trí tiêm</label>
          <input id="dose-site" value={d.bodySite} maxLength={100} placeholder="ví dụ: đùi trái" onChange={(e) => set({ bodySite: e.target.value })} />
        </div>
      </div>
      <div className="field">
        <label htmlFor="dose-reaction">Phản ứng theo dõi tại trạm (nếu có)</label>
        <input id="dose-reaction" value={d.reaction} maxLength={500} onChange={(e) => set({ reaction: e.target.value })} />
      </div>
      <button type="submit" className="button primary">
        Lưu mũi tiêm
      </button>
    </form>
  );
}
