import { useState } from 'react';
import { api, type Me } from '../api.ts';
import { Alert } from '../ui.tsx';

export function ConsentPage({ me, onDone }: { me: Me; onDone: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const agree = async () => {
    setBusy(true);
    setError(null);
    try {
      await api('/api/v1/me/consent', { method: 'POST' });
      onDone();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      setBusy(false);
    }
  };
  return (
    <section className="card narrow" aria-labelledby="consent-title">
      <h1 id="consent-title">Đồng ý sử dụng</h1>
      <p>Xin chào {me.name}.</p>
      <p>
        Sổ sức khỏe điện tử hiển thị dữ liệu khám chữa bệnh do các cơ sở y tế gửi về theo quy định của Bộ Y tế. Khi đồng ý, bạn cho phép hệ thống
        hiển thị dữ liệu sức khỏe của bạn cho chính bạn. Dữ liệu chỉ được chia sẻ với bác sĩ khi bạn tạo mã chia sẻ; mọi lượt xem đều được ghi lại và bạn
        có thể xem ai đã xem hồ sơ của mình.
      </p>
      <p>Bạn có thể rút lại sự đồng ý bất cứ lúc nào; khi đó mọi chia sẻ sẽ dừng lại.</p>
      <Alert>{error}</Alert>
      <button type="button" className="button primary" onClick={agree} disabled={busy}>
        Tôi đồng ý
      </button>
    </section>
  );
}
