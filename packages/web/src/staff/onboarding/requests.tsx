import type { OnboardingRequest, OnboardingRequestEvent, OnboardingRequestKind, OnboardingRequestStatus } from '@openhssk/core/api';
import { useState } from 'react';
import { ApiProblem, get, post, viDateTime } from '../http.ts';

type RequestKind = OnboardingRequestKind;
type RequestStatus = OnboardingRequestStatus;
type RequestEvent = OnboardingRequestEvent;

interface Decided {
  request: OnboardingRequest;
  history: RequestEvent[];
  client_id?: string;
  client_secret?: string;
  note_vi?: string;
}

const KIND_VI: Record<RequestKind, string> = { facility_code: 'Cấp mã cơ sở KCB', interop_account: 'Cấp tài khoản liên thông (API)' };
const STATUS_VI: Record<RequestStatus, string> = { pending: 'Chờ duyệt', approved: 'Đã duyệt', returned: 'Trả lại' };
const STATUS_BADGE: Record<RequestStatus, string> = { pending: 'integrating', approved: 'ok', returned: 'bad' };
const ACTION_VI: Record<RequestEvent['action'], string> = { filed: 'Gửi yêu cầu', returned: 'Trả lại', refiled: 'Gửi lại', approved: 'Duyệt' };

const message = (e: unknown, fallback: string) => (e instanceof ApiProblem ? e.message : fallback);

/**
 * A request for a facility code or an interop account. The facility admin files for its facility;
 * an officer files a facility code on behalf of an applicant (the admin unit is then asked for).
 */
export function RequestForm({ askUnit, onFiled }: { askUnit: boolean; onFiled: () => void }) {
  const [kind, setKind] = useState<RequestKind>(askUnit ? 'facility_code' : 'interop_account');
  const [name, setName] = useState('');
  const [unit, setUnit] = useState('');
  const [applicant, setApplicant] = useState('');
  const [note, setNote] = useState('');
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    try {
      await post('/api/v1/onboarding/requests', {
        kind,
        applicant,
        ...(note ? { note } : {}),
        ...(kind === 'facility_code' ? { facility_name: name, admin_unit_code: unit } : {}),
      });
      setStatus({ ok: true, text: 'Đã gửi yêu cầu. Sở Y tế sẽ xem xét và trả lời trên trang này.' });
      setName('');
      setNote('');
      onFiled();
    } catch (err) {
      setStatus({ ok: false, text: message(err, 'Không gửi được yêu cầu.') });
    }
  };
  return (
    <form className="stack" onSubmit={submit} aria-labelledby="req-form-h">
      <h3 id="req-form-h">Gửi yêu cầu mới</h3>
      <label>
        Loại yêu cầu
        <select value={kind} onChange={(e) => setKind(e.target.value === 'facility_code' ? 'facility_code' : 'interop_account')} data-testid="req-kind">
          {!askUnit && <option value="interop_account">{KIND_VI.interop_account}</option>}
          <option value="facility_code">{KIND_VI.facility_code}</option>
        </select>
      </label>
      {kind === 'facility_code' && (
        <>
          <label>
            Tên cơ sở đề nghị cấp mã
            <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} />
          </label>
          <label>
            Mã xã/phường nơi đặt cơ sở
            <input value={unit} onChange={(e) => setUnit(e.target.value.trim())} required inputMode="numeric" maxLength={16} />
          </label>
        </>
      )}
      <label>
        Người đề nghị (họ tên, số điện thoại)
        <input value={applicant} onChange={(e) => setApplicant(e.target.value)} required maxLength={200} data-testid="req-applicant" />
      </label>
      <label>
        Ghi chú
        <textarea value={note} onChange={(e) => setNote(e.target.value)} maxLength={2000} rows={2} />
      </label>
      <div>
        <button type="submit" className="button">
          Gửi yêu cầu
        </button>
      </div>
      {status && (
        <p role="status" className={`status ${status.ok ? 'ok' : 'warn'}`}>
          {status.text}
        </p>
      )}
    </form>
  );
}

