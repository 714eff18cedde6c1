import { type ReactNode, useEffect, useState } from 'react';
import { api, type EpisodeDetail } from '../api.ts';
import { CARE_TYPE, formatInstant, formatXmlDate, RESULT } from '../labels.ts';

type Row = Record<string, string>;

function Section({ title, rows, empty, children }: { title: string; rows: Row[] | undefined; empty: string; children: (rows: Row[]) => ReactNode }) {
  return (
    <section className="card" aria-label={title}>
      <h2>{title}</h2>
      {rows && rows.length > 0 ? children(rows) : <p className="muted">{empty}</p>}
    </section>
  );
}

export function EpisodeDetailPage({ id, onBack }: { id: number; onBack: () => void }) {
  const [data, setData] = useState<EpisodeDetail | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api<EpisodeDetail>(`/api/v1/book/episodes/${id}`)
      .then(setData)
      .catch((e: Error) => setError(e.message));
  }, [id]);
  if (error) return <p role="alert">{error}</p>;
  if (!data) return <p aria-live="polite">Đang tải…</p>;
  const e = data.episode;
  const x1 = e.xml1.fields;
  const t = data.tables;
  return (
    <article aria-labelledby="ep-title">
      <button type="button" className="link" onClick={onBack}>
        ← Lịch sử khám chữa bệnh
      </button>
      <h1 id="ep-title">{e.facility_name ?? e.facility_code}</h1>
      <section className="card">
        <dl className="facts">
          <dt>Loại hình</dt>
          <dd>{CARE_TYPE[e.ma_loai_kcb] ?? e.ma_loai_kcb}</dd>
          <dt>Thời gian</dt>
          <dd>
            {formatInstant(e.ngay_vao)} → {formatInstant(e.ngay_ra)}
          </dd>
          <dt>Lý do khám</dt>
          <dd>{x1.LY_DO_VV || '—'}</dd>
          <dt>Chẩn đoán ban đầu (sơ bộ)</dt>
          <dd>{e.chan_doan_vao || '—'}</dd>
          <dt>Chẩn đoán ra viện (xác định)</dt>
          <dd>
            <strong>{e.ma_benh_chinh}</strong> {e.ten_benh_chinh ?? ''} {e.chan_doan_rv ? `– ${e.chan_doan_rv}` : ''}
            {e.ma_benh_kt ? <span className="muted"> (bệnh kèm theo: {e.ma_benh_kt})</span> : null}
          </dd>
          <dt>Kết quả điều trị</dt>
          <dd>{e.ket_qua_dtri ? (RESULT[e.ket_qua_dtri] ?? e.ket_qua_dtri) : '—'}</dd>
          {x1.CAN_NANG ? (
            <>
              <dt>Cân nặng</dt>
              <dd>{x1.CAN_NANG} kg</dd>
            </>
          ) : null}
        </dl>
      </section>
      <Section title="Thuốc" rows={t.XML2} empty="Không có thuốc trong lượt khám này.">
        {(rows) => (
          <ul className="plain">
            {rows.map((r) => (
              <li key={r.STT}>
                <strong>{r.TEN_THUOC}</strong> {r.HAM_LUONG} – {r.SO_LUONG} {r.DON_VI_TINH}
                <br />
                <span>{r.LIEU_DUNG}</span> {r.CACH_DUNG ? <span className="muted">({r.CACH_DUNG})</span> : null}
              </li>
            ))}
          </ul>
        )}
      </Section>
      <Section title="Dịch vụ kỹ thuật, vật tư" rows={t.XML3} empty="Không có dịch vụ kỹ thuật.">
        {(rows) => (
          <ul className="plain">
            {rows.map((r) => (
              <li key={r.STT}>
                {r.TEN_DICH_VU || r.TEN_VAT_TU} – {r.SO_LUONG} {r.DON_VI_TINH}
              </li>
            ))}
          </ul>
        )}
      </Section>
      <Section title="Kết quả cận lâm sàng" rows={t.XML4} empty="Không có kết quả xét nghiệm, chẩn đoán hình ảnh.">
        {(rows) => (
          <ul className="plain">
            {rows.map((r) => (
              <li key={r.STT}>
                <strong>{r.TEN_CHI_SO}</strong>: {r.GIA_TRI} {r.DON_VI_DO} {r.KET_LUAN ? `– ${r.KET_LUAN}` : ''} {r.MO_TA ? <span className="muted">{r.MO_TA}</span> : null}
              </li>
            ))}
          </ul>
        )}
      </Section>
      <Section title="Diễn biến lâm sàng" rows={t.XML5} empty="Không có ghi nhận diễn biến lâm sàng.">
        {(rows) => (
          <ul className="plain">
            {rows.map((r) => (
              <li key={r.STT}>
                <span className="muted">{formatXmlDate(r.THOI_DIEM_DBLS)}</span> {r.DIEN_BIEN_LS}
              </li>
            ))}
          </ul>
        )}
      </Section>
      <Section title="Giấy ra viện" rows={t.XML7} empty="Không có giấy ra viện.">
        {(rows) => (
          <dl className="facts">
            <dt>Chẩn đoán</dt>
            <dd>{rows[0]?.CHAN_DOAN_RV}</dd>
            <dt>Phương pháp điều trị</dt>
            <dd>{rows[0]?.PP_DIEUTRI}</dd>
            {rows[0]?.GHI_CHU ? (
              <>
                <dt>Ghi chú</dt>
                <dd>{rows[0]?.GHI_CHU}</dd>
              </>
            ) : null}
          </dl>
        )}
      </Section>
      <Section title="Giấy chuyển tuyến" rows={t.XML13} empty="Không có giấy chuyển tuyến.">
        {(rows) => (
          <dl className="facts">
            <dt>Số giấy</dt>
            <dd>{rows[0]?.GIAY_CHUYEN_TUYEN}</dd>
            <dt>Nơi chuyển đến</dt>
            <dd>{rows[0]?.MA_CSKCB_DEN ?? rows[0]?.MA_NOI_DEN}</dd>
            <dt>Hướng điều trị</dt>
            <dd>{rows[0]?.HUONG_DIEU_TRI}</dd>
          </dl>
        )}
      </Section>
      <Section title="Giấy hẹn khám lại" rows={t.XML14} empty="Không có giấy hẹn khám lại.">
        {(rows) => (
          <p>
            Hẹn khám lại ngày <strong>{formatXmlDate(rows[0]?.NGAY_HEN_KL)}</strong> (số giấy {rows[0]?.SO_GIAYHEN_KL}).
          </p>
        )}
      </Section>
    </article>
  );
}
