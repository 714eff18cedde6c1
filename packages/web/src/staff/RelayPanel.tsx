import { viNumber } from '@openhssk/core';
import type { RelayEpisodeStatus, RelayOverview } from '@openhssk/core/api';
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { Alert } from '../ui.tsx';
import { get, post, put, viDateTime } from './http.ts';

const STATUS_VI: Record<RelayEpisodeStatus, string> = {
  not_sent: 'Chưa gửi',
  sent: 'Đã gửi',
  error: 'Lỗi',
  resent: 'Đã gửi lại',
};
const STATUS_BADGE: Record<RelayEpisodeStatus, string> = { not_sent: 'integrating', sent: 'ok', error: 'bad', resent: 'ok' };
const FILTERS: ReadonlyArray<{ value: RelayEpisodeStatus | ''; label: string }> = [
  { value: '', label: 'Tất cả' },
  { value: 'not_sent', label: STATUS_VI.not_sent },
  { value: 'sent', label: STATUS_VI.sent },
  { value: 'error', label: STATUS_VI.error },
  { value: 'resent', label: STATUS_VI.resent },
];

/**
 * "Gửi một lần": the facility's relay to the insurance assessment portal. The admin turns it on with
 * the portal address and account; every episode then shows whether it reached the portal, with the
 * portal's transaction code or its message, and a message in error can be sent again.
 */
