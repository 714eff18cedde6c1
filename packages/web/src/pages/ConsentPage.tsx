import { useState } from 'react';
import { api, type ConsentChoices, type Me } from '../api.ts';
import { Alert } from '../ui.tsx';
import { useApi } from './useApi.ts';

/**
 * Two separate choices, said as they work: (a) open the health book; (b), not ticked, let clinicians
 * where the citizen is being treated see history from other facilities. "Để sau" keeps the book closed.
 */
export function ConsentPage({ me, onDone }: { me: Me; onDone: () => void }) {
  const { data } = useApi<ConsentChoices>('/api/v1/me/consent');
  const [crossFacility, setCrossFacility] = useState(false);
  const [later, setLater] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const within = data ? `trong vòng ${data.cross_facility_hours} giờ` : 'gần đây';

  const agree = async () => {
    setBusy(true);
    setError(null);
    try {
      await api('/api/v1/me/consent', { method: 'POST' });
      if (crossFacility) await api('/api/v1/me/consent/cross-facility', { method: 'PUT', body: JSON.stringify({ given: true }) });
      onDone();
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
      setBusy(false);
    }
  };

  if (later)
    return (
      <section className="card narrow" aria-labelledby="consent-later-title">
        <h1 id="consent-later-title">Sổ sức khỏe chưa được mở</h1>
        <p>Bạn chưa đồng ý nên Sổ sức khỏe điện tử không hiển thị dữ liệu sức khỏe của bạn. Bạn có thể quay lại đồng ý bất cứ lúc nào, hoặc đăng xuất bằng nút ở đầu trang.</p>
        <button type="button" className="button secondary" onClick={() => setLater(false)}>
          Xem lại lựa chọn
        </button>
      </section>
    );

  return (
    <section className="card narrow" aria-labelledby="consent-title">
      <h1 id="consent-title">Đồng ý sử dụng</h1>
      <p>Xin chào {me.name}.</p>
      <h2>Sổ sức khỏe điện tử làm gì</h2>
      <ul>
        <li>Hiển thị cho bạn dữ liệu khám chữa bệnh do các cơ sở y tế gửi về theo quy định của Bộ Y tế.</li>
        <li>Bạn có thể tạo mã chia sẻ để một bác sĩ xem hồ sơ trong thời gian bạn chọn.</li>
        <li>
          Bác sĩ của cơ sở đang khám, chữa bệnh cho bạn xem được dữ liệu do chính cơ sở đó ghi. Khi cấp cứu, bác sĩ có thể mở hồ sơ theo quy trình truy cập khẩn cấp,
          phải ghi lý do.
        </li>
        <li>Mọi lượt xem đều được ghi lại; bạn xem được trong mục “Ai đã xem”.</li>
        <li>Bạn có thể rút lại sự đồng ý bất cứ lúc nào; khi đó mọi mã chia sẻ bị thu hồi.</li>
      </ul>
      <fieldset>
        <legend>Lựa chọn thêm (không bắt buộc)</legend>
        <label className="choice">
          <input type="checkbox" checked={crossFacility} onChange={(e) => setCrossFacility(e.target.checked)} aria-describedby="cross-facility-help" />
          <span>Cho phép bác sĩ nơi tôi đang khám, chữa bệnh xem tiền sử khám chữa bệnh của tôi tại các cơ sở khác</span>
        </label>
        <p id="cross-facility-help" className="muted">
          Chỉ khi bạn được tiếp đón hoặc được chuyển tuyến đến cơ sở đó {within}. Thông tin về HIV, lao, sức khỏe tâm thần của cơ sở khác không bao giờ được hiển thị. Bạn
          có thể bật hoặc tắt lựa chọn này trong mục Cài đặt.
        </p>
      </fieldset>
      <Alert>{error}</Alert>
      <p className="row">
        <button type="button" className="button primary" onClick={agree} disabled={busy}>
          Tôi đồng ý sử dụng Sổ sức khỏe
        </button>
        <button type="button" className="button secondary" onClick={() => setLater(true)} disabled={busy}>
          Để sau
        </button>
      </p>
    </section>
  );
}
