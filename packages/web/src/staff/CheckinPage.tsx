import { LAB_FLAG, type LabFlag, labValueText, type IdentityCard as Patient, RECORD_SUMMARY_NOTE, type RecordSummaryView, rangeText, recordSummaryLines } from '@openhssk/core/api';
import { type FormEvent, type ReactNode, useEffect, useState } from 'react';
import type { EpisodeDetail } from '../api.ts';
import { EpisodeView } from '../pages/EpisodeView.tsx';
import { Alert, ReasonDialog } from '../ui.tsx';
import { ApiProblem, get, post, type StaffMe, viDate, viDateTime } from './http.ts';
import { QrPhotoInput } from './QrPhotoInput.tsx';

type Method = 'typed' | 'chip_cccd' | 'bhyt_card' | 'vneid_qr';

const METHOD_VI: Record<Method, string> = {
  typed: 'Nhập số',
  chip_cccd: 'CCCD gắn chip',
  bhyt_card: 'Thẻ BHYT',
  vneid_qr: 'Mã QR VNeID',
};

type Source = 'self_declared' | 'professional';
interface Summary {
  access: { basis: 'own_facility' | 'referral' | 'consent' | 'break_glass'; cross_facility: boolean; break_glass_expires_at: string | null };
  allergies: Array<{ agent: string; detail: string | null; since: string | null; source: Source; recorded_by: string | null; facility_name: string | null }>;
  risk_factors: Array<{ kind: string; text: string; detail: string | null; source: Source; recorded_by: string | null; facility_name: string | null }>;
  chronic_conditions: Array<{ code: string; name: string | null; last_seen: string; facility_code: string }>;
  medicines_90d: Array<{
    episode_id: number;
    date: string;
    ten_thuoc: string | null;
    lieu_dung: string | null;
    facility_code: string;
    facility_name: string | null;
    days_supply: number | null;
    days_left: number | null;
  }>;
  lab_results: Array<{
    code: string;
    name: string;
    unit: string;
    range: { low: number; high: number } | null;
    latest: { date: string; value: string; flag: LabFlag | null; episode_id: number; facility_name: string | null };
    history: Array<{ date: string; value: string; flag: LabFlag | null }>;
    change: 'up' | 'down' | 'same' | null;
  }>;
  imaging_procedures: Array<{ kind: 'result' | 'procedure'; name: string; code: string | null; description: string | null; conclusion: string | null; date: string; episode_id: number; facility_code: string; facility_name: string | null }>;
  last_discharge_summary: (RecordSummaryView & { episode_id: number; facility_code: string; facility_name: string | null; date: string }) | null;
  recent_episodes: Array<{ id: number; facility_code: string; facility_name: string | null; ngay_vao: string; ma_benh_chinh: string | null; chan_doan_rv: string | null; own_facility: boolean }>;
  pending_appointments: Array<{ episode_id: number; facility_code: string; facility_name: string | null; ngay_hen_kl: string | null; chan_doan: string | null }>;
  outgoing_referrals: Array<{ episode_id: number; from_facility_code: string; from_facility_name: string | null; to_facility: string | null; date: string; number: string | null; direction: string | null }>;
  incoming_referrals: Array<{ episode_id: number; from_facility_name: string | null; from_facility_code: string; ngay_ra: string | null; chan_doan: string | null }>;
  other_facility_episodes_hidden: number;
}

/** "Bệnh viện Y (51002)": a facility by name, with its code for the record. */
const facility = (name: string | null, code: string) => (name ? `${name} (${code})` : code);
const SOURCE_VI: Record<Source, string> = { self_declared: 'người bệnh tự khai báo', professional: 'nhân viên y tế ghi nhận' };
const CHANGE_VI = { up: '↑ tăng so với lần trước', down: '↓ giảm so với lần trước', same: '= không đổi so với lần trước' } as const;

const BASIS_VI: Record<Summary['access']['basis'], string> = {
  own_facility: 'Chỉ dữ liệu của cơ sở mình (người bệnh chưa cho phép xem tiền sử ở cơ sở khác, hoặc không vừa được tiếp đón tại cơ sở)',
  referral: 'Người bệnh được chuyển tuyến đến cơ sở',
  consent: 'Người bệnh cho phép bác sĩ nơi đang khám xem tiền sử ở cơ sở khác',
  break_glass: 'Truy cập khẩn cấp (đã ghi nhận)',
};

