import { viDate, viDateTime, vietnamToday } from '@openhssk/core';
import type { BookVaccinations, ImmCatalog, ImmCertificateLink, ImmDoseView, ImmFamily, ImmReactionCreated, ImmSlotRequested } from '@openhssk/core/api';
import { type FormEvent, useState } from 'react';
import { api, withPerson } from '../api.ts';
import { RELATION } from '../labels.ts';
import { Alert } from '../ui.tsx';
import { DOSE_STATUS_VI, nextDueText, REACTION_STATUS_VI, SERIES_STATUS_VI, SEVERITY_VI, SLOT_STATUS_VI, statusClass } from './immunization-labels.ts';
import { useApi } from './useApi.ts';

/**
 * "Tiêm chủng": what is due next (for the citizen and each child), the doses by disease, the national
 * schedule's view of each series, the certificate with its QR code, reaction reports and slot requests.
 * A parent viewing a child's book sees the child's (the server checks the relation on every call).
 */
export function VaccinationsPage({ personId }: { personId: string | null }) {
  const { data, error, reload } = useApi<BookVaccinations>(withPerson('/api/v1/book/vaccinations', personId));
  const family = useApi<ImmFamily>(personId ? null : '/api/v1/book/immunization/family');
  const catalog = useApi<ImmCatalog>('/api/v1/immunization/catalog');
  const title = data?.viewing_child ? `Tiêm chủng của ${data.viewing_child.name}` : 'Tiêm chủng';
  return (
    <section aria-labelledby="vacc-title">
      <h1 id="vacc-title">{title}</h1>
      <Alert>{error}</Alert>
      {!data && !error && <p aria-live="polite">Đang tải dữ liệu tiêm chủng…</p>}
      {data && (
        <>
          <NextDue key={personId ?? 'self'} data={data} personId={personId} onChanged={reload} />
          {family.data && family.data.persons.length > 1 && <Family family={family.data} />}
          <History data={data} />
          <Schedule data={data} />
          <Certificate personId={personId} hasDoses={data.vaccinations.length > 0} />
          <Doses data={data} personId={personId} symptoms={catalog.data?.reaction_symptoms ?? []} onReported={reload} />
        </>
      )}
    </section>
  );
}

function NextDue({ data, personId, onChanged }: { data: BookVaccinations; personId: string | null; onChanged: () => void }) {
  const s = data.schedule;
  const open = data.slot_requests.find((r) => r.status === 'requested' || r.status === 'scheduled');
  // Kept here, not in the form: the reload that follows a request replaces the form with the open
  // request's status, and the confirmation must not vanish with it.
  const [sent, setSent] = useState<ImmSlotRequested | null>(null);
  return (
    <section className="card" aria-labelledby="due-title">
      <h2 id="due-title">Mũi tiêm cần tiêm tiếp theo</h2>
      {!s.evaluable ? (
        <p>{s.reason.message_vi}</p>
      ) : s.next_due.length === 0 ? (
        <p className="ok">Không có mũi nào cần tiêm theo lịch tiêm chủng mở rộng.</p>
      ) : (
        <ul className="plain" data-testid="next-due">
          {s.next_due.map((n) => (
            <li key={`${n.series}-${n.dose}`}>
              <strong>
                {n.name_vi} – mũi {n.dose}
              </strong>{' '}
              <span className={statusClass(n.status)}>{DOSE_STATUS_VI[n.status]}</span>
              <br />
              <span>{nextDueText(n)}</span>
            </li>
          ))}
        </ul>
      )}
      {s.evaluable && <p className="muted">Tính theo lịch tiêm chủng mở rộng ({s.schedule_title_vi}) đến ngày {viDate(s.as_of)}. Lịch chỉ để tham khảo; cán bộ y tế sẽ khám sàng lọc trước khi tiêm.</p>}
      {sent && (
        <p role="status" className="ok">
          Đã gửi đăng ký tiêm đến trạm y tế xã
          {sent.request.session_on ? `, buổi tiêm gần nhất ngày ${viDate(sent.request.session_on)}` : '; trạm sẽ báo lịch khi xếp được buổi tiêm'}.
        </p>
      )}
      {open ? (
        <p className="status" data-testid="slot-request">
          Đăng ký tiêm: {SLOT_STATUS_VI[open.status] ?? open.status}
          {open.session_on ? ` – buổi tiêm ngày ${viDate(open.session_on)}${open.place ? ` tại ${open.place}` : ''}` : ''}.
        </p>
      ) : (
        !sent && (
          <SlotRequestForm
            personId={personId}
            onDone={(r) => {
              setSent(r);
              onChanged();
            }}
          />
        )
      )}
    </section>
  );
}

