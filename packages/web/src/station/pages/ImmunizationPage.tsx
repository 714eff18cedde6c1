import { viDate, viDateTime, vietnamToday, viNumber } from '@openhssk/core';
import type { ImmPlan, ImmReactionList, ImmSession, ImmSlotRequestList } from '@openhssk/core/api';
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { REACTION_STATUS_VI, SEVERITY_VI, SLOT_STATUS_VI } from '../../pages/immunization-labels.ts';
import { Alert } from '../../ui.tsx';
import { ApiProblem, get, post } from '../api.ts';
import { To, useRefresh } from '../components.tsx';
import '../immunization.css';
import { ROUTES, useStation } from '../context.ts';
import { birthText } from '../format.ts';
import { useLive } from '../hooks.ts';
import { cachedPlan, refreshPlan } from '../immunization.ts';

/**
 * The commune's immunization work: the month plan (who is due or overdue for what, vaccine needs,
 * the session list to print or send), the session days, reaction reports citizens sent and their
 * slot requests. Read from the server (online): these are lists of the whole commune.
 */

function useLoad<T>(path: string | null) {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (!path || tick < 0) return;
    let live = true;
    setError(null);
    get<T>(path).then(
      (d) => live && setData(d),
      (e: unknown) => live && setError(e instanceof ApiProblem ? e.message : 'Không tải được (mất mạng?).'),
    );
    return () => {
      live = false;
    };
  }, [path, tick]);
  return { data, error, reload: useCallback(() => setTick((t) => t + 1), []) };
}

const thisMonth = () => vietnamToday().slice(0, 7);
const monthText = (m: string) => viDate(m);

export function ImmunizationPage() {
  const { online } = useStation();
  const [month, setMonth] = useState(thisMonth);
  // The plan and its due list are kept on the device: offline, the last one read is shown with its time.
  const cached = useLive(() => cachedPlan(month), [month]);
  const refreshed = useRefresh(() => refreshPlan(month), [month]);
  const plan = { data: cached?.value ?? null, error: refreshed.error, reload: refreshed.reload };
  const sessions = useLoad<{ sessions: ImmSession[] }>(online ? `/api/v1/immunization/sessions?from=${vietnamToday()}` : null);
  const seriesNames = new Map((plan.data?.by_series ?? []).map((s) => [s.series, s.name_vi]));
  return (
    <>
      <h1>Tiêm chủng{plan.data?.commune_name ? ` ${plan.data.commune_name}` : ''}</h1>
      <p>
        <To to={ROUTES.vaccineStock}>Kho vắc xin: tồn kho, hạn dùng, nhập vắc xin</To>
      </p>
      {cached ? (
        <p className={refreshed.fresh ? 'muted small' : 'st-stale'} data-testid="plan-freshness">
          Dữ liệu lúc {viDateTime(cached.savedAt)}
          {refreshed.fresh ? '' : ' (đang mất mạng hoặc chưa cập nhật được: danh sách có thể đã cũ)'}.
        </p>
      ) : (
        !online && <p className="st-stale">Kế hoạch tháng {monthText(month)} chưa được tải về máy.</p>
      )}
      {!online && <p className="st-stale">Đang mất mạng: buổi tiêm, phản ứng sau tiêm và đăng ký tiêm cần có mạng. Mũi tiêm vẫn ghi được ở trang của từng người.</p>}
      {(online || cached) && <Plan month={month} setMonth={setMonth} plan={plan.data} error={plan.error} online={online} />}
      {online && (
        <>
          <Sessions sessions={sessions.data?.sessions ?? null} error={sessions.error} onChanged={() => { sessions.reload(); plan.reload(); }} />
          <SlotRequests sessions={sessions.data?.sessions ?? []} seriesNames={seriesNames} />
          <Reactions />
        </>
      )}
    </>
  );
}