export function RelayPanel({ code, canManage }: { code: string; canManage: boolean }) {
  const [data, setData] = useState<RelayOverview | null>(null);
  const [filter, setFilter] = useState<RelayEpisodeStatus | ''>('');
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const load = useCallback(() => {
    const q = new URLSearchParams({ facility: code, ...(filter ? { status: filter } : {}) });
    get<RelayOverview>(`/api/v1/relay?${q.toString()}`).then(setData, (e: Error) => setError(e.message));
  }, [code, filter]);
  useEffect(load, [load]);

  const resend = (id: number) => {
    setNote(null);
    post(`/api/v1/relay/messages/${id}/resend?facility=${encodeURIComponent(code)}`).then(
      () => {
        setNote('Đã đưa bản tin vào hàng đợi gửi lại.');
        load();
      },
      (e: Error) => setError(e.message),
    );
  };

  return (
    <section className="card" aria-labelledby="relay-title">
      <h2 id="relay-title">Gửi cổng giám định BHYT (gửi một lần)</h2>
      <p className="muted">
        Khi bật, mọi hồ sơ XML và bản tin check-in được OpenHSSK tiếp nhận sẽ được chuyển nguyên văn (giữ chữ ký số của cơ sở) lên cổng tiếp nhận dữ liệu
        giám định BHYT: cơ sở chỉ cần gửi một lần.
      </p>
      <Alert>{error}</Alert>
      {note && (
        <p role="status" className="muted">
          {note}
        </p>
      )}
      {data && canManage && <RelaySettingForm code={code} data={data} onSaved={load} />}
      {data && !canManage && <p>{data.setting?.enabled ? `Đang bật, gửi tới ${data.setting.portal_url}.` : 'Chưa bật chuyển tiếp.'}</p>}
      {data && (
        <>
          <p data-testid="relay-counts">
            Chờ gửi: <strong>{viNumber(data.counts.pending)}</strong> · Đã gửi: <strong>{viNumber(data.counts.sent)}</strong> · Lỗi:{' '}
            <strong>{viNumber(data.counts.error)}</strong>
          </p>
          {data.errors.length > 0 && (
            <>
              <h3>Bản tin lỗi</h3>
              <ul className="plain">
                {data.errors.map((m) => (
                  <li key={m.id} className="alert-item" data-testid="relay-error">
                    <strong>{m.kind === 'envelope' ? 'Hồ sơ' : 'Check-in'}</strong> {m.ma_lks.join(', ')} — {m.portal_message ?? m.last_error ?? 'Lỗi không rõ'}{' '}
                    <span className="muted">({viDateTime(m.updated_at)}, {viNumber(m.attempts)} lần thử)</span>
                    {canManage && (
                      <button type="button" className="button secondary" onClick={() => resend(m.id)}>
                        Gửi lại
                      </button>
                    )}
                  </li>
                ))}
              </ul>
            </>
          )}
          <h3>Trạng thái theo lượt khám</h3>
          <label htmlFor="relay-filter">Lọc theo trạng thái</label>
          <select id="relay-filter" value={filter} onChange={(e) => setFilter(e.target.value as RelayEpisodeStatus | '')}>
            {FILTERS.map((f) => (
              <option key={f.value} value={f.value}>
                {f.label}
              </option>
            ))}
          </select>
          <div className="table-wrap">
            <table>
              <caption>Lượt khám tiếp nhận trong 30 ngày gần nhất</caption>
              <thead>
                <tr>
                  <th scope="col">Mã lượt khám (MA_LK)</th>
                  <th scope="col">Tiếp nhận</th>
                  <th scope="col">Trạng thái</th>
                  <th scope="col">Mã giao dịch / thông báo của cổng</th>
                </tr>
              </thead>
              <tbody>
                {data.episodes.length === 0 && (
                  <tr>
                    <td colSpan={4}>Không có lượt khám.</td>
                  </tr>
                )}
                {data.episodes.map((e) => (
                  <tr key={`${e.ma_lk}-${e.version}`} data-testid="relay-episode" data-status={e.status}>
                    <td>{e.ma_lk}</td>
                    <td>{viDateTime(e.received_at)}</td>
                    <td>
                      <span className={`badge ${STATUS_BADGE[e.status]}`}>{STATUS_VI[e.status]}</span>
                      {e.queued && <span className="muted"> · đang chờ gửi{e.attempts > 0 ? `, đã thử ${viNumber(e.attempts)} lần` : ''}</span>}
                    </td>
                    <td>
                      {e.ma_giao_dich && (
                        <>
                          {e.ma_giao_dich} <span className="muted">({viDateTime(e.sent_at)})</span>
                        </>
                      )}
                      {e.status === 'error' && (e.portal_message ?? e.last_error)}
                      {e.queued && e.last_error && <span className="muted">{e.last_error}</span>}
                      {e.status === 'error' && canManage && e.message_id !== null && (
                        <button type="button" className="button secondary" onClick={() => resend(e.message_id!)}>
                          Gửi lại
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}

function RelaySettingForm({ code, data, onSaved }: { code: string; data: RelayOverview; onSaved: () => void }) {
  const s = data.setting;
  const [enabled, setEnabled] = useState(s?.enabled ?? false);
  const [url, setUrl] = useState(s?.portal_url ?? '');
  const [username, setUsername] = useState(s?.username ?? '');
  const [password, setPassword] = useState('');
  const [maTinh, setMaTinh] = useState(s?.ma_tinh ?? '');
  const [msg, setMsg] = useState<{ ok: boolean; text: string } | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setMsg(null);
    put('/api/v1/relay/setting', { facility: code, enabled, portal_url: url, username, ...(password ? { password } : {}), ...(maTinh ? { ma_tinh: maTinh } : {}) }).then(
      () => {
        setPassword('');
        setMsg({ ok: true, text: enabled ? 'Đã lưu. Chuyển tiếp đang bật.' : 'Đã lưu. Chuyển tiếp đang tắt.' });
        onSaved();
      },
      (err: Error) => setMsg({ ok: false, text: err.message }),
    );
  };
  return (
    <form onSubmit={submit} className="stack">
      <label className="row">
        <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} /> Bật chuyển tiếp lên cổng giám định
      </label>
      <div className="field">
        <label htmlFor="relay-url">Địa chỉ cổng tiếp nhận</label>
        <input id="relay-url" type="url" required value={url} onChange={(e) => setUrl(e.target.value)} placeholder="https://…" />
      </div>
      <div className="field">
        <label htmlFor="relay-user">Tên đăng nhập cổng</label>
        <input id="relay-user" required value={username} onChange={(e) => setUsername(e.target.value)} autoComplete="off" />
      </div>
      <div className="field">
        <label htmlFor="relay-pass">Mật khẩu cổng {s?.password_set ? '(để trống nếu giữ nguyên)' : ''}</label>
        <input id="relay-pass" type="password" value={password} onChange={(e) => setPassword(e.target.value)} autoComplete="new-password" />
      </div>
      <div className="field">
        <label htmlFor="relay-tinh">Mã tỉnh (maTinh, không bắt buộc)</label>
        <input id="relay-tinh" inputMode="numeric" maxLength={2} value={maTinh} onChange={(e) => setMaTinh(e.target.value)} />
      </div>
      <button type="submit" className="button primary">
        Lưu cấu hình
      </button>
      {msg && (msg.ok ? <p role="status">{msg.text}</p> : <Alert>{msg.text}</Alert>)}
    </form>
  );
}
