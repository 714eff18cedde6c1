import { viDate, viDateTime } from '@openhssk/core';
import type { AppointmentItem, CitizenAppointments, ReminderStatusItem } from '@openhssk/core/api';
import { useState } from 'react';
import { withPerson } from '../api.ts';
import { APPOINTMENT_KIND } from '../labels.ts';
import { Link, type Navigate } from '../router.tsx';
import { Alert } from '../ui.tsx';
import { useApi } from './useApi.ts';

const CHANNEL: Readonly<Record<ReminderStatusItem['channel'], string>> = { in_app: 'Trong sổ', email: 'E-mail', sms: 'Tin nhắn SMS' };

const SKIPPED: Readonly<Record<string, string>> = {
  opted_out: 'không gửi: bạn đã tắt kênh này',
  no_address: 'không gửi: bạn chưa cho địa chỉ nhận',
  channel_not_configured: 'không gửi: hệ thống chưa có kênh này',
  no_person: 'không gửi',
};

/** One channel's reminder as the citizen needs it: planned (when), sent (when, where to), or why not. */
export function reminderText(r: ReminderStatusItem): string {
  switch (r.status) {
    case 'pending':
      return `sẽ nhắc lúc ${viDateTime(r.due_at)}`;
    case 'deferred':
      return 'chờ qua giờ nghỉ đêm (21:00–7:00) để gửi';
    case 'sent':
      return `đã nhắc lúc ${viDateTime(r.sent_at)}${r.sent_to ? ` đến ${r.sent_to}` : ''}`;
    case 'failed':
      return 'gửi không được sau nhiều lần thử';
    case 'cancelled':
      return 'đã hủy (lịch hẹn đã đổi hoặc đã qua)';
    default:
      return SKIPPED[r.status_reason ?? ''] ?? 'không gửi';
  }
}

/** Where and when, then what to bring, then the reminders of each channel. */
function AppointmentCard({ a, reminders, navigate }: { a: AppointmentItem; reminders: ReminderStatusItem[]; navigate: Navigate }) {
  const place = a.facility_name ?? a.facility_code;
  return (
    <li className="card" data-testid="appointment">
      <h2>
        {APPOINTMENT_KIND[a.kind]} ngày {viDate(a.date)}
      </h2>
      <dl className="facts">
        <dt>Nơi đến</dt>
        <dd>{place}</dd>
        {a.kind === 'referral' && (
          <>
            <dt>Nơi chuyển</dt>
            <dd>{a.issued_by_name ?? a.issued_by_code}</dd>
          </>
        )}
        {a.number && (
          <>
            <dt>{a.kind === 're_exam' ? 'Số giấy hẹn' : 'Số giấy chuyển tuyến'}</dt>
            <dd>{a.number}</dd>
          </>
        )}
        {a.diagnosis && (
          <>
            <dt>Chẩn đoán</dt>
            <dd>{a.diagnosis}</dd>
          </>
        )}
      </dl>
      <h3>Cần mang theo</h3>
      <ul className="plain">
        {a.bring.map((b) => (
          <li key={b}>{b}</li>
        ))}
      </ul>
      <h3>Nhắc lịch</h3>
      {reminders.length === 0 ? (
        <p className="muted" data-testid="reminder-none">
          Chưa lên lịch nhắc (hệ thống lên lịch trong vài phút sau khi nhận dữ liệu).
        </p>
      ) : (
        <ul className="plain" data-testid="reminders">
          {reminders.map((r) => (
            <li key={r.id} data-status={r.status}>
              <strong>{CHANNEL[r.channel]}</strong>: {reminderText(r)}
            </li>
          ))}
        </ul>
      )}
      <Link to={`/luot-kham/${a.episode_id}`} navigate={navigate}>
        Xem lượt khám đã hẹn
      </Link>
    </li>
  );
}

/**
 * The upcoming re-exams and referrals of the citizen, or of the child whose book a parent has open
 * (the server checks the relation on every call). A sensitive visit's appointment appears only after
 * the reader asks for it here, as its visits stay out of the book's shared parts.
 */
export function AppointmentsPage({ personId, navigate }: { personId: string | null; navigate: Navigate }) {
  const [sensitive, setSensitive] = useState(false);
  const { data, error } = useApi<CitizenAppointments>(withPerson('/api/v1/book/appointments', personId, { include_sensitive: sensitive ? 'true' : '' }));
  const child = data?.viewing_child ?? null;
  return (
    <section aria-labelledby="appt-title">
      <h1 id="appt-title">{child ? `Lịch hẹn của ${child.name}` : 'Lịch hẹn'}</h1>
      <p className="muted">
        Hẹn khám lại và giấy chuyển tuyến do cơ sở y tế gửi về, từ hôm nay trở đi.{' '}
        {personId ? 'Nhắc lịch của con được gửi đến bạn, trong mục Thông báo và qua các kênh bạn chọn ở ' : 'Cách nhận nhắc lịch: '}
        <Link to="/cai-dat" navigate={navigate}>
          Cài đặt
        </Link>
        .
      </p>
      <label className="choice">
        <input type="checkbox" checked={sensitive} onChange={(e) => setSensitive(e.target.checked)} />
        <span>Hiện cả lịch hẹn của lượt khám nhạy cảm (HIV, lao, sức khỏe tâm thần)</span>
      </label>
      <Alert>{error}</Alert>
      {!data && !error && <p aria-live="polite">Đang tải lịch hẹn…</p>}
      {data && data.appointments.length === 0 && <p>Không có lịch hẹn nào sắp tới.</p>}
      {data && data.appointments.length > 0 && (
        <ul className="episodes" aria-label="Lịch hẹn sắp tới">
          {data.appointments.map((a) => (
            <AppointmentCard
              key={`${a.kind}-${a.episode_id}-${a.date}`}
              a={a}
              reminders={data.reminders.filter((r) => r.episode_id === a.episode_id && r.kind === a.kind && r.appointment_date === a.date)}
              navigate={navigate}
            />
          ))}
        </ul>
      )}
    </section>
  );
}
