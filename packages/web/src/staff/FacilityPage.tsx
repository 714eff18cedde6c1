import { viDate, viDateTime, viDelay, viNumber } from '@openhssk/core';
import type { OnboardingRequest } from '@openhssk/core/api';
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { Alert, ReasonDialog } from '../ui.tsx';
import { get, patch, post, type StaffMe, upload } from './http.ts';
import { RequestForm, RequestList } from './onboarding/requests.tsx';
import { RelayPanel } from './RelayPanel.tsx';
import { SixMonthlyDownloads } from './reports/SixMonthlyDownloads.tsx';

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
  receipts: Array<{ id: string; received_at: string; channel: string; status: string; episode_count: number; accepted_count: number; rejected_count: number; issue_count: number; certificate_revoked?: boolean; issues: Array<{ ma_lk: string | null; table?: string; field?: string; severity?: string; message_vi?: string }> }>;
  daily: Array<{ day: string; submissions: number; episodes: number; accepted: number; rejected: number }>;
  late_episodes: Array<{ id: number; ma_lk: string; ngay_ra: string; hours_after_discharge: number }>;
  revoked_certificate_episodes?: {
    count: number;
    label_vi: string;
    episodes: Array<{ id: number; ma_lk: string; version: number; is_current: boolean; received_at: string; submission_id: string; fingerprint256: string }>;
  };
  resubmit_vi: string;
}
interface Certificate {
  id: number;
  fingerprint256: string;
  subject: string;
  not_before: string;
  not_after: string;
  uploaded_at: string;
  uploaded_by: string | null;
  approved_at: string | null;
  approved_by: string | null;
  revoked_at: string | null;
  revoked_by: string | null;
  revoke_reason: string | null;
  status: 'pending' | 'approved' | 'revoked';
  status_vi: string;
  days_left: number;
  /** Present for pending certificates when the server requires a chain to an installed CA. */
  chain_ok?: boolean;
  chain_problem_vi?: string;
}

const STATE_VI = { ok: 'Đạt', warning: 'Cần chú ý', missing: 'Chưa đạt' } as const;
const CERT_BADGE = { pending: 'integrating', approved: 'ok', revoked: 'bad' } as const;

/** The CN of a certificate subject ("C=VN\nO=…\nCN=…"), else the whole subject. */
const commonName = (subject: string) => /(?:^|\n)CN=([^\n]+)/.exec(subject)?.[1] ?? subject;

/** The facility's own six-monthly report and its requests to the health department. */
function FacilityReports({ code }: { code: string }) {
  const [requests, setRequests] = useState<OnboardingRequest[] | null>(null);
  const load = useCallback(() => {
    get<{ requests: OnboardingRequest[] }>('/api/v1/onboarding/requests').then((r) => setRequests(r.requests), () => setRequests([]));
  }, []);
  useEffect(load, [load]);
  return (
    <>
      <section className="card">
        <SixMonthlyDownloads
          title="Báo cáo 6 tháng của cơ sở (Điều 8 QĐ 2733/QĐ-BYT)"
          testId="facility-six"
          href={(year, half, format) => `/api/v1/reports/facility/six-monthly?${new URLSearchParams({ facility: code, year: String(year), half: String(half), format })}`}
        />
      </section>
      <section className="card" aria-labelledby="fac-req-h">
        <h2 id="fac-req-h">Đề nghị Sở Y tế cấp mã, tài khoản liên thông</h2>
        {requests && <RequestList requests={requests} canDecide={false} onChange={load} />}
        <RequestForm askUnit={false} onFiled={load} />
      </section>
    </>
  );
}

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
      {code && <FacilityDetail code={code} canManage={me.role === 'facility_admin' || me.role === 'system_admin'} totpEnabled={me.totp_enabled} key={code} />}
      {code && me.role === 'facility_admin' && <FacilityReports code={code} />}
    </>
  );
}

