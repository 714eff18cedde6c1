import { viDate, viNumber } from '@openhssk/core';
import { useState } from 'react';
import { Alert, ReasonDialog } from '../../ui.tsx';
import { CLINICIAN_ROLES, get, post, type RegisterListKind, type RegisterRow } from '../api.ts';
import { Staleness, To, useRefresh } from '../components.tsx';
import { ROUTES, useStation } from '../context.ts';
import { db } from '../db.ts';
import { birthText, CONTROL_VI, LIST_VI } from '../format.ts';
import { useLive } from '../hooks.ts';

const LISTS: RegisterListKind[] = ['overdue', 'uncontrolled', 'due', 'active', 'proposed'];

/** The chronic-disease registers of the commune: overdue follow-ups, not controlled, due, all, proposals. */
export function RegistersPage() {
  const { form, me, online } = useStation();
  const [register, setRegister] = useState(() => sessionStorage.getItem('station-register') ?? 'hypertension');
  const [list, setList] = useState<RegisterListKind>(() => (sessionStorage.getItem('station-register-list') as RegisterListKind | null) ?? 'overdue');
  const key = `${register}:${list}`;
  const cached = useLive(() => db.registerLists.get(key), [key]);
  const { fresh, error, reload } = useRefresh(async () => {
    const r = await get<{ rows: RegisterRow[] }>(`/api/v1/primary-care/registers/${register}?list=${list}`);
    await db.registerLists.put({ key, rows: r.rows, savedAt: Date.now() });
  }, [key]);
  const [deciding, setDeciding] = useState<RegisterRow | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const clinician = CLINICIAN_ROLES.includes(me.role);
  const choose = (r: string, l: RegisterListKind) => {
    sessionStorage.setItem('station-register', r);
    sessionStorage.setItem('station-register-list', l);
    setRegister(r);
    setList(l);
  };
  const accept = async (row: RegisterRow) => {
    setActionError(null);
    try {
      await post(`/api/v1/primary-care/proposals/${row.id}/accept`, {});
      reload();
    } catch (e) {
      setActionError(e instanceof Error ? e.message : 'Không thực hiện được.');
    }
  };

  return (
    <>
      <h1>Sổ quản lý bệnh mạn tính</h1>
      <div className="card">
        <div className="field">
          <label htmlFor="register">Sổ</label>
          <select id="register" value={register} onChange={(e) => choose(e.target.value, list)}>
            {(form?.registers ?? []).map((r) => (
              <option key={r.key} value={r.key}>
                {r.label_vi}
              </option>
            ))}
          </select>
        </div>
        <fieldset className="st-tabs">
          <legend>Danh sách</legend>
          {LISTS.map((l) => (
            <label key={l} className="chip">
              <input type="radio" name="list" value={l} checked={list === l} onChange={() => choose(register, l)} />
              {LIST_VI[l]}
            </label>
          ))}
        </fieldset>
      </div>
      <Alert>{error ?? actionError}</Alert>
      <Staleness savedAt={cached?.savedAt} fresh={fresh} />
      {!cached && <p className="muted">{online ? 'Đang tải…' : 'Danh sách này chưa có trên máy.'}</p>}
      {cached && (
        <section aria-labelledby="list-title">
          <h2 id="list-title">
            {LIST_VI[list]}: {viNumber(cached.rows.length)} người
          </h2>
          <ul className="st-cards">
            {cached.rows.map((r) => (
              <li key={r.id} className="card">
                <To to={ROUTES.person(r.person_id)} className="st-name">
                  {r.ho_ten}
                </To>
                {r.overdue && <span className="st-tag st-refused">quá hạn</span>}
                {r.last_control && <span className="st-tag">{CONTROL_VI[r.last_control] ?? r.last_control}</span>}
                <div className="small">
                  {birthText(r.ngay_sinh)} · {r.icd10}
                  {r.icd10_name ? ` ${r.icd10_name}` : ''}
                </div>
                <div className="small">
                  {list === 'proposed'
                    ? `Đề xuất ${viDate(r.proposed_at)}${r.episode ? ` từ ${r.episode.facility_name ?? 'bệnh viện'}` : ' từ lần khám tại trạm'}`
                    : `Khám gần nhất ${viDate(r.last_visit_date)} · hẹn ${viDate(r.next_due)}`}
                </div>
                {list === 'proposed' && clinician && online && (
                  <div className="row">
                    <button type="button" className="button primary" onClick={() => void accept(r)}>
                      Đưa vào sổ
                    </button>
                    <button type="button" className="button secondary" onClick={() => setDeciding(r)}>
                      Không đưa vào
                    </button>
                  </div>
                )}
              </li>
            ))}
          </ul>
        </section>
      )}
      {deciding && (
        <ReasonDialog
          id="decline"
          title="Không đưa vào sổ quản lý"
          reasonLabel="Lý do (ví dụ: chẩn đoán không đúng)"
          reasonRule={{ required: true, minLength: 3, maxLength: 500 }}
          confirmLabel="Xác nhận"
          failMessage="Không thực hiện được."
          onClose={() => setDeciding(null)}
          onConfirm={async (reason) => {
            await post(`/api/v1/primary-care/proposals/${deciding.id}/decline`, { reason });
            setDeciding(null);
            reload();
          }}
        >
          {`${deciding.ho_ten}: đề xuất đưa vào sổ ${form?.registers.find((x) => x.key === register)?.label_vi.toLowerCase() ?? ''} sẽ được đóng lại kèm lý do.`}
        </ReasonDialog>
      )}
    </>
  );
}
