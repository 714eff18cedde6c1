import { viDate, viDateTime, viNumber } from '@openhssk/core';
import { finalDiagnosisLabel, LAB_FLAG, labValueText, medicineName, NO_RECORD_SUMMARY, RECORD_SUMMARY_NOTE, rangeText, recordSummaryLines, serviceLineText } from '@openhssk/core/api';
import type { ReactNode } from 'react';
import type { EpisodeDetail } from '../api.ts';
import { CARE_TYPE, RESULT } from '../labels.ts';

type Row = Record<string, string>;
type Lab = EpisodeDetail['labs'][number];

/**
 * One visit, as the citizen, a doctor with a full share and a clinician see it. Built from named
 * sections (each a `<section data-section=…>`), essentials first: what was found, the result, what
 * was given, what was abnormal, the doctor's summary, what comes next. The long lists (every result,
 * services with bed days and supplies, the daily log, the discharge paper) come last, folded, with
 * their counts. The PDF (server book/pdf.ts) prints the same order. `children` go after the
 * essentials, for sections other features add (e.g. a correction request button).
 */
export function EpisodeView({ data, headingLevel = 1, children }: { data: EpisodeDetail; headingLevel?: 1 | 2; children?: ReactNode }) {
  const e = data.episode;
  const x1 = ('fields' in e.xml1 ? e.xml1.fields : e.xml1) as Row;
  const t = data.tables;
  const H = headingLevel === 1 ? 'h1' : 'h2';
  const abnormal = data.labs.filter((l) => l.flag);
  return (
    <>
      <H id="ep-title">{e.facility_name ?? e.facility_code}</H>
      <section className="card" aria-label="Thông tin lượt khám" data-section="facts">
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
      <Diagnoses data={data} />
      <section className="card" aria-labelledby="ep-medicines" data-section="medicines">
        <h2 id="ep-medicines">Thuốc</h2>
        {data.medicines.length > 0 ? (
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
        ) : (
          <p className="muted">Không có thuốc trong lượt khám này.</p>
        )}
      </section>
      {abnormal.length > 0 && (
        <section className="card" aria-labelledby="ep-abnormal" data-section="abnormal">
          <h2 id="ep-abnormal">Kết quả bất thường ({abnormal.length})</h2>
          <LabList labs={abnormal} />
        </section>
      )}
      <section className="card doctor-summary" aria-labelledby="ep-summary" data-section="record-summary">
        <h2 id="ep-summary">Tóm tắt hồ sơ bệnh án</h2>
        {data.record_summary ? (
          <>
            <p className="tag final doctor-words">
              {RECORD_SUMMARY_NOTE}
              {data.record_summary.written_on ? ` · ngày ${viDate(data.record_summary.written_on)}` : ''}
            </p>
            <dl className="facts">
              {recordSummaryLines(data.record_summary).map(([label, value]) => (
                <div key={label} className="fact">
                  <dt>{label}</dt>
                  <dd>{value}</dd>
                </div>
              ))}
            </dl>
          </>
        ) : (
          <p className="muted">{NO_RECORD_SUMMARY}</p>
        )}
      </section>
      {(data.next_appointment || data.referral) && (
        <section className="card" aria-labelledby="ep-next" data-section="next">
          <h2 id="ep-next">Hẹn khám lại, chuyển tuyến</h2>
          {data.next_appointment && (
            <p>
              Hẹn khám lại ngày <strong>{viDate(data.next_appointment.date)}</strong> (số giấy {data.next_appointment.number ?? '—'}).
            </p>
          )}
          {data.referral && (
            <dl className="facts">
              <dt>Giấy chuyển tuyến</dt>
              <dd>{data.referral.number ?? '—'}</dd>
              <dt>Nơi chuyển đến</dt>
              <dd>{data.referral.destination ?? '—'}</dd>
              <dt>Hướng điều trị</dt>
              <dd>{data.referral.direction ?? '—'}</dd>
            </dl>
          )}
        </section>
      )}
      {children}
      <Folded id="labs" title="Tất cả kết quả cận lâm sàng" count={data.labs.length} empty="Không có kết quả xét nghiệm, chẩn đoán hình ảnh.">
        <LabList labs={data.labs} />
      </Folded>
      <Folded id="services" title="Dịch vụ kỹ thuật, ngày giường, vật tư" count={data.services.length} empty="Không có dịch vụ kỹ thuật.">
        <ul className="plain">
          {data.services.map((l) => (
            <li key={`${l.name}|${l.quantity}|${l.unit}`}>{serviceLineText(l)}</li>
          ))}
        </ul>
      </Folded>
      <Folded id="daily-log" title="Diễn biến lâm sàng hằng ngày" count={t.XML5?.length ?? 0} empty="Không có ghi nhận diễn biến lâm sàng.">
        <ul className="plain">
          {(t.XML5 ?? []).map((r, i) => (
            <li key={r.STT ?? i}>
              <span className="muted">{viDate(r.THOI_DIEM_DBLS)}</span> {r.DIEN_BIEN_LS}
            </li>
          ))}
        </ul>
      </Folded>
      {t.XML7?.[0] && (
        <Folded id="discharge" title="Giấy ra viện" count={null} empty="">
          <dl className="facts">
            <dt>Chẩn đoán</dt>
            <dd>{t.XML7[0].CHAN_DOAN_RV}</dd>
            <dt>Phương pháp điều trị</dt>
            <dd>{t.XML7[0].PP_DIEUTRI}</dd>
            {t.XML7[0].GHI_CHU ? (
              <>
                <dt>Ghi chú</dt>
                <dd>{t.XML7[0].GHI_CHU}</dd>
              </>
            ) : null}
          </dl>
        </Folded>
      )}
    </>
  );
}

function Diagnoses({ data }: { data: EpisodeDetail }) {
  return (
    <section className="card" aria-labelledby="ep-dx" data-section="diagnoses">
      <h2 id="ep-dx">Chẩn đoán</h2>
      <dl className="facts">
        <dt>
          Chẩn đoán lúc vào <span className="tag">sơ bộ</span>
        </dt>
        <dd>{data.diagnoses.preliminary || '—'}</dd>
        <dt>
          {finalDiagnosisLabel(data.episode.care_group)} <span className="tag final">xác định</span>
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
  );
}

/** A long list folded under its count: on a phone the daily log alone can be thousands of pixels. */
function Folded({ id, title, count, empty, children }: { id: string; title: string; count: number | null; empty: string; children: ReactNode }) {
  return (
    <section className="card folded" aria-labelledby={`ep-${id}`} data-section={id}>
      {count === 0 ? (
        <>
          <h2 id={`ep-${id}`}>{title} (0)</h2>
          <p className="muted">{empty}</p>
        </>
      ) : (
        <details>
          <summary>
            <h2 id={`ep-${id}`}>
              {title}
              {count !== null ? ` (${count})` : ''}
            </h2>
          </summary>
          {children}
        </details>
      )}
    </section>
  );
}

function LabList({ labs }: { labs: Lab[] }) {
  return (
    <ul className="plain">
      {labs.map((l) => (
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
  );
}
