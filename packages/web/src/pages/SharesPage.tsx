import { viDateTime } from '@openhssk/core';
import { type FormEvent, useState } from 'react';
import { api, type Share, withPerson } from '../api.ts';
import { Alert } from '../ui.tsx';
import { useApi } from './useApi.ts';

interface Created {
  id: number;
  url: string;
  qr: string;
  scope: 'summary' | 'full';
  include_sensitive: boolean;
  include_contact: boolean;
  expires_at: string;
}

export function SharesPage({ personId }: { personId: string | null }) {
  const { data, error, reload } = useApi<{ shares: Share[] }>(withPerson('/api/v1/book/shares', personId));
  const [scope, setScope] = useState<'summary' | 'full'>('summary');
  const [minutes, setMinutes] = useState(30);
  const [sensitive, setSensitive] = useState(false);
  const [contact, setContact] = useState(false);
  const [created, setCreated] = useState<Created | null>(null);
  const [formError, setFormError] = useState<string | null>(null);

  const create = async (ev: FormEvent) => {
    ev.preventDefault();
    setFormError(null);
    try {
      const c = await api<Created>(withPerson('/api/v1/book/shares', personId), { method: 'POST', body: JSON.stringify({ scope, minutes, include_sensitive: sensitive, include_contact: contact }) });
      setCreated(c);
      reload();
    } catch (e) {
      setFormError(e instanceof Error ? e.message : String(e));
    }
  };
  const revoke = async (id: number) => {
    await api(withPerson(`/api/v1/book/shares/${id}`, personId), { method: 'DELETE' });
    if (created?.id === id) setCreated(null);
    reload();
  };

  return (
    <section aria-labelledby="share-title">
      <h1 id="share-title">Chia sẻ với bác sĩ</h1>
      <form className="card" onSubmit={create} aria-labelledby="share-form-title">
        <h2 id="share-form-title">Tạo mã chia sẻ</h2>
        <fieldset>
          <legend>Phạm vi</legend>
          <label className="choice">
            <input type="radio" name="scope" value="summary" checked={scope === 'summary'} onChange={() => setScope('summary')} /> Tóm tắt (thông tin cá nhân, bệnh mạn tính, dị ứng)
          </label>
          <label className="choice">
            <input type="radio" name="scope" value="full" checked={scope === 'full'} onChange={() => setScope('full')} /> Đầy đủ (kèm các lượt khám chữa bệnh)
          </label>
        </fieldset>
        <div className="field">
          <label htmlFor="s-min">Thời hạn</label>
          <select id="s-min" value={minutes} onChange={(e) => setMinutes(Number(e.target.value))}>
            <option value={30}>30 phút</option>
            <option value={120}>2 giờ</option>
            <option value={1440}>1 ngày</option>
            <option value={10080}>7 ngày</option>
          </select>
        </div>
        <label className="choice">
          <input type="checkbox" checked={sensitive} onChange={(e) => setSensitive(e.target.checked)} /> Bao gồm thông tin nhạy cảm (HIV, lao, sức khỏe tâm thần)
        </label>
        <label className="choice">
          <input type="checkbox" checked={contact} onChange={(e) => setContact(e.target.checked)} /> Kèm số điện thoại và địa chỉ của tôi
        </label>
        <p className="muted">Nếu không chọn hai ô trên, bác sĩ không thấy số điện thoại, địa chỉ của bạn và không biết bạn có thông tin nhạy cảm hay không.</p>
        <Alert>{formError}</Alert>
        <button type="submit" className="button primary">
          Tạo mã chia sẻ
        </button>
      </form>
      {created && (
        <section className="card" aria-labelledby="created-title" aria-live="polite">
          <h2 id="created-title">Mã chia sẻ đã tạo</h2>
          <p>Đưa bác sĩ quét mã QR hoặc gửi đường dẫn. Hết hạn lúc {viDateTime(created.expires_at)}.</p>
          <img src={created.qr} alt="Mã QR của đường dẫn chia sẻ" className="qr" width={220} height={220} />
          <p className="url">
            <a href={created.url} data-testid="share-url">
              {created.url}
            </a>
          </p>
        </section>
      )}
      <section className="card" aria-labelledby="share-list-title">
        <h2 id="share-list-title">Các mã đã tạo</h2>
        {error && <p role="alert">{error}</p>}
        {data && data.shares.length === 0 && <p className="muted">Chưa tạo mã chia sẻ nào.</p>}
        {data && data.shares.length > 0 && (
          <ul className="plain">
            {data.shares.map((s) => (
              <li key={s.id}>
                {s.scope === 'full' ? 'Đầy đủ' : 'Tóm tắt'}
                {s.include_sensitive ? ', có thông tin nhạy cảm' : ''}
                {s.include_contact ? ', có số điện thoại và địa chỉ' : ''} — tạo {viDateTime(s.created_at)},{' '}
                {s.revoked_at ? 'đã thu hồi' : s.active ? `hết hạn ${viDateTime(s.expires_at)}` : 'đã hết hạn'}{' '}
                {s.active && (
                  <button type="button" className="link" onClick={() => revoke(s.id)}>
                    Thu hồi <span className="sr-only">mã tạo lúc {viDateTime(s.created_at)}</span>
                  </button>
                )}
              </li>
            ))}
          </ul>
        )}
      </section>
    </section>
  );
}
