import { addDays, vietnamToday, viNumber } from '@openhssk/core';
import type { FacilityAppointmentItem, FacilityAppointments } from '@openhssk/core/api';
import { type FormEvent, useEffect, useState } from 'react';
import { APPOINTMENT_KIND } from '../labels.ts';
import { Alert, Pager } from '../ui.tsx';
import { get, viDate } from './http.ts';

const PER_PAGE = 20;

/** The page's people under their day, in list order (by day). */
function byDay(rows: FacilityAppointmentItem[]): Array<[string, FacilityAppointmentItem[]]> {
  const out: Array<[string, FacilityAppointmentItem[]]> = [];
  for (const a of rows) {
    const last = out.at(-1);
    if (last && last[0] === a.date) last[1].push(a);
    else out.push([a.date, [a]]);
  }
  return out;
}

/**
 * "Lịch hẹn tái khám": who the staff member's facility expects, day by day — its own re-exams and the
 * referrals sent to it — and how many did not come in the last 90 days. The server audits each person shown.
 */
export function AppointmentsPage() {
  const today = vietnamToday();
  const [range, setRange] = useState({ from: today, to: addDays(today, 13) });
  const [draft, setDraft] = useState(range);
  const [page, setPage] = useState(1);
  const [data, setData] = useState<FacilityAppointments | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    setError(null);
    get<FacilityAppointments>(`/api/v1/appointments/facility?from=${range.from}&to=${range.to}&page=${page}&per_page=${PER_PAGE}`).then(
      (d) => live && setData(d),
      (e: Error) => live && setError(e.message),
    );
    return () => {
      live = false;
    };
  }, [range, page]);
  const apply = (ev: FormEvent) => {
    ev.preventDefault();
    setRange(draft);
    setPage(1);
  };
  const counts = new Map((data?.days ?? []).map((d) => [d.date, d.count]));
  const ns = data?.no_show;
  return (
    <section aria-labelledby="appt-staff-title">
      <h1 id="appt-staff-title">Lịch hẹn tái khám</h1>
      <p className="muted">Người bệnh cơ sở hẹn khám lại và người được chuyển tuyến đến cơ sở. Mỗi lượt xem được ghi nhật ký truy cập.</p>
      {ns && (
        <section className="card" aria-labelledby="noshow-title" data-testid="no-show">
          <h2 id="noshow-title">Không đến khám theo hẹn (90 ngày qua)</h2>
          {ns.due === 0 ? (
            <p>Không có lịch hẹn nào đến hạn từ {viDate(ns.from)} đến {viDate(ns.to)}.</p>
          ) : (
            <p>
              Từ {viDate(ns.from)} đến {viDate(ns.to)}: <strong>{viNumber(ns.due)}</strong> lịch hẹn đến hạn, <strong>{viNumber(ns.kept)}</strong> người đã đến,{' '}
              <strong>{viNumber(ns.no_show)}</strong> người không đến ({viNumber((ns.rate ?? 0) * 100, 1)}%).
            </p>
          )}
        </section>
      )}
      <form className="card filters" onSubmit={apply} aria-label="Chọn khoảng ngày">
        <div className="field">
          <label htmlFor="appt-from">Từ ngày</label>
          <input id="appt-from" type="date" value={draft.from} required onChange={(e) => setDraft((d) => ({ ...d, from: e.target.value }))} />
        </div>
        <div className="field">
          <label htmlFor="appt-to">Đến ngày</label>
          <input id="appt-to" type="date" value={draft.to} min={draft.from} required onChange={(e) => setDraft((d) => ({ ...d, to: e.target.value }))} />
        </div>
        <p className="muted">Tối đa 62 ngày mỗi lần xem.</p>
        <button type="submit" className="button primary">
          Xem
        </button>
      </form>
      <Alert>{error}</Alert>
      {!data && !error && <p aria-live="polite">Đang tải…</p>}
      {data && (
        <p aria-live="polite" data-testid="appt-total">
          Từ {viDate(data.from)} đến {viDate(data.to)}: {viNumber(data.total)} người được hẹn.
        </p>
      )}
      {data && data.total === 0 && <p>Không có ai được hẹn trong khoảng ngày này.</p>}
      {data &&
        byDay(data.appointments).map(([day, rows]) => (
          <section key={day} className="card" aria-labelledby={`day-${day}`} data-testid="appt-day">
            <h2 id={`day-${day}`}>
              Ngày {viDate(day)} <span className="tag">{viNumber(counts.get(day) ?? rows.length)} người</span>
            </h2>
            <ul className="plain">
              {rows.map((a) => (
                <li key={`${a.kind}-${a.episode_id}`} data-testid="appt-person">
                  <strong>{a.ho_ten ?? '—'}</strong>
                  {a.ngay_sinh ? ` (sinh ${viDate(a.ngay_sinh)})` : ''} · {APPOINTMENT_KIND[a.kind]}
                  {a.kind === 'referral' ? ` từ ${a.issued_by_name ?? a.issued_by_code}` : ''}
                  {a.number ? ` · số ${a.number}` : ''}
                  {a.diagnosis ? <span className="muted"> · {a.diagnosis}</span> : null}
                  {a.so_dien_thoai ? <span> · ĐT {a.so_dien_thoai}</span> : null}
                </li>
              ))}
            </ul>
          </section>
        ))}
      {data && <Pager page={data.page} pages={data.pages} label="Chuyển trang lịch hẹn" onTurn={setPage} />}
    </section>
  );
}