function FacilityDetail({ code, canManage, totpEnabled }: { code: string; canManage: boolean; totpEnabled: boolean }) {
  const [ob, setOb] = useState<Onboarding | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Bumped when a certificate changes, so the monitor re-reads what a revocation flagged.
  const [certVersion, setCertVersion] = useState(0);
  const [goingLive, setGoingLive] = useState(false);
  const reload = useCallback(() => {
    get<Onboarding>(`/api/v1/facilities/${code}`).then(setOb, (e: Error) => setError(e.message));
  }, [code]);
  const certificatesChanged = useCallback(() => {
    reload();
    setCertVersion((v) => v + 1);
  }, [reload]);
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
          <button type="button" className="button secondary" onClick={() => setGoingLive(true)}>
            Tắt chế độ thử nghiệm…
          </button>
        )}
        {goingLive && (
          <ReasonDialog
            id="go-live"
            title="Tắt chế độ thử nghiệm?"
            confirmLabel="Tắt chế độ thử nghiệm"
            failMessage="Không tắt được chế độ thử nghiệm."
            onConfirm={async () => {
              await patch(`/api/v1/facilities/${code}`, { test_mode: false });
              setGoingLive(false);
              reload();
            }}
            onClose={() => setGoingLive(false)}
          >
            Từ lúc này, hồ sơ XML <strong>không có chữ ký số hợp lệ của cơ sở bị từ chối</strong>: chỉ tắt khi phần mềm HIS đã ký hồ sơ bằng chứng thư số đã được duyệt.
          </ReasonDialog>
        )}
      </section>
      <Certificates code={code} canManage={canManage} totpEnabled={totpEnabled} onChange={certificatesChanged} />
      {canManage && <CredentialRotation code={code} onDone={reload} />}
      {canManage && <BreakGlassAlerts code={code} />}
      <SubmissionMonitor code={code} key={certVersion} />
      <RelayPanel code={code} canManage={canManage} />
    </>
  );
}

interface BreakGlassAlertList {
  threshold: number;
  window_hours: number;
  alerts: Array<{
    id: number;
    username: string;
    staff_name: string;
    grants: number;
    first_grant_at: string;
    last_grant_at: string;
    grant_list: Array<{ id: number; person_name: string; reason: string; granted_at: string }>;
  }>;
}

/** Clinicians whose emergency access went past the usual: the facility admin is the one to ask why. */
function BreakGlassAlerts({ code }: { code: string }) {
  const [list, setList] = useState<BreakGlassAlertList | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    get<BreakGlassAlertList>(`/api/v1/clinic/break-glass-alerts?facility=${encodeURIComponent(code)}`).then(setList, (e: Error) => setError(e.message));
  }, [code]);
  return (
    <section className="card" aria-labelledby="bg-alert-title">
      <h2 id="bg-alert-title">Cảnh báo truy cập khẩn cấp</h2>
      <Alert>{error}</Alert>
      {list && (
        <p className="muted">
          Cảnh báo khi một bác sĩ dùng truy cập khẩn cấp quá {list.threshold} lần trong {list.window_hours} giờ.
        </p>
      )}
      {list && list.alerts.length === 0 && <p>Không có cảnh báo.</p>}
      {list?.alerts.map((a) => (
        <details key={a.id} className="alert-item">
          <summary>
            <strong>{a.staff_name}</strong> ({a.username}): {a.grants} lần, từ {viDateTime(a.first_grant_at)} đến {viDateTime(a.last_grant_at)}
          </summary>
          <ul>
            {a.grant_list.map((g) => (
              <li key={g.id}>
                {viDateTime(g.granted_at)} — {g.person_name}: <em>{g.reason}</em>
              </li>
            ))}
          </ul>
        </details>
      ))}
    </section>
  );
}

/**
 * Signing certificates: a certificate a facility system sent with its token waits here until a
 * facility admin with two-factor authentication (or a system admin) approves it; revoking one stops
 * it at once and flags what it let in on the submission monitor.
 */