function SlotRequestForm({ personId, onDone }: { personId: string | null; onDone: (r: ImmSlotRequested) => void }) {
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await api<ImmSlotRequested>(withPerson('/api/v1/book/immunization/slot-requests', personId), { method: 'POST', body: JSON.stringify(note.trim() ? { note: note.trim() } : {}) });
      onDone(r);
    } catch (err) {
      setError(err instanceof Error ? err.message : 'Không gửi được đăng ký.');
    } finally {
      setBusy(false);
    }
  }
  return (
    <form onSubmit={submit} aria-labelledby="slot-title">
      <h3 id="slot-title">Đăng ký tiêm</h3>
      <p className="muted">Gửi yêu cầu đến trạm y tế xã nơi cư trú để được xếp vào buổi tiêm chủng tới.</p>
      <div className="field">
        <label htmlFor="slot-note">Ghi chú cho trạm y tế (không bắt buộc)</label>
        <textarea id="slot-note" rows={2} maxLength={500} value={note} onChange={(e) => setNote(e.target.value)} />
      </div>
      <Alert>{error}</Alert>
      <button type="submit" className="button primary" disabled={busy}>
        Đăng ký tiêm
      </button>
    </form>
  );
}

function Family({ family }: { family: ImmFamily }) {
  return (
    <section className="card" aria-labelledby="family-title">
      <h2 id="family-title">Lịch tiêm của gia đình</h2>
      <ul className="plain" data-testid="family-due">
        {family.persons.map((p) => (
          <li key={p.id}>
            <strong>{p.relation === 'self' ? `Bạn (${p.ho_ten})` : p.ho_ten}</strong>{' '}
            <span className="muted">
              {p.relation === 'self' ? '' : `(sinh ${viDate(p.ngay_sinh)}, bạn là ${RELATION[p.relation] ?? p.relation}) `}
              {p.doses_recorded} mũi đã ghi nhận
            </span>
            {!p.evaluable ? (
              <div className="muted">Chưa có ngày sinh đầy đủ nên chưa tính được lịch tiêm.</div>
            ) : p.next_due.length === 0 ? (
              <div>Không có mũi nào cần tiêm.</div>
            ) : (
              <ul>
                {p.next_due.map((n) => (
                  <li key={`${n.series}-${n.dose}`}>
                    {n.name_vi} – mũi {n.dose}: {nextDueText(n)}
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ul>
      <p className="muted">Mở sổ của con ở trang Tổng quan để xem chi tiết và đăng ký tiêm cho con.</p>
    </section>
  );
}

function History({ data }: { data: BookVaccinations }) {
  return (
    <section className="card" aria-labelledby="history-title">
      <h2 id="history-title">Đã tiêm phòng bệnh gì</h2>
      {data.by_antigen.length === 0 ? (
        <>
          <p>Chưa có dữ liệu tiêm chủng.</p>
          <p className="muted">Mũi tiêm do trạm y tế và hệ thống tiêm chủng quốc gia gửi về; người dân không tự nhập mũi tiêm.</p>
        </>
      ) : (
        <ul className="plain" data-testid="by-antigen">
          {data.by_antigen.map((g) => (
            <li key={g.antigen}>
              <strong>{g.name_vi}</strong> <span className="muted">({g.doses.length} mũi)</span>
              <ul>
                {g.doses.map((d) => (
                  <li key={d.id}>
                    {viDate(d.given_on)} · {d.vaccine_name}
                    {d.dose_no ? ` · mũi ${d.dose_no}` : ''}
                    {d.facility_name ? ` · tại ${d.facility_name}` : ''}
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Schedule({ data }: { data: BookVaccinations }) {
  const s = data.schedule;
  if (!s.evaluable) return null;
  return (
    <section className="card" aria-labelledby="schedule-title">
      <h2 id="schedule-title">Theo lịch tiêm chủng quốc gia</h2>
      <ul className="plain" data-testid="schedule">
        {s.series.map((x) => (
          <li key={x.series}>
            <strong>{x.name_vi}</strong> <span className={statusClass(x.status)}>{SERIES_STATUS_VI[x.status]}</span>
            {x.next_date && x.status !== 'complete' && x.status !== 'not_applicable' && <span> · ngày tiêm tiếp theo: {viDate(x.next_date)}</span>}
            <ul>
              {x.doses.map((d) => (
                <li key={`${d.dose}-${d.status}-${d.date ?? ''}`}>{d.text_vi}</li>
              ))}
            </ul>
          </li>
        ))}
      </ul>
    </section>
  );
}

function Certificate({ personId, hasDoses }: { personId: string | null; hasDoses: boolean }) {
  const [link, setLink] = useState<ImmCertificateLink | null>(null);
  const [error, setError] = useState<string | null>(null);
  const show = () =>
    api<ImmCertificateLink>(withPerson('/api/v1/book/vaccinations/certificate', personId)).then(setLink, (e: unknown) => setError(e instanceof Error ? e.message : 'Không tải được mã xác minh.'));
  return (
    <section className="card" aria-labelledby="cert-title">
      <h2 id="cert-title">Giấy chứng nhận tiêm chủng</h2>
      {!hasDoses && <p className="muted">Chưa có mũi tiêm nào để chứng nhận.</p>}
      <p>Giấy có mã QR được ký số: ai cũng kiểm tra được tại trang xác minh mà không cần đăng nhập.</p>
      <div className="row">
        <a className="button primary" href={withPerson('/api/v1/book/vaccinations/certificate.pdf', personId)} download>
          Tải giấy chứng nhận (PDF)
        </a>
        {!link && (
          <button type="button" className="button secondary" onClick={() => void show()}>
            Hiện mã QR xác minh
          </button>
        )}
      </div>
      <Alert>{error}</Alert>
      {link && (
        <div data-testid="certificate-qr">
          <img src={link.qr} alt="Mã QR xác minh giấy chứng nhận tiêm chủng" className="qr" width={260} height={260} />
          <p>
            <a href={link.verify_url} target="_blank" rel="noopener noreferrer" data-testid="verify-link">
              Mở trang xác minh giấy chứng nhận
            </a>
          </p>
        </div>
      )}
    </section>
  );
}

function Doses({ data, personId, symptoms, onReported }: { data: BookVaccinations; personId: string | null; symptoms: ImmCatalog['reaction_symptoms']; onReported: () => void }) {
  const [open, setOpen] = useState<number | null>(null);
  const [advice, setAdvice] = useState<{ dose: number; result: ImmReactionCreated } | null>(null);
  const shown = data.vaccinations.filter((v) => v.duplicate_of === null);
  if (shown.length === 0) return null;
  const symptomName = (c: string) => symptoms.find((s) => s.code === c)?.vi ?? c;
  return (
    <section className="card" aria-labelledby="doses-title">
      <h2 id="doses-title">Các mũi đã tiêm</h2>
      <p className="muted">Sau tiêm có dấu hiệu bất thường, hãy báo cho cơ sở đã tiêm. Dấu hiệu nặng (khó thở, co giật, li bì): đưa đi khám ngay hoặc gọi 115.</p>
      <ul className="episodes" data-testid="doses">
        {shown.map((v) => {
          const reports = data.reactions.filter((r) => Number(r.vaccination_id) === v.id);
          return (
            <li key={v.id} className="card episode" data-dose-id={v.id}>
              <strong>
                {v.vaccine_name}
                {v.dose_no ? ` – mũi ${v.dose_no}` : ''}
              </strong>
              <span>
                Ngày tiêm {viDate(v.given_on)}
                {v.facility_name ? ` tại ${v.facility_name}` : ''}
              </span>
              {v.antigens.length > 0 && <span className="muted">Phòng: {v.antigens.map((a) => a.name_vi).join(', ')}</span>}
              {!v.recognised && <span className="muted">Chưa nhận ra loại vắc xin này nên chưa tính vào lịch tiêm.</span>}
              {v.reaction && <span>Phản ứng ghi tại nơi tiêm: {v.reaction}</span>}
              {reports.map((r) => (
                <span key={String(r.id)} className="status">
                  Đã báo phản ứng ngày {viDateTime(String(r.created_at))} ({SEVERITY_VI[r.severity] ?? r.severity}: {r.symptoms.map(symptomName).join(', ')}) – {REACTION_STATUS_VI[r.status] ?? r.status}
                  {r.staff_note ? `. Trả lời của cơ sở: ${r.staff_note}` : ''}
                </span>
              ))}
              {advice?.dose === v.id && (
                <p role={advice.result.advice.code === 'SEEK_CARE_NOW' ? 'alert' : 'status'} className={advice.result.advice.code === 'SEEK_CARE_NOW' ? 'alert' : 'ok'}>
                  {advice.result.advice.message_vi}
                </p>
              )}
              {open === v.id ? (
                <ReactionForm
                  dose={v}
                  personId={personId}
                  symptoms={symptoms}
                  onCancel={() => setOpen(null)}
                  onSent={(result) => {
                    setOpen(null);
                    setAdvice({ dose: v.id, result });
                    onReported();
                  }}
                />
              ) : (
                <button type="button" className="button secondary" onClick={() => setOpen(v.id)}>
                  Báo phản ứng sau tiêm
                </button>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function ReactionForm({ dose, personId, symptoms, onSent, onCancel }: { dose: ImmDoseView; personId: string | null; symptoms: ImmCatalog['reaction_symptoms']; onSent: (r: ImmReactionCreated) => void; onCancel: () => void }) {
  const id = `reaction-${dose.id}`;
  const [onset, setOnset] = useState(() => (vietnamToday() < dose.given_on ? dose.given_on : vietnamToday()));
  const [picked, setPicked] = useState<string[]>([]);
  const [severity, setSeverity] = useState<'mild' | 'moderate' | 'severe'>('mild');
  const [detail, setDetail] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function submit(e: FormEvent) {
    e.preventDefault();
    if (picked.length === 0) {
      setError('Chọn ít nhất một dấu hiệu.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const body = { onset_on: onset, symptoms: picked, severity, ...(detail.trim() ? { detail: detail.trim() } : {}) };
      onSent(await api<ImmReactionCreated>(withPerson(`/api/v1/book/vaccinations/${dose.id}/reactions`, personId), { method: 'POST', body: JSON.stringify(body) }));
    } catch (err) {
      setError(err instanceof Error ? err.message : 'Không gửi được báo cáo.');
    } finally {
      setBusy(false);
    }
  }
  return (
    <form onSubmit={submit} aria-labelledby={`${id}-title`}>
      <h3 id={`${id}-title`}>
        Báo phản ứng sau tiêm: {dose.vaccine_name} ngày {viDate(dose.given_on)}
      </h3>
      <div className="field">
        <label htmlFor={`${id}-onset`}>Ngày bắt đầu có dấu hiệu</label>
        <input id={`${id}-onset`} type="date" value={onset} min={dose.given_on} max={vietnamToday()} onChange={(e) => setOnset(e.target.value)} required />
      </div>
      <fieldset>
        <legend>Dấu hiệu (chọn một hoặc nhiều)</legend>
        {symptoms.map((s) => (
          <label key={s.code} className="choice">
            <input
              type="checkbox"
              checked={picked.includes(s.code)}
              onChange={(e) => setPicked((p) => (e.target.checked ? [...p, s.code] : p.filter((x) => x !== s.code)))}
            />
            {s.vi}
            {s.serious ? ' (dấu hiệu nặng)' : ''}
          </label>
        ))}
      </fieldset>
      <fieldset>
        <legend>Mức độ</legend>
        {(['mild', 'moderate', 'severe'] as const).map((v) => (
          <label key={v} className="choice">
            <input type="radio" name={`${id}-severity`} checked={severity === v} onChange={() => setSeverity(v)} />
            {SEVERITY_VI[v]}
          </label>
        ))}
      </fieldset>
      <div className="field">
        <label htmlFor={`${id}-detail`}>Mô tả thêm (không bắt buộc)</label>
        <textarea id={`${id}-detail`} rows={3} maxLength={1000} value={detail} onChange={(e) => setDetail(e.target.value)} />
      </div>
      <Alert>{error}</Alert>
      <div className="row">
        <button type="submit" className="button primary" disabled={busy}>
          Gửi báo cáo
        </button>
        <button type="button" className="button secondary" onClick={onCancel}>
          Hủy
        </button>
      </div>
    </form>
  );
}
