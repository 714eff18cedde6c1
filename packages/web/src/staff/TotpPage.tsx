import { type FormEvent, useState } from 'react';
import { Alert, TotpCodeField } from '../ui.tsx';
import { post, type StaffMe } from './http.ts';

interface Enrolment {
  secret: string;
  otpauth_uri: string;
  /** SVG QR code of the otpauth URI as a data URL. */
  qr: string;
}

const errorText = (err: unknown, fallback: string) => (err instanceof Error ? err.message : fallback);

/** Groups of four are easier to copy by hand into an authenticator app. */
const grouped = (secret: string) => secret.match(/.{1,4}/g)?.join(' ') ?? secret;

/**
 * Enrolment in three steps. The secret is created only on request (not on mount): each request
 * replaces the pending secret, and a QR code shown from an earlier request would no longer match.
 */
function TotpEnrol({ onDone }: { onDone: () => void }) {
  const [enrolment, setEnrolment] = useState<Enrolment | null>(null);
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function start() {
    setBusy(true);
    setError(null);
    try {
      setEnrolment(await post<Enrolment>('/api/v1/staff/me/totp'));
      setCode('');
    } catch (err) {
      setError(errorText(err, 'Không tạo được mã QR.'));
    } finally {
      setBusy(false);
    }
  }

  async function confirm(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await post('/api/v1/staff/me/totp/confirm', { code: code.trim() });
      onDone();
    } catch (err) {
      setError(errorText(err, 'Mã xác thực không đúng.'));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="stack">
      <ol className="stack totp-steps">
        <li>Cài một ứng dụng xác thực trên điện thoại, ví dụ Google Authenticator hoặc Microsoft Authenticator.</li>
        <li>
          Trong ứng dụng, chọn thêm tài khoản rồi quét mã QR.
          {!enrolment && (
            <div>
              <button type="button" className="button primary" onClick={() => void start()} disabled={busy}>
                {busy ? 'Đang tạo…' : 'Tạo mã QR'}
              </button>
            </div>
          )}
          {enrolment && (
            <div className="stack">
              <img src={enrolment.qr} alt="Mã QR để thêm tài khoản vào ứng dụng xác thực" className="qr totp-qr" width={220} height={220} />
              <p>
                Không quét được? Nhập khóa bí mật này vào ứng dụng:{' '}
                <code className="totp-secret">{grouped(enrolment.secret)}</code>
              </p>
            </div>
          )}
        </li>
        <li>Nhập mã 6 số ứng dụng đang hiển thị để xác nhận.</li>
      </ol>
      {enrolment && (
        <form onSubmit={confirm} className="stack">
          <TotpCodeField id="totp-confirm" value={code} onChange={setCode} />
          <button className="button primary" type="submit" disabled={busy}>
            {busy ? 'Đang xác nhận…' : 'Xác nhận và bật'}
          </button>
        </form>
      )}
      <Alert>{error}</Alert>
    </div>
  );
}

/** Shown instead of every other screen while the role requires TOTP and none is enrolled. */
export function TotpRequiredPage({ onDone }: { onDone: () => void }) {
  return (
    <section className="card narrow" aria-labelledby="totp-required-title">
      <h1 id="totp-required-title">Cài đặt xác thực hai lớp</h1>
      <p>
        Vai trò của bạn được xem hồ sơ sức khỏe của nhiều người, nên bắt buộc dùng xác thực hai lớp: mỗi lần đăng nhập, ngoài mật khẩu bạn nhập
        thêm mã 6 số thay đổi sau mỗi 30 giây trên điện thoại. Hãy cài đặt trước khi tiếp tục.
      </p>
      <TotpEnrol onDone={onDone} />
    </section>
  );
}

/** The account's own security settings: turn TOTP on, or off with the password and a current code. */
export function AccountPage({ me, onChange }: { me: StaffMe; onChange: () => void }) {
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function disable(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await post('/api/v1/staff/me/totp/disable', { password, code: code.trim() });
      setPassword('');
      setCode('');
      setNotice('Đã tắt xác thực hai lớp.');
      onChange();
    } catch (err) {
      setError(errorText(err, 'Không tắt được xác thực hai lớp.'));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="account-title">
      <h1 id="account-title">Bảo mật tài khoản</h1>
      <p>
        Tài khoản: <strong>{me.username}</strong>. Xác thực hai lớp:{' '}
        <span className={me.totp_enabled ? 'badge ok' : 'badge bad'}>{me.totp_enabled ? 'đang bật' : 'chưa bật'}</span>
      </p>
      {notice && (
        <p className="status ok" role="status">
          {notice}
        </p>
      )}
      {me.totp_enabled ? (
        <>
          <h2>Tắt xác thực hai lớp</h2>
          <p>
            Để tắt (ví dụ khi đổi điện thoại), nhập mật khẩu và mã 6 số hiện tại.
            {me.totp_required && ' Vai trò của bạn bắt buộc xác thực hai lớp: sau khi tắt, bạn phải cài đặt lại ngay trên thiết bị mới.'} Nếu đã mất
            điện thoại, hãy liên hệ quản trị hệ thống.
          </p>
          <form onSubmit={disable} className="stack">
            <div className="field">
              <label htmlFor="totp-off-password">Mật khẩu</label>
              <input id="totp-off-password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
            </div>
            <TotpCodeField id="totp-off-code" value={code} onChange={setCode} />
            <Alert>{error}</Alert>
            <button className="button" type="submit" disabled={busy}>
              {busy ? 'Đang xử lý…' : 'Tắt xác thực hai lớp'}
            </button>
          </form>
        </>
      ) : (
        <>
          <h2>Bật xác thực hai lớp</h2>
          <TotpEnrol
            onDone={() => {
              setNotice('Đã bật xác thực hai lớp. Từ lần đăng nhập sau, hãy nhập thêm mã 6 số.');
              onChange();
            }}
          />
        </>
      )}
    </section>
  );
}
