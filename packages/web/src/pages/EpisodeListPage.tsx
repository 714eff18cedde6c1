import { type FormEvent, useState } from 'react';
import { type EpisodeList, withPerson } from '../api.ts';
import { CARE_GROUP, CARE_TYPE, formatInstant, RESULT } from '../labels.ts';
import { Link, type Navigate } from '../router.tsx';
import { useApi } from './useApi.ts';

export function EpisodeListPage({ personId, navigate }: { personId: string | null; navigate: Navigate }) {
  const [filters, setFilters] = useState({ year: '', facility: '', type: '', q: '' });
  const [q, setQ] = useState('');
  const { data, error } = useApi<EpisodeList>(withPerson('/api/v1/book/episodes', personId, filters));
  const set = (k: keyof typeof filters) => (ev: { target: { value: string } }) => setFilters((f) => ({ ...f, [k]: ev.target.value }));
  const search = (ev: FormEvent) => {
    ev.preventDefault();
    setFilters((f) => ({ ...f, q }));
  };
  return (
    <section aria-labelledby="visits-title">
      <h1 id="visits-title">Lịch sử khám chữa bệnh</h1>
      {error && <p role="alert">{error}</p>}
      {data && (
        <form className="card filters" onSubmit={search} aria-label="Lọc và tìm kiếm lượt khám">
          <div className="field">
            <label htmlFor="f-year">Năm</label>
            <select id="f-year" value={filters.year} onChange={set('year')}>
              <option value="">Tất cả</option>
              {data.facets.years.map((y) => (
                <option key={y} value={y}>
                  {y}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="f-fac">Cơ sở y tế</label>
            <select id="f-fac" value={filters.facility} onChange={set('facility')}>
              <option value="">Tất cả</option>
              {data.facets.facilities.map((f) => (
                <option key={f.code} value={f.code}>
                  {f.name}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="f-type">Loại hình</label>
            <select id="f-type" value={filters.type} onChange={set('type')}>
              <option value="">Tất cả</option>
              {Object.entries(CARE_GROUP).map(([k, v]) => (
                <option key={k} value={k}>
                  {v}
                </option>
              ))}
            </select>
          </div>
          <div className="field grow">
            <label htmlFor="f-q">Tìm theo bệnh, thuốc, cơ sở (có dấu hoặc không dấu)</label>
            <span className="row">
              <input id="f-q" type="search" value={q} onChange={(e) => setQ(e.target.value)} />
              <button type="submit" className="button primary">
                Tìm
              </button>
            </span>
          </div>
        </form>
      )}
      {!data && !error && <p aria-live="polite">Đang tải lịch sử khám chữa bệnh…</p>}
      {data && data.open_visits.length > 0 && (
        <ul className="episodes" aria-label="Lượt khám đang chờ dữ liệu">
          {data.open_visits.map((v) => (
            <li key={`v${v.id}`} className="card episode pending">
              <span className="facility">{v.facility_name ?? v.facility_code}</span>
              <span className="dates">Vào lúc {formatInstant(v.ngay_vao)}</span>
              <span className="status">Đang chờ cơ sở y tế gửi dữ liệu lượt khám</span>
            </li>
          ))}
        </ul>
      )}
      {data && (
        <p aria-live="polite" className="muted">
          {data.episodes.length === data.total ? `${data.total} lượt khám` : `${data.episodes.length} / ${data.total} lượt khám phù hợp`}
        </p>
      )}
      {data && data.total === 0 && <p>Chưa có lượt khám chữa bệnh nào được cơ sở y tế gửi về.</p>}
      {data && data.total > 0 && data.episodes.length === 0 && <p>Không có lượt khám nào phù hợp với bộ lọc.</p>}
      {data && data.episodes.length > 0 && (
        <ul className="episodes" data-testid="episode-list">
          {data.episodes.map((e) => (
            <li key={e.id} className="card episode">
              <Link to={`/luot-kham/${e.id}`} navigate={navigate}>
                <span className="facility">{e.facility_name ?? e.facility_code}</span>
              </Link>
              <span className="dates">
                {formatInstant(e.ngay_vao)} → {formatInstant(e.ngay_ra)}
              </span>
              <span className="type">{CARE_TYPE[e.ma_loai_kcb] ?? e.ma_loai_kcb}</span>
              <span className="dx">
                <strong>{e.ma_benh_chinh}</strong> {e.ten_benh_chinh ?? e.chan_doan_rv}
              </span>
              <span className="result">Kết quả: {e.ket_qua_dtri ? (RESULT[e.ket_qua_dtri] ?? e.ket_qua_dtri) : '—'}</span>
              {e.sensitivity.length > 0 && <span className="tag">Thông tin nhạy cảm: không chia sẻ nếu bạn không chọn</span>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
