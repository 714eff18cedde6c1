import { viDate, viDateTime, viNumber } from '@openhssk/core';
import { finalDiagnosisLabel, LAB_FLAG, labValueText, medicineName, rangeText, serviceLineText } from '@openhssk/core/api';
import type { ReactNode } from 'react';
import type { EpisodeDetail } from '../api.ts';
import { CARE_TYPE, RESULT } from '../labels.ts';

type Row = Record<string, string>;

function Section({ title, rows, empty, children }: { title: string; rows: unknown[] | undefined; empty: string; children: () => ReactNode }) {
  return (
    <section className="card" aria-label={title}>
      <h2>{title}</h2>
      {rows && rows.length > 0 ? children() : <p className="muted">{empty}</p>}
    </section>
  );
}

/** One visit, as the citizen and a doctor with a full share see it. */
export function EpisodeView({ data, headingLevel = 1 }: { data: EpisodeDetail; headingLevel?: 1 | 2 }) {
  const e = data.episode;
  const x1 = ('fields' in e.xml1 ? e.xml1.fields : e.xml1) as Row;
  const t = data.tables;
  const H = headingLevel === 1 ? 'h1' : 'h2';
  const first = (rows: Row[] | undefined): Row => rows?.[0] ?? {};
  return (
    <>
      <H id="ep-title">{e.facility_name ?? e.facility_code}</H>
      <section className="card" aria-label="Thông tin lượt khám">
        <dl className="facts">
          <dt>Loại hình</dt>
          <dd>{CARE_TYPE[e.ma_loai_kcb] ?? e.ma_loai_kcb}</dd>
          <dt>Thời gian</dt>
          <dd>
            {viDateTime(e.ngay_vao)} → {viDateTime(e.ngay_ra)}
          </dd>
          <dt>Lý do khám</dt>
          <dd>{x1.LY_DO_VV || '—'}</dd>
          <dt>Kết quả điều trị</dt>
          <dd>{e.ket_qua_dtri ? (RESULT[e.ket_qua_dtri] ?? e.ket_qua_dtri) : '—'}</dd>
          {x1.CAN_NANG ? (
            <>
              <dt>Cân nặng</dt>
              <dd>{viNumber(x1.CAN_NANG)} kg</dd>
            </>
          ) : null}
        </dl>
      </section>
      <section className="card" aria-label="Chẩn đoán">
        <h2>Chẩn đoán</h2>
        <dl className="facts">
          <dt>
            Chẩn đoán lúc vào <span className="tag">sơ bộ</span>
          </dt>
          <dd>{data.diagnoses.preliminary || '—'}</dd>
          <dt>
            {finalDiagnosisLabel(e.care_group)} <span className="tag final">xác định</span>
          </dt>
          <dd>
            <ul className="plain">
              {data.diagnoses.final.map((d) => (
                <li key={d.code}>
                  <strong>{d.code}</strong> {d.name ?? ''} {d.main ? <span className="muted">(bệnh chính)</span> : <span className="muted">(bệnh kèm theo)</span>}
                  {d.chronic ? <span className="tag">mạn tính</span> : null}
                </li>
              ))}
            </ul>
            {data.diagnoses.final_text ? <span className="muted">Ghi của bác sĩ: {data.diagnoses.final_text}</span> : null}
          </dd>
        </dl>
      </section>
      <Section title="Thuốc" rows={data.medicines} empty="Không có thuốc trong lượt khám này.">
        {() => (
          <ul className="plain">
            {data.medicines.map((m) => (
              <li key={`${m.name}|${m.strength}|${m.dose}|${m.quantity}`}>
                <strong>{medicineName(m.name, m.strength)}</strong> – {viNumber(m.quantity)} {m.unit}
                <br />
                <span>Liều dùng: {m.dose || '—'}</span>
                {m.days ? <span> · {m.days} ngày</span> : null} {m.usage ? <span className="muted">({m.usage})</span> : null}
              </li>
            ))}
          </ul>
        )}
      </Section>
      <Section title="Dịch vụ kỹ thuật, vật tư" rows={data.services} empty="Không có dịch vụ kỹ thuật.">
        {() => (
          <ul className="plain">
            {data.services.map((l) => (
              <li key={`${l.name}|${l.quantity}|${l.unit}`}>{serviceLineText(l)}</li>
            ))}
          </ul>
        )}
      </Section>
      <Section title="Kết quả cận lâm sàng" rows={data.labs} empty="Không có kết quả xét nghiệm, chẩn đoán hình ảnh.">
        {() => (
          <ul className="plain">
            {data.labs.map((l) => (
              <li key={`${l.code}|${l.name}|${l.at}|${l.value}|${l.description}`} className={l.flag ? 'abnormal' : undefined}>
                <strong>{l.name}</strong>
                {l.value ? `: ${labValueText(l.value, l.unit)}` : null}
                {l.range ? <span className="muted"> (tham chiếu {rangeText(l.range)})</span> : null}
                {l.flag ? (
                  <span className="tag warn" data-flag={l.flag}>
                    <span aria-hidden="true">{LAB_FLAG[l.flag].arrow} </span>
                    {LAB_FLAG[l.flag].word}
                  </span>
                ) : null}
                {l.description ? (
                  <span className="muted">
                    {l.value ? ' ' : ': '}
                    {l.description}
                  </span>
                ) : null}
                {l.conclusion ? <span> – Kết luận: {l.conclusion}</span> : null}
              </li>
            ))}
          </ul>
        )}
      </Section>
      <Section title="Diễn biến lâm sàng" rows={t.XML5} empty="Không có ghi nhận diễn biến lâm sàng.">
        {() => (
          <ul className="plain">
            {(t.XML5 ?? []).map((r, i) => (
              <li key={r.STT ?? i}>
                <span className="muted">{viDate(r.THOI_DIEM_DBLS)}</span> {r.DIEN_BIEN_LS}
              </li>
            ))}
          </ul>
        )}
      </Section>
      <Section title="Giấy ra viện" rows={t.XML7} empty="Không có giấy ra viện.">
        {() => (
          <dl className="facts">
            <dt>Chẩn đoán</dt>
            <dd>{first(t.XML7).CHAN_DOAN_RV}</dd>
            <dt>Phương pháp điều trị</dt>
            <dd>{first(t.XML7).PP_DIEUTRI}</dd>
            {first(t.XML7).GHI_CHU ? (
              <>
                <dt>Ghi chú</dt>
                <dd>{first(t.XML7).GHI_CHU}</dd>
              </>
            ) : null}
          </dl>
        )}
      </Section>
      <Section title="Giấy chuyển tuyến" rows={t.XML13} empty="Không có giấy chuyển tuyến.">
        {() => (
          <dl className="facts">
            <dt>Số giấy</dt>
            <dd>{first(t.XML13).GIAY_CHUYEN_TUYEN}</dd>
            <dt>Nơi chuyển đến</dt>
            <dd>{first(t.XML13).MA_CSKCB_DEN ?? first(t.XML13).MA_NOI_DEN}</dd>
            <dt>Hướng điều trị</dt>
            <dd>{first(t.XML13).HUONG_DIEU_TRI}</dd>
          </dl>
        )}
      </Section>
      <Section title="Giấy hẹn khám lại" rows={t.XML14} empty="Không có giấy hẹn khám lại.">
        {() => (
          <p>
            Hẹn khám lại ngày <strong>{viDate(first(t.XML14).NGAY_HEN_KL)}</strong> (số giấy {first(t.XML14).SO_GIAYHEN_KL}).
          </p>
        )}
      </Section>
    </>
  );
}
