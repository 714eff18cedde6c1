import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { Alert } from '../ui.tsx';
import { get, patch, post, type StaffMe, upload, viDateTime } from './http.ts';

interface ChecklistItem {
  key: string;
  state: 'ok' | 'warning' | 'missing';
  label_vi: string;
  detail_vi: string;
}
interface Onboarding {
  facility: { code: string; name: string; test_mode: boolean };
  items: ChecklistItem[];
  badge: 'not_ready' | 'integrating' | 'connected';
  badge_vi: string;
}
interface Monitor {
  receipts: Array<{ id: string; received_at: string; channel: string; status: string; episode_count: number; accepted_count: number; rejected_count: number; issue_count: number; issues: Array<{ ma_lk: string | null; table?: string; field?: string; severity?: string; message_vi?: string }> }>;
  daily: Array<{ day: string; submissions: number; episodes: number; accepted: number; rejected: number }>;
  late_episodes: Array<{ id: number; ma_lk: string; ngay_ra: string; hours_after_discharge: number }>;
  resubmit_vi: string;
}

const STATE_VI = { ok: 'Đạt', warning: 'Cần chú ý', missing: 'Chưa đạt' } as const;

/** Facility admins see their own facility; officers and system admins pick one in their scope. */
export function FacilityPage({ me }: { me: StaffMe }) {
  const [facilities, setFacilities] = useState<Array<{ code: string; name: string; badge?: string }>>([]);
  const [code, setCode] = useState<string | null>(me.facility_code);
  useEffect(() => {
    if (me.role === 'facility_admin') return;
    void get<{ facilities: Array<{ code: string; name: string; badge?: string }> }>('/api/v1/facilities').then((r) => {
      setFacilities(r.facilities);
      setCode((c) => c ?? r.facilities[0]?.code ?? null);
    });
  }, [me.role]);
  return (
    <>
      {me.role !== 'facility_admin' && (
        <section className="card">
          <label htmlFor="facility-pick">Cơ sở KCB</label>
          <select id="facility-pick" value={code ?? ''} onChange={(e) => setCode(e.target.value)}>
            {facilities.map((f) => (
              <option key={f.code} value={f.code}>
                {f.code} – {f.name}
              </option>
            ))}
          </select>
        </section>
      )}
      {code && <FacilityDetail code={code} canManage={me.role === 'facility_admin' || me.role === 'system_admin'} key={code} />}
    </>
  );
}

function FacilityDetail({ code, canManage }: { code: string; canManage: boolean }) {
  const [ob, setOb] = useState<Onboarding | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(() => {
    get<Onboarding>(`/api/v1/facilities/${code}`).then(setOb, (e: Error) => setError(e.message));
  }, [code]);
  useEffect(reload, [reload]);
  if (error) return <Alert>{error}</Alert>;
  if (!ob) return <p className="muted">Đang tải…</p>;
  return (
    <>
      <section className="card" aria-labelledby="ob-title">
        <div className="spread">
          <h1 id="ob-title">
            {ob.facility.name} <span className="muted">({ob.facility.code})</span>
          </h1>
          <span className={`badge big ${ob.badge}`} data-testid="badge">
            {ob.badge_vi}
          </span>
        </div>
        <h2>Danh mục kết nối</h2>
        <ol className="checklist">
          {ob.items.map((i) => (
            <li key={i.key} className={i.state} data-key={i.key} data-state={i.state}>
              <span className="mark" aria-hidden="true">
                {i.state === 'ok' ? '✓' : i.state === 'warning' ? '!' : '○'}
              </span>
              <span>
                <strong>{i.label_vi}</strong> <span className="sr-only">— {STATE_VI[i.state]}</span>
                <br />
                <span className="muted">{i.detail_vi}</span>
              </span>
            </li>
          ))}
        </ol>
        {canManage && ob.facility.test_mode && (
          <button type="button" className="button secondary" onClick={() => void patch(`/api/v1/facilities/${code}`, { test_mode: false }).then(reload)}>
            Tắt chế độ thử nghiệm
          </button>
        )}
      </section>
      {canManage && <CertificateUpload code={code} onDone={reload} />}
      {canManage && <CredentialRotation code={code} onDone={reload} />}
      <SubmissionMonitor code={code} />
    </>
  );
}

function CertificateUpload({ code, onDone }: { code: string; onDone: () => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!file) return;
    try {
      const r = await upload<{ subject: string; not_after: string; warning_vi?: string }>(`/api/v1/facilities/${code}/certificates`, file);
      setMsg({ ok: !r.warning_vi, text: r.warning_vi ?? `Đã tải lên chứng thư số, hiệu lực đến ${viDateTime(r.not_after)}.` });
      onDone();
    } catch (err) {
      setMsg({ ok: false, text: err instanceof Error ? err.message : 'Tải lên không thành công.' });
    }
  }
  return (
    <section className="card" aria-labelledby="cert-title">
      <h2 id="cert-title">Chứng thư số</h2>
      <form onSubmit={submit} className="stack">
        <div className="field">
          <label htmlFor="cert-file">Tệp chứng thư số (PEM hoặc DER: .pem, .crt, .cer)</label>
          <input id="cert-file" type="file" accept=".pem,.crt,.cer,.der" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        </div>
        <button type="submit" className="button primary" disabled={!file}>
          Tải lên
        </button>
      </form>
      {msg && (
        <p role="status" className={msg.ok ? 'status ok' : 'alert'}>
          {msg.text}
        </p>
      )}
    </section>
  );
}

