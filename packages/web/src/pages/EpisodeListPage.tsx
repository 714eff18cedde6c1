import { useEffect, useState } from 'react';
import { api, type EpisodeSummary, type OpenVisit } from '../api.ts';
import { CARE_TYPE, formatInstant, RESULT } from '../labels.ts';

export function EpisodeListPage({ onOpen }: { onOpen: (id: number) => void }) {
  const [episodes, setEpisodes] = useState<EpisodeSummary[] | null>(null);
  const [openVisits, setOpenVisits] = useState<OpenVisit[]>([]);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api<{ episodes: EpisodeSummary[]; open_visits: OpenVisit[] }>('/api/v1/book/episodes')
      .then((r) => {
        setEpisodes(r.episodes);
        setOpenVisits(r.open_visits);
      })
      .catch((e: Error) => setError(e.message));
  }, []);
  if (error) return <p role="alert">{error}</p>;
  if (!episodes) return <p aria-live="polite">Đang tải lịch sử khám chữa bệnh…</p>;
  return (
    <section aria-labelledby="visits-title">
      <h1 id="visits-title">Lịch sử khám chữa bệnh</h1>
      {openVisits.length > 0 && (
        <ul className="episodes" aria-label="Lượt khám đang chờ dữ liệu">
          {openVisits.map((v) => (
            <li key={`v${v.id}`} className="card episode pending">
              <span className="facility">{v.facility_name ?? v.facility_code}</span>
              <span className="dates">Vào lúc {formatInstant(v.ngay_vao)}</span>
              <span className="status">Đang chờ cơ sở y tế gửi dữ liệu lượt khám</span>
            </li>
          ))}
        </ul>
      )}
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
