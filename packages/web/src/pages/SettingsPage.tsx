import { useState } from 'react';
import { api } from '../api.ts';
import { Alert } from '../ui.tsx';

export function SettingsPage({ onWithdrawn, onLogout }: { onWithdrawn: () => void; onLogout: () => void }) {
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const withdraw = async () => {
    try {
      await api('/api/v1/me/consent', { method: 'DELETE' });
      onWithdrawn();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <section aria-labelledby="settings-title">
      <h1 id="settings-title">Cài đặt</h1>
      <section className="card" aria-labelledby="withdraw-title">
        <h2 id="withdraw-title">Rút lại sự đồng ý</h2>
        <p>
          Khi rút lại sự đồng ý, Sổ sức khỏe điện tử ngừng hiển thị dữ liệu sức khỏe của bạn và <strong>mọi mã chia sẻ đang có hiệu lực bị thu hồi ngay</strong>. Dữ
          liệu do cơ sở y tế gửi về vẫn được lưu theo quy định. Bạn có thể đồng ý lại sau.
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
