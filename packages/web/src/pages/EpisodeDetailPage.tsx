import { viDate } from '@openhssk/core';
import { useState } from 'react';
import { type EpisodeDetail, withPerson } from '../api.ts';
import { Link, type Navigate } from '../router.tsx';
import { CorrectionForm } from './CorrectionsPage.tsx';
import { EpisodeView } from './EpisodeView.tsx';
import { useApi } from './useApi.ts';

export function EpisodeDetailPage({ id, personId, navigate }: { id: number; personId: string | null; navigate: Navigate }) {
  const { data, error } = useApi<EpisodeDetail>(withPerson(`/api/v1/book/episodes/${id}`, personId));
  const [reporting, setReporting] = useState(false);
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
      {/* The visit's own h1 comes with it; until then the page still has one (an unknown visit, a lost link). */}
      {!data && <h1 id="ep-title">{error ? 'Không mở được lượt khám' : 'Lượt khám'}</h1>}
      {error && <p role="alert">{error}</p>}
      {!data && !error && <p aria-live="polite">Đang tải…</p>}
      {data && reporting && (
        <CorrectionForm
          personId={personId}
          episode={{ id, label: `${data.episode.facility_name ?? data.episode.facility_code} · ${viDate(data.episode.ngay_vao)}` }}
          onDone={() => setReporting(false)}
        />
      )}
      {data && <EpisodeView data={data} />}
      {data && !reporting && (
        <p className="row">
          <button type="button" className="button secondary" onClick={() => setReporting(true)}>
            Báo thông tin sai
          </button>
          <Link to="/yeu-cau-sua" navigate={navigate}>
            Yêu cầu sửa thông tin của tôi
          </Link>
        </p>
      )}
    </article>
  );
}