function Plan({ month, setMonth, plan, error, online }: { month: string; setMonth: (m: string) => void; plan: ImmPlan | null; error: string | null; online: boolean }) {
  const exportUrl = (format: 'xlsx' | 'csv' | 'pdf') => `/api/v1/immunization/plan/session-list?month=${month}&format=${format}`;
  return (
    <section className="card" aria-labelledby="plan-title">
      <h2 id="plan-title">Kế hoạch tiêm tháng {monthText(month)}</h2>
      <div className="field">
        <label htmlFor="plan-month">Tháng</label>
        <input id="plan-month" type="month" value={month} onChange={(e) => e.target.value && setMonth(e.target.value)} />
      </div>
      <Alert>{error}</Alert>
      {!plan && !error && <p className="muted">Đang tính kế hoạch…</p>}
      {plan && (
        <>
          <p>
            {viNumber(plan.total)} người cần tiêm trong tháng (đã xét {viNumber(plan.population.evaluated)} người trong độ tuổi
            {plan.population.birth_date_incomplete > 0 ? `; ${viNumber(plan.population.birth_date_incomplete)} người chưa có ngày sinh đầy đủ nên chưa tính được` : ''}).
          </p>
          {plan.stock_shortfalls && plan.stock_shortfalls.length > 0 && (
            <div className="st-stale" role="note" data-testid="plan-stock-short">
              <strong>Kho không đủ vắc xin cho kế hoạch tháng:</strong>
              <ul className="st-list">
                {plan.stock_shortfalls.map((s) => (
                  <li key={s.product}>
                    {s.name_vi}: cần {viNumber(s.needed_doses, 0)} liều, còn {viNumber(s.on_hand_doses, 0)} liều dùng được – thiếu {viNumber(s.short_doses, 0)} liều
                  </li>
                ))}
              </ul>
            </div>
          )}
          {online && (
          <div className="row">
            <a className="button secondary" href={exportUrl('xlsx')} download>
              Tải danh sách buổi tiêm (Excel)
            </a>
            <a className="button secondary" href={exportUrl('csv')} download>
              Tải danh sách (CSV, gửi tin nhắn)
            </a>
            <a className="button secondary" href={exportUrl('pdf')} download>
              Tải danh sách (PDF để in)
            </a>
            <button type="button" className="button secondary" onClick={() => window.print()}>
              In trang này
            </button>
          </div>
          )}
          <h3>Theo bệnh</h3>
          {plan.by_antigen.length === 0 ? (
            <p className="muted">Không có ai đến hạn hoặc quá hạn trong tháng.</p>
          ) : (
            <table className="st-table" data-testid="plan-by-antigen">
              <thead>
                <tr>
                  <th scope="col">Bệnh</th>
                  <th scope="col">Đến hạn</th>
                  <th scope="col">Quá hạn</th>
                </tr>
              </thead>
              <tbody>
                {plan.by_antigen.map((a) => (
                  <tr key={a.antigen}>
                    <th scope="row">{a.name_vi}</th>
                    <td>{a.due}</td>
                    <td>{a.overdue}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {plan.vaccine_needs.length > 0 && (
            <>
              <h3>Vắc xin cần chuẩn bị</h3>
              <ul className="st-list">
                {plan.vaccine_needs.map((v) => (
                  <li key={v.product}>
                    <strong>{v.name_vi}</strong>: {v.doses} liều cần tiêm, chuẩn bị {v.supplyDoses} liều ({v.vials} lọ {v.dosesPerVial} liều)
                    {v.verified ? '' : ' – hao phí ước tính, chưa đối chiếu'}
                  </li>
                ))}
              </ul>
            </>
          )}
          <h3>Danh sách cần mời tiêm ({viNumber(plan.total)})</h3>
          <ul className="st-cards" data-testid="plan-persons">
            {plan.persons.map((p) => (
              <li key={p.person_id} className="card">
                <To to={ROUTES.personImmunization(p.person_id)} className="st-name">
                  {p.ho_ten}
                </To>
                <div className="small">
                  {birthText(p.ngay_sinh)}
                  {p.guardian ? ` · ${p.guardian.relation === 'guardian' ? 'người giám hộ' : 'cha/mẹ'}: ${p.guardian.ho_ten}${p.guardian.so_dien_thoai ? ` (${p.guardian.so_dien_thoai})` : ''}` : p.so_dien_thoai ? ` · ${p.so_dien_thoai}` : ''}
                </div>
                <ul className="st-list">
                  {p.doses.map((d) => (
                    <li key={`${d.series}-${d.dose}`}>
                      {d.name_vi} – mũi {d.dose}: <span className={d.status === 'overdue' ? 'tag warn' : 'tag due'}>{d.status === 'overdue' ? 'Quá hạn' : 'Đến hạn'}</span> {viDate(d.date)}
                    </li>
                  ))}
                </ul>
              </li>
            ))}
          </ul>
          {plan.total > plan.persons.length && <p className="muted">Danh sách trên màn hình có {viNumber(plan.persons.length)} người đầu; tải tệp Excel để có đủ {viNumber(plan.total)} người.</p>}
        </>
      )}
    </section>
  );
}

function Sessions({ sessions, error, onChanged }: { sessions: ImmSession[] | null; error: string | null; onChanged: () => void }) {
  const [date, setDate] = useState('');
  const [place, setPlace] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  async function submit(e: FormEvent) {
    e.preventDefault();
    setMessage(null);
    setFailure(null);
    if (!date) {
      setFailure('Chọn ngày buổi tiêm.');
      return;
    }
    try {
      await post('/api/v1/immunization/sessions', { session_on: date, ...(place.trim() ? { place: place.trim() } : {}) });
      setMessage(`Đã đặt buổi tiêm ngày ${viDate(date)}.`);
      setDate('');
      onChanged();
    } catch (err) {
      setFailure(err instanceof ApiProblem ? err.message : 'Không lưu được (mất mạng?).');
    }
  }
  return (
    <section className="card" aria-labelledby="sessions-title">
      <h2 id="sessions-title">Buổi tiêm chủng sắp tới</h2>
      <Alert>{error}</Alert>
      {sessions && sessions.length === 0 && <p className="muted">Chưa đặt buổi tiêm nào.</p>}
      {sessions && sessions.length > 0 && (
        <ul className="st-list" data-testid="sessions">
          {sessions.map((s) => (
            <li key={String(s.id)}>
              <strong>{viDate(s.session_on)}</strong>
              {s.place ? ` · ${s.place}` : ''}
              {s.note ? ` · ${s.note}` : ''}
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={submit} noValidate aria-labelledby="session-form-title">
        <h3 id="session-form-title">Đặt ngày tiêm chủng</h3>
        <div className="st-grid">
          <div className="field">
            <label htmlFor="session-date">Ngày</label>
            <input id="session-date" type="date" min={vietnamToday()} value={date} onChange={(e) => setDate(e.target.value)} required />
          </div>
          <div className="field">
            <label htmlFor="session-place">Địa điểm</label>
            <input id="session-place" value={place} maxLength={200} placeholder="Trạm y tế xã" onChange={(e) => setPlace(e.target.value)} />
          </div>
        </div>
        <Alert>{failure}</Alert>
        {message && (
          <p className="st-flash" role="status">
            {message}
          </p>
        )}
        <button type="submit" className="button primary">
          Đặt buổi tiêm
        </button>
      </form>
    </section>
  );
}

function SlotRequests({ sessions, seriesNames }: { sessions: ImmSession[]; seriesNames: ReadonlyMap<string, string> }) {
  const list = useLoad<ImmSlotRequestList>('/api/v1/immunization/slot-requests');
  const [failure, setFailure] = useState<string | null>(null);
  const [chosen, setChosen] = useState<Record<string, string>>({});
  const open = (list.data?.requests ?? []).filter((r) => r.status === 'requested' || r.status === 'scheduled');
  const act = async (id: string, body: Record<string, unknown>) => {
    setFailure(null);
    try {
      await post(`/api/v1/immunization/slot-requests/${id}`, body);
      list.reload();
    } catch (err) {
      setFailure(err instanceof ApiProblem ? err.message : 'Không lưu được (mất mạng?).');
    }
  };
  const seriesText = (s: string) => {
    const [series, dose] = s.split('#');
    return `${seriesNames.get(series ?? '') ?? series}${dose ? ` mũi ${dose}` : ''}`;
  };
  return (
    <section className="card" aria-labelledby="slots-title">
      <h2 id="slots-title">Đăng ký tiêm của người dân ({open.length})</h2>
      <Alert>{list.error ?? failure}</Alert>
      {list.data && open.length === 0 && <p className="muted">Không có đăng ký nào đang chờ.</p>}
      <ul className="st-cards" data-testid="slot-requests">
        {open.map((r) => {
          const id = String(r.id);
          return (
            <li key={id} className="card">
              <To to={ROUTES.personImmunization(r.person_id)} className="st-name">
                {r.ho_ten}
              </To>{' '}
              <span className="st-tag">{SLOT_STATUS_VI[r.status] ?? r.status}</span>
              <div className="small">
                {birthText(r.ngay_sinh)}
                {r.so_dien_thoai ? ` · ${r.so_dien_thoai}` : ''} · gửi lúc {viDateTime(String(r.created_at))}
              </div>
              {r.series.length > 0 && <div className="small">Mũi cần tiêm: {r.series.map(seriesText).join(', ')}</div>}
              {r.note && <div className="small">Ghi chú: {r.note}</div>}
              {r.session_on && <div className="small">Buổi tiêm: {viDate(r.session_on)}</div>}
              <div className="st-actions">
                {sessions.length > 0 && (
                  <div className="field">
                    <label htmlFor={`slot-session-${id}`}>Xếp vào buổi</label>
                    <select id={`slot-session-${id}`} value={chosen[id] ?? String(r.session_id ?? sessions[0]!.id)} onChange={(e) => setChosen((c) => ({ ...c, [id]: e.target.value }))}>
                      {sessions.map((s) => (
                        <option key={String(s.id)} value={String(s.id)}>
                          {viDate(s.session_on)}
                          {s.place ? ` – ${s.place}` : ''}
                        </option>
                      ))}
                    </select>
                  </div>
                )}
                {sessions.length > 0 && (
                  <button type="button" className="button secondary" onClick={() => void act(id, { status: 'scheduled', session_id: Number(chosen[id] ?? r.session_id ?? sessions[0]!.id) })}>
                    Xếp lịch
                  </button>
                )}
                <button type="button" className="button secondary" onClick={() => void act(id, { status: 'done' })}>
                  Đã tiêm
                </button>
                <button type="button" className="button secondary" onClick={() => void act(id, { status: 'cancelled' })}>
                  Hủy đăng ký
                </button>
              </div>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function Reactions() {
  const [status, setStatus] = useState<'new' | 'acknowledged' | 'closed'>('new');
  const list = useLoad<ImmReactionList>(`/api/v1/immunization/reactions?status=${status}`);
  const [notes, setNotes] = useState<Record<number, string>>({});
  const [failure, setFailure] = useState<string | null>(null);
  const act = async (id: number, next: 'acknowledged' | 'closed') => {
    setFailure(null);
    try {
      const note = notes[id]?.trim();
      await post(`/api/v1/immunization/reactions/${id}`, { status: next, ...(note ? { note } : {}) });
      list.reload();
    } catch (err) {
      setFailure(err instanceof ApiProblem ? err.message : 'Không lưu được (mất mạng?).');
    }
  };
  return (
    <section className="card" aria-labelledby="reactions-title">
      <h2 id="reactions-title">Phản ứng sau tiêm người dân báo</h2>
      <fieldset className="st-tabs">
        <legend>Trạng thái</legend>
        {(['new', 'acknowledged', 'closed'] as const).map((s) => (
          <label key={s} className="chip">
            <input type="radio" name="reaction-status" checked={status === s} onChange={() => setStatus(s)} />
            {REACTION_STATUS_VI[s]}
          </label>
        ))}
      </fieldset>
      <Alert>{list.error ?? failure}</Alert>
      {list.data && list.data.reports.length === 0 && <p className="muted">Không có báo cáo nào.</p>}
      <ul className="st-cards" data-testid="reactions">
        {(list.data?.reports ?? []).map((r) => (
          <li key={r.id} className="card">
            <To to={ROUTES.personImmunization(r.person_id)} className="st-name">
              {r.ho_ten}
            </To>{' '}
            <span className={r.severity === 'severe' ? 'st-tag st-refused' : 'st-tag'}>{SEVERITY_VI[r.severity] ?? r.severity}</span>
            <div className="small">
              {birthText(r.ngay_sinh)}
              {r.so_dien_thoai ? ` · ${r.so_dien_thoai}` : ''}
            </div>
            <div>
              Sau mũi {r.vaccine_name}
              {r.dose_no ? ` mũi ${r.dose_no}` : ''} tiêm ngày {viDate(r.given_on)}
              {r.lot_no ? ` (lô ${r.lot_no})` : ''}; từ ngày {viDate(r.onset_on)}: {r.symptoms.map((s) => s.name_vi).join(', ')}
            </div>
            {r.detail && <div className="small">Mô tả: {r.detail}</div>}
            <div className="small">Báo lúc {viDateTime(String(r.created_at))}</div>
            {r.staff_note && (
              <div className="small">
                Ghi chú của trạm: {r.staff_note}
                {r.handled_by_name ? ` (${r.handled_by_name})` : ''}
              </div>
            )}
            {r.status !== 'closed' && (
              <>
                <div className="field">
                  <label htmlFor={`reaction-note-${r.id}`}>Ghi chú xử lý</label>
                  <input id={`reaction-note-${r.id}`} value={notes[r.id] ?? ''} maxLength={1000} onChange={(e) => setNotes((n) => ({ ...n, [r.id]: e.target.value }))} />
                </div>
                <div className="st-actions">
                  {r.status === 'new' && (
                    <button type="button" className="button secondary" onClick={() => void act(r.id, 'acknowledged')}>
                      Đã tiếp nhận
                    </button>
                  )}
                  <button type="button" className="button secondary" onClick={() => void act(r.id, 'closed')}>
                    Đã xử lý xong
                  </button>
                </div>
              </>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
