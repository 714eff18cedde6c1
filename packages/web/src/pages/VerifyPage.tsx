import { viDate, viDateTime } from '@openhssk/core';
import type { ImmVerification } from '@openhssk/core/api';
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { api } from '../api.ts';
import { Alert } from '../ui.tsx';

/**
 * Public check of a vaccination certificate (/verify), no login. The QR code holds
 * `{publicUrl}/verify#<JWS>`: the certificate is in the fragment, which the browser never sends to
 * a server, so it reaches ours only in the body of POST /api/v1/immunization/verify. The page itself
 * is the book's static HTML: nothing personal is on it until the check answers.
 */
export function VerifyPage() {
  const [fromLink] = useState(() => decodeURIComponent(window.location.hash.replace(/^#/, '')).trim());
  const [pasted, setPasted] = useState('');
  const [result, setResult] = useState<ImmVerification | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const check = useCallback(async (certificate: string) => {
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      setResult(await api<ImmVerification>('/api/v1/immunization/verify', { method: 'POST', body: JSON.stringify({ certificate }) }));
    } catch (e) {
      setError(e instanceof Error ? e.message : 'Không kiểm tra được, vui lòng thử lại.');
    } finally {
      setBusy(false);
    }
  }, []);

  useEffect(() => {
    if (fromLink) void check(fromLink);
  }, [fromLink, check]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const v = pasted.trim();
    if (!v) {
      setError('Hãy dán nội dung mã QR hoặc đường dẫn xác minh.');
      return;
    }
    void check(v);
  };

  return (
    <section aria-labelledby="verify-title">
      <h1 id="verify-title">Xác minh giấy chứng nhận tiêm chủng</h1>
      <p>Trang này kiểm tra chữ ký số trên mã QR của giấy chứng nhận tiêm chủng do Sổ sức khỏe điện tử cấp. Không cần đăng nhập.</p>
      <div aria-live="polite">
        {busy && <p>Đang kiểm tra…</p>}
        {result && <Outcome r={result} />}
      </div>
      <Alert>{error}</Alert>
      <form className="card" onSubmit={submit}>
        <h2>{fromLink ? 'Kiểm tra một giấy chứng nhận khác' : 'Kiểm tra giấy chứng nhận'}</h2>
        <div className="field">
          <label htmlFor="verify-input">Nội dung mã QR hoặc đường dẫn xác minh</label>
          <textarea id="verify-input" rows={4} maxLength={8000} value={pasted} onChange={(e) => setPasted(e.target.value)} spellCheck={false} autoComplete="off" />
        </div>
        <button type="submit" className="button primary" disabled={busy}>
          Kiểm tra
        </button>
      </form>
    </section>
  );
}

function Outcome({ r }: { r: ImmVerification }) {
  if (!r.valid) {
    return (
      <div className="card verify-bad" data-testid="verify-result" data-valid="false">
        <h2>Giấy chứng nhận KHÔNG hợp lệ</h2>
        <p>{r.message_vi}</p>
        <p className="muted">Không dùng thông tin trên giấy này. Giấy thật được kiểm tra lại qua mã QR in trên giấy hoặc trong Sổ sức khỏe điện tử của người được tiêm.</p>
      </div>
    );
  }
  return (
    <div className="card verify-ok" data-testid="verify-result" data-valid="true">
      <h2>Giấy chứng nhận hợp lệ</h2>
      <p>Chữ ký số đúng: nội dung dưới đây không bị sửa đổi kể từ khi được cấp.</p>
      <dl className="facts">
        <dt>Họ và tên</dt>
        <dd data-testid="holder-name">{r.holder.name}</dd>
        <dt>Ngày sinh</dt>
        <dd>{viDate(r.holder.birth_date)}</dd>
        <dt>Ngày cấp</dt>
        <dd>{viDateTime(r.issued_at)}</dd>
        <dt>Nơi cấp</dt>
        <dd className="url">{r.issuer}</dd>
      </dl>
      <h3>Các mũi đã tiêm ({r.doses.length})</h3>
      {r.doses.length === 0 ? (
        <p>Không có mũi tiêm nào trên giấy chứng nhận.</p>
      ) : (
        <ul className="plain" data-testid="verified-doses">
          {r.doses.map((d) => (
            <li key={`${d.date}-${d.antigens.map((a) => a.code).join('+')}-${d.dose_no ?? ''}`}>
              <strong>{viDate(d.date)}</strong>: {d.antigens.map((a) => a.name_vi).join(', ')}
              {d.dose_no ? ` – mũi ${d.dose_no}` : ''}
              {d.facility_name || d.facility_code ? ` – tại ${d.facility_name ?? `cơ sở ${d.facility_code}`}` : ''}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
