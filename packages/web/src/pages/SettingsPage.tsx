import { viDateTime } from '@openhssk/core';
import { useState } from 'react';
import { api, type ConsentChoices } from '../api.ts';
import { Alert } from '../ui.tsx';
import { ReminderSettings } from './ReminderSettings.tsx';
import { ConnectedApps } from './ConnectedApps.tsx';
import { useApi } from './useApi.ts';

/** `childName`: a parent is viewing a child's book; these settings are still the parent's own. */
export function SettingsPage({ childName, onWithdrawn, onLogout }: { childName: string | null; onWithdrawn: () => void; onLogout: () => void }) {
  const { data: choices, error: loadError, reload } = useApi<ConsentChoices>('/api/v1/me/consent');
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [crossError, setCrossError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const withdraw = async () => {
    try {
      await api('/api/v1/me/consent', { method: 'DELETE' });
      onWithdrawn();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  const setCrossFacility = async (given: boolean) => {
    setBusy(true);
    setCrossError(null);
    try {
      await api('/api/v1/me/consent/cross-facility', { method: 'PUT', body: JSON.stringify({ given }) });
      reload();
    } catch (e) {
      setCrossError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  const cross = choices?.cross_facility;
  return (
    <section aria-labelledby="settings-title">
      <h1 id="settings-title">Cài đặt</h1>
      {childName && (
        <p className="card notice" data-testid="settings-own-book">
          Bạn đang xem sổ của con ({childName}), nhưng các cài đặt dưới đây là của <strong>tài khoản và Sổ sức khỏe của chính bạn</strong>, không phải của
          con.
        </p>
      )}
      <section className="card" aria-labelledby="cross-title">
        <h2 id="cross-title">Bác sĩ nơi bạn đang khám xem tiền sử ở cơ sở khác</h2>
        <p>
          Khi bật, bác sĩ của cơ sở vừa tiếp đón bạn (hoặc nơi bạn được chuyển tuyến đến){choices ? ` trong vòng ${choices.cross_facility_hours} giờ` : ''} xem được tiền
          sử khám chữa bệnh của bạn tại các cơ sở khác. Thông tin về HIV, lao, sức khỏe tâm thần của cơ sở khác không bao giờ được hiển thị. Khi tắt, bác sĩ chỉ xem
          được dữ liệu của chính cơ sở đang khám cho bạn.
        </p>
        {loadError && <Alert>{loadError}</Alert>}
        {cross && (
          <p data-testid="cross-facility-state">
            <strong>{cross.given ? 'Đang bật' : 'Đang tắt'}</strong>
            {cross.given ? ` (từ ${viDateTime(cross.given_at)})` : cross.withdrawn_at ? ` (tắt lúc ${viDateTime(cross.withdrawn_at)})` : ''}.
          </p>
        )}
        <Alert>{crossError}</Alert>
        {cross && (
          <button type="button" className={`button ${cross.given ? 'secondary' : 'primary'}`} onClick={() => setCrossFacility(!cross.given)} disabled={busy}>
            {cross.given ? 'Tắt: chỉ cơ sở đang khám xem dữ liệu của họ' : 'Bật: cho bác sĩ nơi tôi đang khám xem tiền sử'}
          </button>
        )}
      </section>
      <ReminderSettings />
      <ConnectedApps />
      <section className="card" aria-labelledby="withdraw-title">
        <h2 id="withdraw-title">Rút lại sự đồng ý sử dụng Sổ sức khỏe của bạn</h2>
        {childName && (
          <p>
            Việc này áp dụng cho sổ của chính bạn. Sau khi rút lại, bạn cũng không mở được sổ của con ({childName}) cho đến khi đồng ý lại.
          </p>
        )}
        <p>
          Khi rút lại sự đồng ý, Sổ sức khỏe điện tử ngừng hiển thị dữ liệu sức khỏe của bạn, <strong>mọi mã chia sẻ đang có hiệu lực bị thu hồi ngay</strong> và
          lựa chọn cho bác sĩ xem tiền sử ở cơ sở khác cũng tắt. Dữ liệu do cơ sở y tế gửi về vẫn được lưu theo quy định. Bạn có thể đồng ý lại sau.
        </p>
        <Alert>{error}</Alert>
        {!confirming ? (
          <button type="button" className="button danger" onClick={() => setConfirming(true)}>
            Rút lại sự đồng ý
          </button>
        ) : (
          <p className="row">
            <button type="button" className="button danger" onClick={withdraw}>
              Xác nhận rút lại
            </button>
            <button type="button" className="button secondary" onClick={() => setConfirming(false)}>
              Hủy
            </button>
          </p>
        )}
      </section>
      <section className="card" aria-labelledby="logout-title">
        <h2 id="logout-title">Đăng xuất</h2>
        <button type="button" className="button secondary" onClick={onLogout}>
          Đăng xuất khỏi thiết bị này
        </button>
      </section>
    </section>
  );
}
