import { viDate, viDateTime } from '@openhssk/core';
import type { CitizenAppointments, CitizenCorrections, CitizenNotifications } from '@openhssk/core/api';
import { useState } from 'react';
import { type BookSummary, type Dependent, withPerson } from '../api.ts';
import type { Child } from '../child.ts';
import { APPOINTMENT_KIND, RELATION } from '../labels.ts';
import { Link, type Navigate } from '../router.tsx';
import { ContactCard } from './ContactCard.tsx';
import { CorrectionForm } from './CorrectionsPage.tsx';
import { BhytStatus, bhytValidity, ChronicList, DeclarationList, PersonFacts } from './SummaryLists.tsx';
import { useApi } from './useApi.ts';

export function SummaryPage({ personId, navigate, onOpenChild }: { personId: string | null; navigate: Navigate; onOpenChild: (c: Child) => void }) {
  const { data: s, error } = useApi<BookSummary>(withPerson('/api/v1/book/summary', personId));
  const deps = useApi<{ dependents: Dependent[] }>(personId ? null : '/api/v1/book/dependents');
  const corrections = useApi<CitizenCorrections>(withPerson('/api/v1/book/corrections', personId));
  // Appointments and notifications belong to the citizen's own book (not a child's).
  const appointments = useApi<CitizenAppointments>(withPerson('/api/v1/book/appointments', personId));
  const notices = useApi<CitizenNotifications>(personId ? null : '/api/v1/book/notifications');
  const next = appointments.data?.appointments[0];
  const [reporting, setReporting] = useState(false);
  if (error) return <p role="alert">{error}</p>;
  if (!s) return <p aria-live="polite">Đang tải sổ sức khỏe…</p>;
  const p = s.person;
  return (
    <>
      <h1>{personId ? `Sổ sức khỏe của ${p.ho_ten}` : 'Sổ sức khỏe của tôi'}</h1>
      <section className="card" aria-labelledby="personal-title">
        <h2 id="personal-title">Thông tin cá nhân</h2>
        <PersonFacts person={p}>
          <dt>Số định danh cá nhân</dt>
          <dd>{p.so_cccd ?? '—'}</dd>
        </PersonFacts>
        {!reporting && (
          <button type="button" className="button secondary" onClick={() => setReporting(true)}>
            Báo thông tin cá nhân sai
          </button>
        )}
      </section>
      {reporting && (
        <CorrectionForm
          personId={personId}
          episode={null}
          onDone={() => {
            setReporting(false);
            corrections.reload();
          }}
        />
      )}
      {corrections.data && corrections.data.requests.length > 0 && (
        <section className="card" aria-labelledby="corrections-sum-title">
          <h2 id="corrections-sum-title">
            Yêu cầu sửa thông tin{' '}
            {corrections.data.unread > 0 && (
              <span className="tag due" data-testid="corrections-unread">
                {corrections.data.unread} cập nhật mới
              </span>
            )}
          </h2>
          <p>
            {corrections.data.requests.length} yêu cầu, {corrections.data.requests.filter((r) => r.status === 'new' || r.status === 'in_progress').length} đang chờ xử lý.
          </p>
          <Link to="/yeu-cau-sua" navigate={navigate}>
            Yêu cầu sửa thông tin của tôi
          </Link>
        </section>
      )}
      {notices.data && notices.data.notifications.length > 0 && (
        <section className="card" aria-labelledby="notices-sum-title">
          <h2 id="notices-sum-title">
            Thông báo{' '}
            {notices.data.unread > 0 && (
              <span className="tag due" data-testid="notifications-unread">
                {notices.data.unread} chưa đọc
              </span>
            )}
          </h2>
          <p>{notices.data.notifications[0]?.title}</p>
          <Link to="/thong-bao" navigate={navigate}>
            Xem thông báo
          </Link>
        </section>
      )}
      {next && (
        <section className="card" aria-labelledby="next-appt-title" data-testid="next-appointment">
          <h2 id="next-appt-title">Lịch hẹn sắp tới</h2>
          <p>
            <strong>
              {APPOINTMENT_KIND[next.kind]} ngày {viDate(next.date)}
            </strong>{' '}
            tại {next.facility_name ?? next.facility_code}.
          </p>
          {appointments.data && appointments.data.appointments.length > 1 && <p className="muted">Và {appointments.data.appointments.length - 1} lịch hẹn khác.</p>}
          <Link to="/lich-hen" navigate={navigate}>
            Xem lịch hẹn, cần mang theo gì
          </Link>
        </section>
      )}
      <ContactCard personId={personId} />
      <section className="card" aria-labelledby="bhyt-title">
        <h2 id="bhyt-title">Thẻ bảo hiểm y tế</h2>
        {s.bhyt ? (
          <dl className="facts">
            <dt>Số thẻ</dt>
            <dd>{s.bhyt.so_bhyt}</dd>
            <dt>Giá trị sử dụng</dt>
            <dd>
              {bhytValidity(s.bhyt)} <BhytStatus bhyt={s.bhyt} />
            </dd>
            <dt>Nơi đăng ký KCB ban đầu</dt>
            <dd>
              {s.bhyt.facility_name ?? ''} {s.bhyt.facility_code ? `(${s.bhyt.facility_code})` : '—'}
            </dd>
          </dl>
        ) : (
          <p className="muted">Chưa có thông tin thẻ BHYT.</p>
        )}
      </section>
      <section className="card" aria-labelledby="visits-sum-title">
        <h2 id="visits-sum-title">Khám chữa bệnh</h2>
        <p>
          {s.episode_count} lượt khám chữa bệnh.{' '}
          {s.last_episode && (
            <>
              Gần nhất: {viDateTime(s.last_episode.ngay_vao)} tại {s.last_episode.facility_name}.
            </>
          )}
        </p>
        {s.open_visits > 0 && <p className="status">{s.open_visits} lượt khám đang chờ cơ sở y tế gửi dữ liệu.</p>}
        {s.hidden_sensitive > 0 && (
          <p className="muted">{s.hidden_sensitive} lượt khám thuộc nhóm thông tin nhạy cảm không được đưa vào tóm tắt; bạn vẫn xem được trong mục Lượt khám.</p>
        )}
        <Link to="/luot-kham" navigate={navigate}>
          Xem lịch sử khám chữa bệnh
        </Link>
        {' · '}
        <a href={withPerson('/api/v1/book/pdf', personId)} download>
          Tải PDF toàn bộ sổ
        </a>
      </section>
      <section className="card" aria-labelledby="chronic-title">
        <h2 id="chronic-title">Bệnh mạn tính</h2>
        <p className="muted">Tổng hợp từ chẩn đoán của các cơ sở y tế.</p>
        <ChronicList items={s.chronic} empty="Không có bệnh mạn tính nào trong các lượt khám." showCount />
      </section>
      <section className="card" aria-labelledby="decl-title">
        <h2 id="decl-title">Dị ứng, tiền sử, yếu tố nguy cơ</h2>
        <DeclarationList items={s.declarations} empty="Chưa khai báo." />
        <Link to="/tu-khai-bao" navigate={navigate}>
          Khai báo, sửa thông tin
        </Link>
      </section>
      <section className="card" aria-labelledby="vacc-sum-title">
        <h2 id="vacc-sum-title">Tiêm chủng</h2>
        {s.vaccinations.length === 0 ? <p>Chưa có dữ liệu tiêm chủng.</p> : <p>{s.vaccinations.length} mũi tiêm đã ghi nhận.</p>}
        <Link to="/tiem-chung" navigate={navigate}>
          Xem tiêm chủng
        </Link>
      </section>
      {!personId && deps.data && deps.data.dependents.length > 0 && (
        <section className="card" aria-labelledby="children-title">
          <h2 id="children-title">Sổ sức khỏe của con</h2>
          <p className="muted">Cha, mẹ, người giám hộ xem được sổ của con dưới 14 tuổi. Mỗi lượt xem đều được ghi lại.</p>
          <ul className="plain">
            {deps.data.dependents.map((d) => (
              <li key={d.id}>
                <strong>{d.ho_ten}</strong> <span className="muted">(sinh {viDate(d.ngay_sinh)}, bạn là {RELATION[d.relation] ?? d.relation})</span>{' '}
                <button type="button" className="button secondary" onClick={() => onOpenChild({ id: d.id, name: d.ho_ten })}>
                  Xem sổ của {d.ho_ten}
                </button>
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}