function Certificates({ code, canManage, totpEnabled, onChange }: { code: string; canManage: boolean; totpEnabled: boolean; onChange: () => void }) {
  const [list, setList] = useState<Certificate[] | null>(null);
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const [revoking, setRevoking] = useState<Certificate | null>(null);
  const load = useCallback(() => {
    get<{ certificates: Certificate[] }>(`/api/v1/facilities/${code}/certificates`).then(
      (r) => setList(r.certificates),
      (e: Error) => setMsg({ ok: false, text: e.message }),
    );
  }, [code]);
  useEffect(load, [load]);
  const changed = (text: string, ok = true) => {
    setMsg({ ok, text });
    load();
    onChange();
  };
  async function approve(c: Certificate) {
    try {
      await post(`/api/v1/facilities/${code}/certificates/${encodeURIComponent(c.fingerprint256)}/approve`);
      changed(`Đã duyệt chứng thư số ${commonName(c.subject)}. Hồ sơ ký bằng chứng thư này sẽ được tiếp nhận.`);
    } catch (err) {
      setMsg({ ok: false, text: err instanceof Error ? err.message : 'Không duyệt được.' });
    }
  }
  return (
    <section className="card" aria-labelledby="cert-title">
      <h2 id="cert-title">Chứng thư số</h2>
      {list === null ? (
        <p className="muted">Đang tải…</p>
      ) : list.length === 0 ? (
        <p className="muted">Chưa có chứng thư số nào.</p>
      ) : (
        <ul className="plain">
          {list.map((c) => (
            <li key={c.id} className={c.status === 'pending' ? 'pending' : undefined}>
              <div className="row spread">
                <strong id={`cert-${c.id}`}>{commonName(c.subject)}</strong>
                <span className={`badge ${CERT_BADGE[c.status]}`} data-status={c.status}>
                  {c.status_vi}
                </span>
              </div>
              <dl className="facts">
                <dt>Hiệu lực</dt>
                <dd>
                  {viDateTime(c.not_before)} – {viDateTime(c.not_after)}
                  {c.status !== 'revoked' && (c.days_left < 0 ? ' (đã hết hạn)' : c.days_left < 30 ? ` (còn ${c.days_left} ngày)` : '')}
                </dd>
                <dt>Dấu vân tay SHA-256</dt>
                <dd>
                  <code className="url">{c.fingerprint256}</code>
                </dd>
                <dt>Tải lên</dt>
                <dd>
                  {viDateTime(c.uploaded_at)}
                  {c.uploaded_by && <span className="muted"> — {c.uploaded_by}</span>}
                </dd>
                {c.approved_at && (
                  <>
                    <dt>Duyệt</dt>
                    <dd>
                      {viDateTime(c.approved_at)}
                      {c.approved_by && <span className="muted"> — {c.approved_by}</span>}
                    </dd>
                  </>
                )}
                {c.revoked_at && (
                  <>
                    <dt>Thu hồi</dt>
                    <dd>
                      {viDateTime(c.revoked_at)}
                      {c.revoked_by && <span className="muted"> — {c.revoked_by}</span>}
                      {c.revoke_reason && <> · Lý do: {c.revoke_reason}</>}
                    </dd>
                  </>
                )}
              </dl>
              {c.chain_ok === false && <p className="alert">{c.chain_problem_vi} Chứng thư này không thể được duyệt.</p>}
              {canManage && c.status === 'pending' && !totpEnabled && <p className="muted">Cần bật xác thực hai lớp (mã TOTP) cho tài khoản của bạn để duyệt chứng thư số.</p>}
              {canManage && c.status !== 'revoked' && (
                <div className="row">
                  {c.status === 'pending' && (
                    <button type="button" className="button primary" aria-describedby={`cert-${c.id}`} disabled={c.chain_ok === false} onClick={() => void approve(c)}>
                      Duyệt
                    </button>
                  )}
                  <button type="button" className="button secondary" aria-describedby={`cert-${c.id}`} onClick={() => setRevoking(c)}>
                    Thu hồi
                  </button>
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
      {msg && (
        <p role="status" className={msg.ok ? 'status ok' : 'alert'}>
          {msg.text}
        </p>
      )}
      {canManage && <CertificateUpload code={code} onDone={(text, ok) => changed(text, ok)} />}
      {revoking && (
        <RevokeDialog
          code={code}
          cert={revoking}
          onClose={() => setRevoking(null)}
          onRevoked={() => {
            setRevoking(null);
            changed(`Đã thu hồi chứng thư số ${commonName(revoking.subject)}.`);
          }}
        />
      )}
    </section>
  );
}

function CertificateUpload({ code, onDone }: { code: string; onDone: (text: string, ok: boolean) => void }) {
  const [file, setFile] = useState<File | null>(null);
  const [error, setError] = useState<string | null>(null);
  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!file) return;
    try {
      const r = await upload<{ subject: string; not_after: string; warning_vi?: string }>(`/api/v1/facilities/${code}/certificates`, file);
      setError(null);
      onDone(r.warning_vi ?? `Đã tải lên chứng thư số, hiệu lực đến ${viDateTime(r.not_after)}.`, !r.warning_vi);
    } catch (err) {
      setError(err instanceof Error ? err.message : 'Tải lên không thành công.');
    }
  }
  return (
    <form onSubmit={submit} className="stack">
      <h3>Tải lên chứng thư số mới</h3>
      <p className="muted">Chứng thư tải lên tại đây được tin cậy ngay. Chứng thư do phần mềm HIS gửi lên phải được duyệt ở danh sách trên.</p>
      <div className="field">
        <label htmlFor="cert-file">Tệp chứng thư số (PEM hoặc DER: .pem, .crt, .cer)</label>
        <input id="cert-file" type="file" accept=".pem,.crt,.cer,.der" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
      </div>
      <button type="submit" className="button primary" disabled={!file}>
        Tải lên
      </button>
      <Alert>{error}</Alert>
    </form>
  );
}

function RevokeDialog({ code, cert, onClose, onRevoked }: { code: string; cert: Certificate; onClose: () => void; onRevoked: () => void }) {
  return (
    <ReasonDialog
      id="revoke"
      title="Thu hồi chứng thư số?"
      reasonLabel="Lý do thu hồi (ghi vào nhật ký)"
      reasonRule={{ maxLength: 500 }}
      confirmLabel="Xác nhận thu hồi"
      failMessage="Không thu hồi được."
      onConfirm={async (reason) => {
        await post(`/api/v1/facilities/${code}/certificates/${encodeURIComponent(cert.fingerprint256)}/revoke`, { reason });
        onRevoked();
      }}
      onClose={onClose}
    >
      Chứng thư <strong>{commonName(cert.subject)}</strong> sẽ bị thu hồi <strong>ngay lập tức và không thể khôi phục</strong>. Từ lúc này mọi hồ sơ XML và thông báo check-in ký bằng chứng thư
      này đều bị từ chối, nên phần mềm HIS cần một chứng thư khác đã được duyệt để tiếp tục gửi dữ liệu. Các lượt khám đã tiếp nhận bằng chứng thư này sẽ được đánh dấu ở mục Theo dõi gửi dữ
      liệu để kiểm tra lại.
    </ReasonDialog>
  );
}

function CredentialRotation({ code, onDone }: { code: string; onDone: () => void }) {
  // A day by default: the hospital's HIS keeps sending with the old password while it is reconfigured.
  const [grace, setGrace] = useState('24');
  const [asking, setAsking] = useState(false);
  const [secret, setSecret] = useState<{ client_id: string; client_secret: string } | null>(null);
  const hours = Number(grace);
  return (
    <section className="card" aria-labelledby="cred-title">
      <h2 id="cred-title">Tài khoản kết nối (API)</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setAsking(true);
        }}
        className="stack"
      >
        <div className="field">
          <label htmlFor="grace">Giữ mật khẩu cũ thêm (giờ) để kịp cấu hình HIS</label>
          <input id="grace" type="number" min={0} max={720} value={grace} onChange={(e) => setGrace(e.target.value)} />
        </div>
        <button type="submit" className="button secondary">
          Cấp mật khẩu ứng dụng mới…
        </button>
      </form>
      {asking && (
        <ReasonDialog
          id="rotate"
          title="Cấp mật khẩu ứng dụng mới?"
          confirmLabel="Cấp mật khẩu mới"
          failMessage="Không cấp được mật khẩu mới."
          onConfirm={async () => {
            setSecret(await post<{ client_id: string; client_secret: string }>(`/api/v1/facilities/${code}/credentials/rotate`, { grace_hours: hours }));
            setAsking(false);
            onDone();
          }}
          onClose={() => setAsking(false)}
        >
          {hours > 0 ? (
            <>
              Mật khẩu hiện tại của phần mềm HIS <strong>hết hiệu lực sau {hours} giờ</strong>.
            </>
          ) : (
            <>
              Mật khẩu hiện tại của phần mềm HIS <strong>hết hiệu lực ngay lập tức</strong>.
            </>
          )}{' '}
          Sau thời điểm đó, HIS không gửi được hồ sơ XML và thông báo check-in cho đến khi được cấu hình mật khẩu mới. Mật khẩu mới chỉ hiển thị một lần.
        </ReasonDialog>
      )}
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
      {m.revoked_certificate_episodes && m.revoked_certificate_episodes.count > 0 && (
        <div className="alert" data-testid="revoked-cert-episodes">
          <h3>
            {m.revoked_certificate_episodes.label_vi} ({viNumber(m.revoked_certificate_episodes.count)} lượt KCB)
          </h3>
          <ul className="plain">
            {m.revoked_certificate_episodes.episodes.slice(0, 50).map((e) => (
              <li key={e.id}>
                MA_LK <code>{e.ma_lk}</code> (phiên bản {e.version}
                {e.is_current ? '' : ', đã có phiên bản mới'}): tiếp nhận {viDateTime(e.received_at)}, mã tiếp nhận <code>{e.submission_id}</code>
              </li>
            ))}
          </ul>
        </div>
      )}
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
                <td>{viDate(d.day)}</td>
                <td>{viNumber(d.submissions)}</td>
                <td>{viNumber(d.episodes)}</td>
                <td>{viNumber(d.accepted)}</td>
                <td className={d.rejected ? 'bad' : ''}>{viNumber(d.rejected)}</td>
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
                  {viNumber(r.accepted_count)}/{viNumber(r.episode_count)} tiếp nhận{r.rejected_count ? `, ${viNumber(r.rejected_count)} từ chối` : ''}
                  {r.certificate_revoked && <div className="bad">Ký bằng chứng thư số đã bị thu hồi</div>}
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
              MA_LK <code>{l.ma_lk}</code>: ra viện {viDateTime(l.ngay_ra)}, gửi sau {viDelay(l.hours_after_discharge)}
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