function CredentialRotation({ code, onDone }: { code: string; onDone: () => void }) {
  const [grace, setGrace] = useState('0');
  const [secret, setSecret] = useState<{ client_id: string; client_secret: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  async function rotate(e: FormEvent) {
    e.preventDefault();
    try {
      setSecret(await post<{ client_id: string; client_secret: string }>(`/api/v1/facilities/${code}/credentials/rotate`, { grace_hours: Number(grace) }));
      onDone();
    } catch (err) {
      setError(err instanceof Error ? err.message : 'Không cấp được.');
    }
  }
  return (
    <section className="card" aria-labelledby="cred-title">
      <h2 id="cred-title">Tài khoản kết nối (API)</h2>
      <form onSubmit={rotate} className="stack">
        <div className="field">
          <label htmlFor="grace">Giữ mật khẩu cũ thêm (giờ) để kịp cấu hình HIS</label>
          <input id="grace" type="number" min={0} max={720} value={grace} onChange={(e) => setGrace(e.target.value)} />
        </div>
        <button type="submit" className="button primary">
          Cấp mật khẩu ứng dụng mới
        </button>
      </form>
      <Alert>{error}</Alert>
      {secret && (
        <div role="status" className="secret">
          <p>
            <strong>Chỉ hiển thị một lần.</strong> Hãy sao chép vào phần mềm HIS ngay.
          </p>
          <dl className="facts">
            <dt>client_id</dt>
            <dd>
              <code>{secret.client_id}</code>
            </dd>
            <dt>client_secret</dt>
            <dd>
              <code>{secret.client_secret}</code>
            </dd>
          </dl>
        </div>
      )}
    </section>
  );
}

function SubmissionMonitor({ code }: { code: string }) {
  const [m, setM] = useState<Monitor | null>(null);
  useEffect(() => {
    void get<Monitor>(`/api/v1/facility/submissions?facility=${code}&days=30`).then(setM);
  }, [code]);
  if (!m) return null;
  return (
    <section className="card" aria-labelledby="mon-title">
      <h2 id="mon-title">Theo dõi gửi dữ liệu (30 ngày)</h2>
      <div className="table-wrap">
        <table>
          <caption>Số lượng theo ngày</caption>
          <thead>
            <tr>
              <th scope="col">Ngày</th>
              <th scope="col">Lần gửi</th>
              <th scope="col">Lượt KCB</th>
              <th scope="col">Tiếp nhận</th>
              <th scope="col">Từ chối</th>
            </tr>
          </thead>
          <tbody>
            {m.daily.map((d) => (
              <tr key={d.day}>
                <td>{d.day.split('-').reverse().join('/')}</td>
                <td>{d.submissions}</td>
                <td>{d.episodes}</td>
                <td>{d.accepted}</td>
                <td className={d.rejected ? 'bad' : ''}>{d.rejected}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h3>Biên nhận gần đây</h3>
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Mã tiếp nhận</th>
              <th scope="col">Thời điểm</th>
              <th scope="col">Kết quả</th>
              <th scope="col">Lỗi theo trường</th>
            </tr>
          </thead>
          <tbody>
            {m.receipts.map((r) => (
              <tr key={r.id}>
                <td>
                  <code>{r.id}</code>
                </td>
                <td>{viDateTime(r.received_at)}</td>
                <td>
                  {r.accepted_count}/{r.episode_count} tiếp nhận{r.rejected_count ? `, ${r.rejected_count} từ chối` : ''}
                </td>
                <td>
                  {r.issues.length === 0
                    ? '—'
                    : r.issues.slice(0, 5).map((i) => (
                        <div key={`${i.ma_lk}-${i.table}-${i.field}-${i.message_vi}`} className={i.severity === 'error' ? 'bad' : ''}>
                          {i.ma_lk} {i.table}.{i.field}: {i.message_vi}
                        </div>
                      ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h3>Gửi muộn hơn 24 giờ sau khi ra viện</h3>
      {m.late_episodes.length ? (
        <ul className="plain">
          {m.late_episodes.slice(0, 50).map((l) => (
            <li key={l.id}>
              MA_LK <code>{l.ma_lk}</code>: ra viện {l.ngay_ra.slice(0, 16)}, gửi sau {l.hours_after_discharge} giờ
            </li>
          ))}
        </ul>
      ) : (
        <p className="muted">Không có.</p>
      )}
      <p className="muted">Gửi lại: {m.resubmit_vi}</p>
    </section>
  );
}
