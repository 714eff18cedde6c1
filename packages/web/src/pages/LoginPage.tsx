import { rememberReturnPath } from '../session.ts';
import { Alert } from '../ui.tsx';

const ERRORS: Record<string, string> = {
  IDENTITY_LEVEL:
    'Tài khoản định danh điện tử của bạn đang ở mức 1. Sổ sức khỏe điện tử chứa dữ liệu sức khỏe nên yêu cầu tài khoản mức 2. Vui lòng nâng cấp tài khoản VNeID tại cơ quan công an rồi đăng nhập lại.',
  CANCELLED: 'Bạn đã hủy đăng nhập.',
  STATE: 'Phiên đăng nhập không hợp lệ, vui lòng thử lại.',
  EXPIRED: 'Phiên đăng nhập đã hết hạn, vui lòng thử lại.',
  WRONG_HOST:
    'Không thể đăng nhập tại địa chỉ này: máy chủ được cấu hình với một địa chỉ công khai chỉ mở được trên chính máy chủ (localhost). Hãy đăng nhập trên máy chủ, hoặc đề nghị người quản trị đặt HSSK_PUBLIC_URL thành địa chỉ mạng mà bạn đang dùng rồi khởi động lại.',
};

/** `expired`: shown in place of the page whose request found the session gone; login comes back to it. */
export function LoginPage({ expired = false }: { expired?: boolean }) {
  const error = new URLSearchParams(window.location.search).get('login_error');
  return (
    <section className="card narrow" aria-labelledby="login-title">
      <h1 id="login-title">{expired ? 'Phiên đăng nhập đã hết hạn' : 'Sổ sức khỏe điện tử'}</h1>
      {expired ? (
        <p role="status">Để bảo vệ hồ sơ của bạn, phiên đăng nhập tự kết thúc sau một thời gian. Hãy đăng nhập lại; bạn sẽ quay lại đúng trang đang xem.</p>
      ) : (
        <p>Xem lịch sử khám chữa bệnh, đơn thuốc, kết quả xét nghiệm, giấy hẹn khám lại và giấy chuyển tuyến của bạn.</p>
      )}
      {error && <Alert>{ERRORS[error] ?? 'Đăng nhập không thành công.'}</Alert>}
      <a className="button primary" href="/auth/login" onClick={() => rememberReturnPath(window.location.pathname)}>
        Đăng nhập bằng VNeID
      </a>
      <p className="muted">Yêu cầu tài khoản định danh điện tử mức 2.</p>
    </section>
  );
}
