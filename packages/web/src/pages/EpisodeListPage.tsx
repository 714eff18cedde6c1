import { viDateTime, viNumber } from '@openhssk/core';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { type EpisodeList, type EpisodeSummary, withPerson } from '../api.ts';
import { CARE_GROUP, CARE_TYPE, RESULT } from '../labels.ts';
import { Link, type Navigate } from '../router.tsx';
import { Pager } from '../ui.tsx';
import { useApi } from './useApi.ts';

/** A page fits a phone screen a few times over; 41 visits on one page made 10,650 px. */
const PER_PAGE = 10;

/** The page's visits under their year, in list order (newest first). */
function byYear(episodes: EpisodeSummary[]): Array<[string, EpisodeSummary[]]> {
  const out: Array<[string, EpisodeSummary[]]> = [];
  for (const e of episodes) {
    const y = e.ngay_vao.slice(0, 4);
    const last = out.at(-1);
    if (last && last[0] === y) last[1].push(e);
    else out.push([y, [e]]);
  }
  return out;
}

export function EpisodeListPage({ personId, navigate }: { personId: string | null; navigate: Navigate }) {
  const [filters, setFilters] = useState({ year: '', facility: '', type: '', q: '' });
  const [page, setPage] = useState(1);
  const [q, setQ] = useState('');
  const { data, error } = useApi<EpisodeList>(withPerson('/api/v1/book/episodes', personId, { ...filters, page: String(page), per_page: String(PER_PAGE) }));
  const listTop = useRef<HTMLParagraphElement>(null);
  const turned = useRef(false);
  // After turning a page the reader starts at the top of the new page, not at the pager below it.
  useEffect(() => {
    if (turned.current && data?.page === page) {
      turned.current = false;
      listTop.current?.focus();
      listTop.current?.scrollIntoView({ block: 'start' });
    }
  }, [data, page]);
  const set = (k: keyof typeof filters) => (ev: { target: { value: string } }) => {
    setFilters((f) => ({ ...f, [k]: ev.target.value }));
    setPage(1);
  };
  const search = (ev: FormEvent) => {
    ev.preventDefault();
    setFilters((f) => ({ ...f, q }));
    setPage(1);
  };
  const turn = (to: number) => {
    turned.current = true;
    setPage(to);
  };
  const yearCount = new Map((data?.years_matched ?? []).map((y) => [String(y.year), y.count]));
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
              <span className="dates">Vào lúc {viDateTime(v.ngay_vao)}</span>
              <span className="status">Đang chờ cơ sở y tế gửi dữ liệu lượt khám</span>
            </li>
          ))}
        </ul>
      )}
      {data && (
        <p aria-live="polite" className="muted" ref={listTop} tabIndex={-1} data-testid="episode-count">
          {data.matched === data.total ? `${viNumber(data.total)} lượt khám` : `${viNumber(data.matched)} / ${viNumber(data.total)} lượt khám phù hợp`}
          {data.pages > 1 ? ` · trang ${data.page}/${data.pages}` : ''}
        </p>
      )}
      {data && data.total === 0 && <p>Chưa có lượt khám chữa bệnh nào được cơ sở y tế gửi về.</p>}
      {data && data.total > 0 && data.matched === 0 && <p>Không có lượt khám nào phù hợp với bộ lọc.</p>}
      {data && data.episodes.length > 0 && (
        <div data-testid="episode-list">
          {byYear(data.episodes).map(([year, list]) => (
            <section key={year} className="year" aria-labelledby={`y${year}`}>
              <h2 id={`y${year}`}>
                Năm {year} <span className="muted">· {viNumber(yearCount.get(year) ?? list.length)} lượt</span>
              </h2>
              <ul className="episodes">
                {list.map((e) => (
                  <li key={e.id} className="card episode">
                    <Link to={`/luot-kham/${e.id}`} navigate={navigate}>
                      <span className="facility">{e.facility_name ?? e.facility_code}</span>
                    </Link>
                    <span className="dates">
                      {viDateTime(e.ngay_vao)} → {viDateTime(e.ngay_ra)} · {CARE_TYPE[e.ma_loai_kcb] ?? e.ma_loai_kcb}
                    </span>
                    <span className="dx">
                      <strong>{e.ma_benh_chinh}</strong> {e.ten_benh_chinh ?? e.chan_doan_rv}
                    </span>
                    <span className="result muted">Kết quả: {e.ket_qua_dtri ? (RESULT[e.ket_qua_dtri] ?? e.ket_qua_dtri) : '—'}</span>
                    {e.sensitivity.length > 0 && <span className="tag">Thông tin nhạy cảm: không chia sẻ nếu bạn không chọn</span>}
                  </li>
                ))}
              </ul>
            </section>
          ))}
        </div>
      )}
      {data && <Pager page={data.page} pages={data.pages} label="Chuyển trang lịch sử khám chữa bệnh" onTurn={turn} />}
    </section>
  );
}
