import { viDateTime } from '@openhssk/core';
import { type FormEvent, useState } from 'react';
import { api, withPerson } from '../api.ts';
import { Alert } from '../ui.tsx';
import { useApi } from './useApi.ts';

interface Contact {
  registry: { so_dien_thoai: string | null; dia_chi: string | null };
  declared: { so_dien_thoai: string | null; dia_chi: string | null; declared_at: string } | null;
}

/**
 * Phone and address: the population registry's values, and the citizen's own, kept beside them
 * (the registry is never overwritten from here). The commune station sees both, marked apart.
 */
export function ContactCard({ personId }: { personId: string | null }) {
  const { data, error, reload } = useApi<Contact>(withPerson('/api/v1/book/contact', personId));
  const [editing, setEditing] = useState(false);
  const [phone, setPhone] = useState('');
  const [address, setAddress] = useState('');
  const [formError, setFormError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const start = () => {
    setPhone(data?.declared?.so_dien_thoai ?? data?.registry.so_dien_thoai ?? '');
    setAddress(data?.declared?.dia_chi ?? data?.registry.dia_chi ?? '');
    setFormError(null);
    setSaved(null);
    setEditing(true);
  };
  const save = async (ev: FormEvent) => {
    ev.preventDefault();
    setFormError(null);
    try {
      const r = await api<{ changed: string[] }>(withPerson('/api/v1/book/contact', personId), {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ so_dien_thoai: phone, dia_chi: address }),
      });
      setSaved(r.changed.length ? 'Đã lưu. Trạm y tế xã sẽ thấy thông tin bạn tự khai.' : 'Không có gì thay đổi.');
      setEditing(false);
      reload();
    } catch (e) {
      setFormError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <section className="card" aria-labelledby="contact-title" data-section="contact">
      <h2 id="contact-title">Số điện thoại, địa chỉ liên hệ</h2>
      {error && <p role="alert">{error}</p>}
      {data && (
        <dl className="facts">
          <dt>Theo danh sách dân cư</dt>
          <dd>
            {data.registry.so_dien_thoai ?? '—'}
            <br />
            {data.registry.dia_chi ?? '—'}
          </dd>
          <dt>Do bạn tự khai</dt>
          <dd data-testid="declared-contact">
            {data.declared ? (
              <>
                {data.declared.so_dien_thoai ?? '—'}
                <br />
                {data.declared.dia_chi ?? '—'}
                <br />
                <span className="muted">Cập nhật lúc {viDateTime(data.declared.declared_at)}</span>
              </>
            ) : (
              <span className="muted">Chưa khai báo</span>
            )}
          </dd>
        </dl>
      )}
      {saved && (
        <p className="ok" role="status">
          {saved}
        </p>
      )}
      {!editing && data && (
        <button type="button" className="button secondary" onClick={start}>
          Cập nhật số điện thoại, địa chỉ
        </button>
      )}
      {editing && (
        <form onSubmit={save} aria-label="Cập nhật số điện thoại, địa chỉ" noValidate>
          <p className="muted">Thông tin theo danh sách dân cư được giữ nguyên; thông tin bạn khai được lưu bên cạnh và trạm y tế xã xem được.</p>
          <div className="field">
            <label htmlFor="c-phone">Số điện thoại (ví dụ 0912 345 678)</label>
            <input id="c-phone" type="tel" inputMode="tel" autoComplete="tel" maxLength={40} value={phone} onChange={(e) => setPhone(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="c-address">Địa chỉ nơi ở hiện nay (số nhà hoặc thôn/xóm, xã/phường, tỉnh/thành phố)</label>
            <textarea id="c-address" rows={2} maxLength={1000} autoComplete="street-address" value={address} onChange={(e) => setAddress(e.target.value)} />
          </div>
          <Alert>{formError}</Alert>
          <p className="row">
            <button type="submit" className="button primary">
              Lưu
            </button>
            <button type="button" className="button secondary" onClick={() => setEditing(false)}>
              Hủy
            </button>
          </p>
        </form>
      )}
    </section>
  );
}
