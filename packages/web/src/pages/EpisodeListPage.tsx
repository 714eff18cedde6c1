import { useEffect, useState } from 'react';
import { api, type EpisodeSummary } from '../api.ts';
import { CARE_TYPE, formatInstant, RESULT } from '../labels.ts';

export function EpisodeListPage({ onOpen }: { onOpen: (id: number) => void }) {
  const [episodes, setEpisodes] = useState<EpisodeSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api<{ episodes: EpisodeSummary[] }>('/api/v1/book/episodes')
      .then((r) => setEpisodes(r.episodes))
      .catch((e: Error) => setError(e.message));
  }, []);
  if (error) return <p role="alert">{error}</p>;
  if (!episodes) return <p aria-live="polite">Đang tải lịch sử khám chữa bệnh…</p>;
  return (
    <section aria-labelledby="visits-title">
      <h1 id="visits-title">Lịch sử khám chữa bệnh</h1>
      {episodes.length === 0 ? (
        <p>Chưa có lượt khám chữa bệnh nào được cơ sở y tế gửi về.</p>
      ) : (
        <ul className="episodes" data-testid="episode-list">
          {episodes.map((e) => (
            <li key={e.id} className="card episode">
              <a
                href={`/luot-kham/${e.id}`}
                onClick={(ev) => {
                  ev.preventDefault();
                  onOpen(e.id);
                }}
              >
                <span className="facility">{e.facility_name ?? e.facility_code}</span>
              </a>
              <span className="dates">
                {formatInstant(e.ngay_vao)} → {formatInstant(e.ngay_ra)}
              </span>
              <span className="type">{CARE_TYPE[e.ma_loai_kcb] ?? e.ma_loai_kcb}</span>
              <span className="dx">
                <strong>{e.ma_benh_chinh}</strong> {e.ten_benh_chinh ?? e.chan_doan_rv}
              </span>
              <span className="result">Kết quả: {e.ket_qua_dtri ? (RESULT[e.ket_qua_dtri] ?? e.ket_qua_dtri) : '—'}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