/** One request: what is asked, where it stands, its history; officers decide, the filer refiles a returned one. */
function RequestItem({ r, canDecide, onChange }: { r: OnboardingRequest; canDecide: boolean; onChange: () => void }) {
  const [history, setHistory] = useState<RequestEvent[] | null>(null);
  const [code, setCode] = useState('');
  const [reason, setReason] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [secret, setSecret] = useState<{ id: string; secret: string; note: string } | null>(null);
  const act = async (path: string, body: object) => {
    try {
      const d = await post<Decided>(`/api/v1/onboarding/requests/${r.id}/${path}`, body);
      setError(null);
      setHistory(d.history);
      if (d.client_secret && d.client_id) setSecret({ id: d.client_id, secret: d.client_secret, note: d.note_vi ?? '' });
      onChange();
    } catch (e) {
      setError(message(e, 'Không xử lý được yêu cầu.'));
    }
  };
  const h = `req-${r.id}`;
  return (
    <li className="card request" aria-labelledby={h} data-testid={`request-${r.id}`}>
      <h3 id={h}>
        {KIND_VI[r.kind]}: {r.facility_name} {r.facility_code && <span className="muted">({r.facility_code})</span>}
      </h3>
      <p>
        <span className={`badge ${STATUS_BADGE[r.status]}`}>{STATUS_VI[r.status]}</span> · gửi {viDateTime(r.filed_at)} · {r.applicant}
      </p>
      {r.note && <p>Ghi chú: {r.note}</p>}
      {r.status === 'returned' && r.return_reason && <p className="status warn">Lý do trả lại: {r.return_reason}</p>}
      {r.status === 'approved' && r.result && (
        <p className="status ok">
          Đã cấp{r.result.facility_code ? ` mã cơ sở ${r.result.facility_code}` : ''}
          {r.result.client_id ? `, mã ứng dụng ${r.result.client_id}` : ''}.
        </p>
      )}
      {secret && (
        <div className="secret" role="status">
          <p>
            Mã ứng dụng: <code>{secret.id}</code>
            <br />
            Mật khẩu ứng dụng: <code data-testid="request-secret">{secret.secret}</code>
          </p>
          <p>{secret.note}</p>
        </div>
      )}
      {error && (
        <p role="alert" className="status warn">
          {error}
        </p>
      )}
      {canDecide && r.status === 'pending' && (
        <div className="stack">
          {r.kind === 'facility_code' && (
            <label>
              Mã cơ sở KCB được cấp (5 chữ số)
              <input value={code} onChange={(e) => setCode(e.target.value.trim())} inputMode="numeric" maxLength={5} />
            </label>
          )}
          <div className="actions">
            <button type="button" className="button" onClick={() => void act('approve', r.kind === 'facility_code' ? { code } : {})}>
              Duyệt và cấp
            </button>
          </div>
          <label>
            Lý do trả lại
            <textarea value={reason} onChange={(e) => setReason(e.target.value)} rows={2} maxLength={2000} />
          </label>
          <div className="actions">
            <button type="button" className="button secondary" disabled={!reason.trim()} onClick={() => void act('return', { reason })}>
              Trả lại
            </button>
          </div>
        </div>
      )}
      {!canDecide && r.status === 'returned' && (
        <div className="stack">
          <label>
            Nội dung bổ sung
            <textarea value={note} onChange={(e) => setNote(e.target.value)} rows={2} maxLength={2000} />
          </label>
          <div>
            <button type="button" className="button" onClick={() => void act('refile', note ? { note } : {})}>
              Gửi lại yêu cầu
            </button>
          </div>
        </div>
      )}
      <details
        onToggle={(e) => {
          if ((e.target as HTMLDetailsElement).open && !history) {
            void get<Decided>(`/api/v1/onboarding/requests/${r.id}`).then((d) => setHistory(d.history), (err: unknown) => setError(message(err, 'Không tải được lịch sử.')));
          }
        }}
      >
        <summary>Lịch sử xử lý</summary>
        <ol>
          {history?.map((x) => (
            <li key={`${x.at}-${x.action}`}>
              {viDateTime(x.at)} — {ACTION_VI[x.action]} ({x.actor_name}){x.reason ? `: ${x.reason}` : ''}
            </li>
          ))}
        </ol>
      </details>
    </li>
  );
}

export function RequestList({ requests, canDecide, onChange }: { requests: OnboardingRequest[]; canDecide: boolean; onChange: () => void }) {
  if (requests.length === 0) return <p className="muted">Chưa có yêu cầu nào.</p>;
  return (
    <ul className="requests">
      {requests.map((r) => (
        <RequestItem key={r.id} r={r} canDecide={canDecide} onChange={onChange} />
      ))}
    </ul>
  );
}
