import { viDateTime } from '@openhssk/core';
import { useState } from 'react';
import { api, type EpisodeDetail, type SharedEpisode, type SharedSummary } from '../api.ts';
import { CARE_TYPE } from '../labels.ts';
import { Alert } from '../ui.tsx';
import { EpisodeView } from './EpisodeView.tsx';
import { BhytStatus, bhytValidity, ChronicList, DeclarationList, PersonFacts } from './SummaryLists.tsx';
import { useApi } from './useApi.ts';

interface SharedView {
  share: { scope: 'summary' | 'full'; include_sensitive: boolean; include_contact: boolean; expires_at: string };
  summary: SharedSummary;
  episodes: SharedEpisode[];
}

/** What a doctor sees from a share link, without logging in. */
export function SharedViewPage({ token }: { token: string }) {
  const { data, error } = useApi<SharedView>(`/api/v1/shared/${token}`);
  const [open, setOpen] = useState<EpisodeDetail | null>(null);
  const [openError, setOpenError] = useState<string | null>(null);
  if (error)
    return (
      <section className="card narrow" aria-labelledby="shared-err">
        <h1 id="shared-err">Không mở được hồ sơ chia sẻ</h1>
        <Alert>{error}</Alert>
      </section>
    );
  if (!data) return <p aria-live="polite">Đang tải hồ sơ được chia sẻ…</p>;
  const s = data.summary;
  const show = async (ref: string) => {
    setOpenError(null);
    try {
      setOpen(await api<EpisodeDetail>(`/api/v1/shared/${token}/episodes/${encodeURIComponent(ref)}`));
      requestAnimationFrame(() => {
        window.scrollTo(0, 0);
        document.getElementById('shared-episode')?.focus({ preventScroll: true });
      });
    } catch (e) {
      setOpenError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <>
      <h1>Hồ sơ sức khỏe được chia sẻ: {s.person.ho_ten}</h1>
      <p className="card notice">
        Người bệnh chia sẻ {data.share.scope === 'full' ? 'đầy đủ' : 'bản tóm tắt'} đến {viDateTime(data.share.expires_at)}. Lượt xem này được ghi lại và người
        bệnh xem được.
      </p>
      {/* The chosen visit opens here, above the person and the visit list: with forty visits, one
          opened below the list would appear off screen. */}
      {open && (
        <article id="shared-episode" className="opened-episode" tabIndex={-1} aria-labelledby="ep-title">
          <EpisodeView data={open} headingLevel={2} />
          <button type="button" className="button secondary" onClick={() => setOpen(null)}>
            Đóng lượt khám này
          </button>
        </article>
      )}
      <section className="card" aria-labelledby="sh-person">
        <h2 id="sh-person">Thông tin cá nhân</h2>
        <PersonFacts person={s.person}>
          <dt>Thẻ BHYT</dt>
          <dd>
            {s.bhyt ? (
              <>
                {s.bhyt.so_bhyt} ({bhytValidity(s.bhyt)}) <BhytStatus bhyt={s.bhyt} />
              </>
            ) : (
              '—'
            )}
          </dd>
          {data.share.include_contact && (
            <>
              <dt>Số điện thoại</dt>
              <dd>{s.person.so_dien_thoai || '—'}</dd>
              <dt>Địa chỉ</dt>
              <dd>{s.person.dia_chi || '—'}</dd>
            </>
          )}
        </PersonFacts>
      </section>
      <section className="card" aria-labelledby="sh-chronic">
        <h2 id="sh-chronic">Bệnh mạn tính</h2>
        <ChronicList items={s.chronic} empty="Không có." />
      </section>
      <section className="card" aria-labelledby="sh-decl">
        <h2 id="sh-decl">Dị ứng, tiền sử, yếu tố nguy cơ</h2>
        <DeclarationList items={s.declarations} empty="Người bệnh chưa khai báo." showDetail />
      </section>
      {data.share.scope === 'full' && (
        <section className="card" aria-labelledby="sh-visits">
          <h2 id="sh-visits">Lượt khám chữa bệnh</h2>
          {data.episodes.length === 0 ? (
            <p>Không có lượt khám.</p>
          ) : (
            <ul className="plain" data-testid="shared-episodes">
              {data.episodes.map((e) => (
                <li key={e.ref}>
                  <button type="button" className="link" onClick={() => show(e.ref)}>
                    {viDateTime(e.ngay_vao)} — {e.facility_name ?? e.facility_code}
                  </button>{' '}
                  <span className="muted">
                    {CARE_TYPE[e.ma_loai_kcb] ?? e.ma_loai_kcb}; {e.ma_benh_chinh} {e.ten_benh_chinh ?? ''}
                  </span>
                </li>
              ))}
            </ul>
          )}
          {openError && <p role="alert">{openError}</p>}
        </section>
      )}
    </>
  );
}
