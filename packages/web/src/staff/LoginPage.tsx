import { type FormEvent, useState } from 'react';
import { Alert, TotpCodeField } from '../ui.tsx';
import { ApiProblem, post, type StaffMe } from './http.ts';

/** `expired`: the session ended while a screen was open; after logging in that screen opens again. */
export function LoginPage({ onLogin, expired = false }: { onLogin: (me: StaffMe) => void; expired?: boolean }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [totp, setTotp] = useState('');
  const [needTotp, setNeedTotp] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onLogin(await post<StaffMe>('/api/v1/staff/login', { username, password, ...(needTotp ? { totp } : {}) }));
    } catch (err) {
      if (err instanceof ApiProblem && err.code === 'TOTP_REQUIRED') {
        setNeedTotp(true);
        setError(null);
      } else setError(err instanceof Error ? err.message : 'Đăng nhập không thành công.');
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card narrow" aria-labelledby="staff-login-title">
      <h1 id="staff-login-title">{expired ? 'Phiên làm việc đã hết hạn' : 'Đăng nhập nhân viên y tế'}</h1>
      {expired && (
        <p role="status">Phiên làm việc kết thúc sau một thời gian không sử dụng. Hãy đăng nhập lại để tiếp tục đúng trang đang mở.</p>
      )}
      <form onSubmit={submit} className="stack">
        <div className="field">
          <label htmlFor="username">Tên đăng nhập</label>
          <input id="username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} required />
        </div>
        <div className="field">
          <label htmlFor="password">Mật khẩu</label>
          <input id="password" type="password" autoComplete="current-password" value={password} onChange={(e) => setPassword(e.target.value)} required />
        </div>
        {needTotp && (
          <TotpCodeField id="totp" label="Mã xác thực 6 số (ứng dụng xác thực)" value={totp} onChange={setTotp} />
        )}
        <Alert>{error}</Alert>
        <button className="button primary" type="submit" disabled={busy}>
          {busy ? 'Đang đăng nhập…' : 'Đăng nhập'}
        </button>
      </form>
    </section>
  );
}

export function ChangePasswordPage({ onDone }: { onDone: () => void }) {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [error, setError] = useState<string | null>(null);
  async function submit(e: FormEvent) {
    e.preventDefault();
    try {
      await post('/api/v1/staff/me/password', { current, next });
      onDone();
    } catch (err) {
      setError(err instanceof Error ? err.message : 'Không đổi được mật khẩu.');
    }
  }
  return (
    <section className="card narrow">
      <h1>Đổi mật khẩu</h1>
      <p>Mật khẩu của bạn vừa được cấp lại. Hãy đặt mật khẩu mới (ít nhất 10 ký tự, gồm chữ và số).</p>
      <form onSubmit={submit} className="stack">
        <div className="field">
          <label htmlFor="current">Mật khẩu hiện tại</label>
          <input id="current" type="password" autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} required />
        </div>
        <div className="field">
          <label htmlFor="next">Mật khẩu mới</label>
          <input id="next" type="password" autoComplete="new-password" minLength={10} value={next} onChange={(e) => setNext(e.target.value)} required />
        </div>
        <Alert>{error}</Alert>
        <button className="button primary" type="submit">
          Lưu mật khẩu mới
        </button>
      </form>
    </section>
  );
}
