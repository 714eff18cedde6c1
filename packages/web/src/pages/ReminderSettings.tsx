import type { NotificationSettings, ReminderChannelSetting } from '@openhssk/core/api';
import { type FormEvent, useEffect, useState } from 'react';
import { api } from '../api.ts';
import { Alert } from '../ui.tsx';
import { useApi } from './useApi.ts';

const LABEL = {
  email: { name: 'E-mail', field: 'Địa chỉ e-mail nhận nhắc lịch', type: 'email', mode: 'email' },
  sms: { name: 'Tin nhắn SMS', field: 'Số điện thoại nhận tin nhắn', type: 'tel', mode: 'tel' },
} as const;

/** One outside channel: on or off, and the address it uses (only what the citizen typed here). */
function ChannelForm({ setting, declaredPhone, onSaved }: { setting: ReminderChannelSetting; declaredPhone: string | null; onSaved: (s: NotificationSettings) => void }) {
  const l = LABEL[setting.channel];
  const [on, setOn] = useState(!setting.opted_out);
  const [address, setAddress] = useState(setting.address ?? '');
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  useEffect(() => {
    setOn(!setting.opted_out);
    setAddress(setting.address ?? '');
  }, [setting]);
  const id = `remind-${setting.channel}`;
  const save = async (ev: FormEvent) => {
    ev.preventDefault();
    setError(null);
    setSaved(null);
    try {
      const r = await api<NotificationSettings>('/api/v1/book/notification-settings', {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ channel: setting.channel, opted_out: !on, address: address.trim() || null }),
      });
      onSaved(r);
      setSaved('Đã lưu.');
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  const state = setting.opted_out ? 'Đang tắt' : setting.address ? `Đang bật, gửi đến ${setting.address}` : 'Chưa gửi được: bạn chưa cho địa chỉ nhận';
  return (
    <form className="stack" onSubmit={save} aria-labelledby={`${id}-title`} data-testid={`reminder-${setting.channel}`}>
      <h3 id={`${id}-title`}>{l.name}</h3>
      <p data-testid={`reminder-${setting.channel}-state`}>
        <strong>{state}</strong>
      </p>
      <label className="choice">
        <input type="checkbox" checked={on} onChange={(e) => setOn(e.target.checked)} />
        <span>Nhận nhắc lịch qua {l.name.toLowerCase()}</span>
      </label>
      <div className="field">
        <label htmlFor={`${id}-address`}>{l.field}</label>
        <input id={`${id}-address`} type={l.type} inputMode={l.mode} autoComplete={l.type} value={address} onChange={(e) => setAddress(e.target.value)} />
      </div>
      {setting.channel === 'sms' && declaredPhone && address.replace(/\s/g, '') !== declaredPhone && (
        <p>
          <button type="button" className="button secondary" onClick={() => setAddress(declaredPhone)}>
            Dùng số bạn đã khai: {declaredPhone}
          </button>
        </p>
      )}
      <Alert>{error}</Alert>
      {saved && <p role="status">{saved}</p>}
      <p>
        <button type="submit" className="button primary">
          Lưu cách nhận qua {l.name.toLowerCase()}
        </button>
      </p>
    </form>
  );
}

/**
 * Reminder channels of the citizen's own book. In the book they always come; e-mail and SMS only to
 * an address typed here — never to the registry's phone, which may be old or someone else's.
 */
export function ReminderSettings() {
  const { data, error } = useApi<NotificationSettings>('/api/v1/book/notification-settings');
  const contact = useApi<{ declared: { so_dien_thoai: string | null } | null }>('/api/v1/book/contact');
  const [settings, setSettings] = useState<NotificationSettings | null>(null);
  const shown = settings ?? data;
  return (
    <section className="card" aria-labelledby="remind-title">
      <h2 id="remind-title">Nhắc lịch hẹn</h2>
      <p>
        Một ngày trước lịch hẹn khám lại hoặc chuyển tuyến, sổ nhắc bạn trong mục Thông báo. Bạn có thể nhận thêm qua e-mail hoặc tin nhắn SMS: tin chỉ gửi đến địa
        chỉ bạn nhập ở đây, không gửi đến số điện thoại trong danh sách dân cư, và không gửi từ 21:00 đến 7:00.
      </p>
      <Alert>{error}</Alert>
      {shown?.channels.map((c) => (
        <ChannelForm key={c.channel} setting={c} declaredPhone={contact.data?.declared?.so_dien_thoai ?? null} onSaved={setSettings} />
      ))}
    </section>
  );
}
