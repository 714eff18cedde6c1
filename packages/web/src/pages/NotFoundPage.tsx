import { Link, type Navigate } from '../router.tsx';

/** An address the book has no page for (a mistyped or outdated link): said plainly, with the way back. */
export function NotFoundPage({ navigate }: { navigate: Navigate }) {
  return (
    <section className="card narrow" aria-labelledby="not-found-title">
      <h1 id="not-found-title">Không tìm thấy trang</h1>
      <p>Địa chỉ này không có trong Sổ sức khỏe điện tử. Có thể đường dẫn đã cũ hoặc bị gõ nhầm.</p>
      <p>
        <Link to="/" navigate={navigate} className="button primary">
          Về trang tổng quan
        </Link>
      </p>
    </section>
  );
}