const SEX_VI = (g: number | null) => (g === 1 ? 'Nam' : g === 2 ? 'Nữ' : '—');

export function CheckinPage({ me }: { me: StaffMe }) {
  const [method, setMethod] = useState<Method>('typed');
  const [value, setValue] = useState('');
  const [patient, setPatient] = useState<Patient | null>(null);
  const [visitNote, setVisitNote] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function lookup(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setPatient(null);
    try {
      // A pasted QR payload is recognised whatever the selected method.
      const m: Method = value.includes('|') || value.trim().startsWith('{') ? 'vneid_qr' : method;
      const r = await post<{ patient: Patient; visit: { ma_lk: string; ngay_vao: string; already_open: boolean; id_method: Method; method_changed: { note_vi: string } | null } }>(
        '/api/v1/clinic/checkin',
        { method: m, value },
      );
      setPatient(r.patient);
      // The server records VNeID/chip only when a payload was read: show what it recorded, and why.
      const recorded = METHOD_VI[r.visit.id_method] ?? r.visit.id_method;
      const changed = r.visit.method_changed ? ` ${r.visit.method_changed.note_vi}` : '';
      setVisitNote(r.visit.already_open ? `Đã tiếp nhận hôm nay lúc ${r.visit.ngay_vao.slice(11, 16)}.${changed}` : `Đã tiếp nhận lúc ${r.visit.ngay_vao.slice(11, 16)} (${recorded}).${changed}`);
    } catch (err) {
      setError(err instanceof Error ? err.message : 'Không tìm được người bệnh.');
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <section className="card">
        <h1>Tiếp đón người bệnh</h1>
        <form onSubmit={lookup} className="stack" aria-label="Tìm người bệnh">
          <fieldset className="methods">
            <legend>Cách xác định người bệnh</legend>
            {(Object.keys(METHOD_VI) as Method[]).map((m) => (
              <label key={m} className="chip">
                <input type="radio" name="method" value={m} checked={method === m} onChange={() => setMethod(m)} /> {METHOD_VI[m]}
              </label>
            ))}
          </fieldset>
          <div className="field">
            <label htmlFor="lookup">Số CCCD (12 số), mã thẻ BHYT (15 ký tự) hoặc dán nội dung mã QR</label>
            <div className="row">
              <input id="lookup" name="lookup" value={value} onChange={(e) => setValue(e.target.value)} autoComplete="off" required />
              <button className="button primary" type="submit" disabled={busy}>
                {busy ? 'Đang tìm…' : 'Tiếp nhận'}
              </button>
            </div>
          </div>
        </form>
        <QrPhotoInput
          onDecoded={(payload) => {
            setMethod('vneid_qr');
            setValue(payload);
          }}
        />
        <Alert>{error}</Alert>
      </section>
      {patient && <IdentityCard patient={patient} note={visitNote} />}
      {patient && me.role === 'clinician' && <PatientSummary personId={patient.person_id} key={patient.person_id} />}
    </>
  );
}

/** Card validity as the front desk reads it; "chưa rõ" when no card data was ever received. */
const BHYT_BADGE: Record<Patient['bhyt_status'], { cls: string; text: string }> = {
  valid: { cls: 'ok', text: 'còn hạn' },
  expired: { cls: 'bad', text: 'hết hạn' },
  not_yet_valid: { cls: 'bad', text: 'chưa đến hạn' },
  unknown: { cls: 'unknown', text: 'chưa rõ' },
  none: { cls: 'unknown', text: 'không có thẻ' },
};

function IdentityCard({ patient: p, note }: { patient: Patient; note: string | null }) {
  return (
    <section className="card idcard" aria-labelledby="idcard-title">
      <h2 id="idcard-title">{p.ho_ten}</h2>
      {note && <p className="status ok">{note}</p>}
      <dl className="facts">
        <dt>Ngày sinh</dt>
        <dd>{viDate(p.ngay_sinh)}</dd>
        <dt>Giới tính</dt>
        <dd>{SEX_VI(p.gioi_tinh)}</dd>
        <dt>Số CCCD</dt>
        <dd data-testid="cccd">{p.so_cccd ?? '—'}</dd>
        <dt>Mã thẻ BHYT</dt>
        <dd>{p.so_bhyt ?? 'Không có thẻ'}</dd>
        {p.so_bhyt && (
          <>
            <dt>Hạn thẻ</dt>
            <dd data-testid="bhyt-status">
              {p.bhyt_status === 'unknown' ? 'Chưa nhận được hạn thẻ' : `${viDate(p.bhyt_valid_from)} – ${viDate(p.bhyt_valid_to)}`}{' '}
              <span className={`badge ${BHYT_BADGE[p.bhyt_status].cls}`}>{BHYT_BADGE[p.bhyt_status].text}</span>
            </dd>
            <dt>Nơi ĐKKCB ban đầu</dt>
            <dd>{p.bhyt_facility_name ? `${p.bhyt_facility_name} (${p.bhyt_facility_code})` : (p.bhyt_facility_code ?? 'chưa rõ')}</dd>
          </>
        )}
      </dl>
      {p.bhyt_status === 'expired' && (
        <p role="alert" className="status warn" data-testid="bhyt-expired">
          Thẻ BHYT đã hết hạn ngày {viDate(p.bhyt_valid_to)}: đề nghị người bệnh xuất trình thẻ mới (hoặc thẻ trên VNeID); nếu không, tiếp nhận như người bệnh không có BHYT.
        </p>
      )}
    </section>
  );
}

function PatientSummary({ personId }: { personId: string }) {
  const [summary, setSummary] = useState<Summary | null>(null);
  const [denied, setDenied] = useState<string | null>(null);
  const [dialog, setDialog] = useState(false);
  const [episode, setEpisode] = useState<EpisodeDetail | null>(null);
  const [episodeError, setEpisodeError] = useState<string | null>(null);

  async function openEpisode(id: number) {
    setEpisodeError(null);
    try {
      setEpisode(await get<EpisodeDetail>(`/api/v1/clinic/patients/${encodeURIComponent(personId)}/episodes/${id}`));
      requestAnimationFrame(() => document.getElementById('clinic-episode')?.focus());
    } catch (err) {
      setEpisodeError(err instanceof Error ? err.message : 'Không mở được lượt khám.');
    }
  }

  async function load() {
    try {
      setSummary(await get<Summary>(`/api/v1/clinic/patients/${encodeURIComponent(personId)}/summary`));
      setDenied(null);
    } catch (err) {
      if (err instanceof ApiProblem && err.status === 403) setDenied(err.message);
      else setDenied(err instanceof Error ? err.message : 'Không tải được tóm tắt.');
    }
  }
  // biome-ignore lint/correctness/useExhaustiveDependencies: load once per person (the component is keyed by it)
  useEffect(() => {
    void load();
  }, []);

  const canBreakGlass = denied !== null || (summary !== null && !summary.access.cross_facility);
  return (
    <section className="card" aria-labelledby="summary-title">
      <div className="spread">
        <h2 id="summary-title">Tóm tắt hồ sơ</h2>
        {canBreakGlass && (
          <button type="button" className="button danger" onClick={() => setDialog(true)}>
            Truy cập khẩn cấp
          </button>
        )}
      </div>
      <Alert>{denied}</Alert>
      {summary && (
        <>
          <p className={`status ${summary.access.basis === 'break_glass' ? 'warn' : ''}`}>
            {BASIS_VI[summary.access.basis]}
            {summary.access.break_glass_expires_at && ` — hết hạn lúc ${viDateTime(summary.access.break_glass_expires_at)}`}
          </p>
          {summary.other_facility_episodes_hidden > 0 && <p className="muted">{summary.other_facility_episodes_hidden} lượt khám tại cơ sở khác không hiển thị.</p>}
          <SummarySection title="Dị ứng" empty="Không có thông tin dị ứng." items={summary.allergies}>
            {(a) => (
              <>
                <strong>{a.agent}</strong> {a.detail ?? ''} {a.since ? <span className="muted">(từ {a.since})</span> : null} <SourceTag source={a.source} by={a.recorded_by} at={a.facility_name} />
              </>
            )}
          </SummarySection>
          <SummarySection title="Yếu tố nguy cơ, tiền sử gia đình" empty="Không có thông tin." items={summary.risk_factors}>
            {(r) => (
              <>
                {r.text} {r.detail ? <span className="muted">– {r.detail}</span> : null} <SourceTag source={r.source} by={r.recorded_by} at={r.facility_name} />
              </>
            )}
          </SummarySection>
          <SummarySection title="Bệnh mạn tính" empty="Không có." items={summary.chronic_conditions}>
            {(c) => (
              <>
                <strong>{c.code}</strong> {c.name ?? ''} <span className="muted">(gần nhất {viDate(c.last_seen)})</span>
              </>
            )}
          </SummarySection>
          <SummarySection title="Thuốc 90 ngày gần đây (mọi cơ sở)" empty="Không có." items={summary.medicines_90d}>
            {(m) => (
              <>
                {viDate(m.date)} — <strong>{m.ten_thuoc ?? '?'}</strong> {m.lieu_dung ?? ''}{' '}
                {m.days_left !== null ? <span className={`badge ${m.days_left > 0 ? 'ok' : 'unknown'}`}>{m.days_left > 0 ? `còn ${m.days_left} ngày thuốc` : 'đã hết thuốc'}</span> : null}{' '}
                <span className="muted">({facility(m.facility_name, m.facility_code)})</span>
              </>
            )}
          </SummarySection>
          <SummarySection title="Xét nghiệm gần đây" empty="Không có kết quả xét nghiệm." items={summary.lab_results}>
            {(t) => (
              <>
                <strong>{t.name}</strong>: {labValueText(t.latest.value, t.unit)}
                {t.latest.flag ? (
                  <span className="tag warn">
                    <span aria-hidden="true">{LAB_FLAG[t.latest.flag].arrow} </span>
                    {LAB_FLAG[t.latest.flag].word}
                  </span>
                ) : null}
                {t.range ? <span className="muted"> (tham chiếu {rangeText(t.range)})</span> : null} <span className="muted">{viDate(t.latest.date)}, {t.latest.facility_name ?? ''}</span>
                {t.history.length > 1 && (
                  <>
                    <br />
                    <span className="muted">
                      {t.change ? `${CHANGE_VI[t.change]}. ` : ''}Các lần: {t.history.map((h) => `${viDate(h.date)}: ${labValueText(h.value, t.unit)}`).join(' → ')}
                    </span>
                  </>
                )}
              </>
            )}
          </SummarySection>
          <SummarySection title="Chẩn đoán hình ảnh, thăm dò, thủ thuật" empty="Không có." items={summary.imaging_procedures}>
            {(x) => (
              <>
                {viDate(x.date)} — <strong>{x.name}</strong>
                {x.code && x.kind === 'procedure' ? <span className="muted"> (ICD-9-CM {x.code})</span> : null}
                {x.description ? `: ${x.description}` : ''}
                {x.conclusion ? ` – Kết luận: ${x.conclusion}` : ''} <span className="muted">({facility(x.facility_name, x.facility_code)})</span>
              </>
            )}
          </SummarySection>
          <h3>Tóm tắt ra viện gần nhất</h3>
          {summary.last_discharge_summary ? (
            <div>
              <p className="muted">
                {RECORD_SUMMARY_NOTE} — {facility(summary.last_discharge_summary.facility_name, summary.last_discharge_summary.facility_code)}, {viDate(summary.last_discharge_summary.date)}
              </p>
              <dl className="facts">
                {recordSummaryLines(summary.last_discharge_summary).map(([label, value]) => (
                  <div key={label} className="fact">
                    <dt>{label}</dt>
                    <dd>{value}</dd>
                  </div>
                ))}
              </dl>
            </div>
          ) : (
            <p className="muted">Chưa có bản tóm tắt hồ sơ bệnh án.</p>
          )}
          <h3>5 lượt khám gần nhất</h3>
          {summary.recent_episodes.length ? (
            <ul className="plain">
              {summary.recent_episodes.map((e) => (
                <li key={e.id}>
                  {viDate(e.ngay_vao)} — {facility(e.facility_name, e.facility_code)}: {e.ma_benh_chinh ?? ''} {e.chan_doan_rv ?? ''}{' '}
                  <button type="button" className="button secondary" onClick={() => void openEpisode(e.id)} aria-label={`Mở lượt khám ngày ${viDate(e.ngay_vao)} tại ${e.facility_name ?? e.facility_code}`}>
                    Mở
                  </button>
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted">Chưa có lượt khám được hiển thị.</p>
          )}
          {summary.pending_appointments.length > 0 && (
            <>
              <h3>Hẹn khám lại</h3>
              <ul className="plain">
                {summary.pending_appointments.map((a) => (
                  <li key={a.episode_id}>
                    {viDate(a.ngay_hen_kl)} tại {facility(a.facility_name, a.facility_code)}
                    {a.chan_doan ? <span className="muted"> — {a.chan_doan}</span> : null}
                  </li>
                ))}
              </ul>
            </>
          )}
          {summary.outgoing_referrals.length > 0 && (
            <>
              <h3>Chuyển tuyến chưa thấy đến khám</h3>
              <ul className="plain">
                {summary.outgoing_referrals.map((r) => (
                  <li key={`${r.episode_id}-${r.number ?? ''}`}>
                    {viDate(r.date)}: {facility(r.from_facility_name, r.from_facility_code)} chuyển đến {r.to_facility ?? '—'}
                    {r.number ? <span className="muted"> (giấy {r.number})</span> : null}
                    {r.direction ? ` — ${r.direction}` : ''}
                  </li>
                ))}
              </ul>
            </>
          )}
          {summary.incoming_referrals.length > 0 && (
            <>
              <h3>Giấy chuyển tuyến đến cơ sở</h3>
              <ul className="plain">
                {summary.incoming_referrals.map((r) => (
                  <li key={r.episode_id}>
                    Từ {facility(r.from_facility_name, r.from_facility_code)} ({viDate(r.ngay_ra)}): {r.chan_doan ?? ''}
                  </li>
                ))}
              </ul>
            </>
          )}
        </>
      )}
      {episode && (
        <article id="clinic-episode" className="opened-episode" tabIndex={-1} aria-labelledby="ep-title">
          <EpisodeView data={episode} headingLevel={2} />
          <button type="button" className="button secondary" onClick={() => setEpisode(null)}>
            Đóng lượt khám này
          </button>
        </article>
      )}
      <Alert>{episodeError}</Alert>
      {dialog && (
        <BreakGlassDialog
          personId={personId}
          onClose={() => setDialog(false)}
          onGranted={() => {
            setDialog(false);
            void load();
          }}
        />
      )}
    </section>
  );
}

function SummarySection<T>({ title, empty, items, children }: { title: string; empty: string; items: T[]; children: (item: T) => ReactNode }) {
  return (
    <>
      <h3>{title}</h3>
      {items.length ? (
        <ul className="plain">
          {items.map((item, i) => (
            // Rows have no id of their own; the order is the server's and does not change while shown.
            // biome-ignore lint/suspicious/noArrayIndexKey: see above
            <li key={i}>{children(item)}</li>
          ))}
        </ul>
      ) : (
        <p className="muted">{empty}</p>
      )}
    </>
  );
}

function SourceTag({ source, by, at }: { source: Source; by: string | null; at: string | null }) {
  return (
    <span className={`tag ${source === 'professional' ? 'final' : ''}`}>
      {SOURCE_VI[source]}
      {source === 'professional' && (by || at) ? ` (${[by, at].filter(Boolean).join(', ')})` : ''}
    </span>
  );
}

function BreakGlassDialog({ personId, onClose, onGranted }: { personId: string; onClose: () => void; onGranted: () => void }) {
  return (
    <ReasonDialog
      id="bg"
      title="Truy cập khẩn cấp"
      reasonLabel="Lý do (ít nhất 10 ký tự)"
      reasonRule={{ minLength: 10, required: true }}
      confirmLabel="Xác nhận truy cập"
      failMessage="Không thực hiện được."
      onConfirm={async (reason) => {
        await post(`/api/v1/clinic/patients/${encodeURIComponent(personId)}/break-glass`, { reason });
        onGranted();
      }}
      onClose={onClose}
    >
      Chỉ dùng khi cần để cứu chữa người bệnh. Quyền truy cập có hiệu lực <strong>30 phút</strong>, được ghi lại và người bệnh sẽ thấy trong mục “Ai đã xem hồ sơ của tôi”. Dữ liệu nhạy cảm
      (HIV, lao, tâm thần) của cơ sở khác vẫn không hiển thị.
    </ReasonDialog>
  );
}
