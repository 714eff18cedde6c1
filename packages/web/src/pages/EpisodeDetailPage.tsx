import { type EpisodeDetail, withPerson } from '../api.ts';
import { Link, type Navigate } from '../router.tsx';
import { EpisodeView } from './EpisodeView.tsx';
import { useApi } from './useApi.ts';

export function EpisodeDetailPage({ id, personId, navigate }: { id: number; personId: string | null; navigate: Navigate }) {
  const { data, error } = useApi<EpisodeDetail>(withPerson(`/api/v1/book/episodes/${id}`, personId));
  return (
    <article aria-labelledby="ep-title">
      <p className="row spread">
        <Link to="/luot-kham" navigate={navigate}>
          ← Lịch sử khám chữa bệnh
        </Link>
        {data && (
          <a className="button secondary" href={withPerson(`/api/v1/book/episodes/${id}/pdf`, personId)} download>
            Tải PDF lượt khám
          </a>
        )}
      </p>
      {error && <p role="alert">{error}</p>}
      {!data && !error && <p aria-live="polite">Đang tải…</p>}
      {data && <EpisodeView data={data} />}
    </article>
  );
}
