import { STAFF_ROLES, type StaffPageId, staffPageOf } from '@openhssk/core/api';
import { lazy, Suspense, useCallback, useEffect, useRef, useState } from 'react';
import { onSessionExpired } from '../api.ts';
import { SkipLink } from '../ui.tsx';
import { AppointmentsPage } from './AppointmentsPage.tsx';
import { CheckinPage } from './CheckinPage.tsx';
import { CorrectionQueuePage } from './correction/CorrectionQueuePage.tsx';
import { FacilityPage } from './FacilityPage.tsx';
import { FamilyPage } from './family/FamilyPage.tsx';
import { ApiProblem, get, post, ROLE_VI, type StaffMe } from './http.ts';
import { ChangePasswordPage, LoginPage } from './LoginPage.tsx';
import { ReviewPage } from './mpi/ReviewPage.tsx';
import { OnboardingPage } from './onboarding/OnboardingPage.tsx';
import { StaffAccountsPage } from './StaffAccountsPage.tsx';
import { AccountPage, TotpRequiredPage } from './TotpPage.tsx';

// ECharts weighs ~350 kB: load the reports screen only when an officer opens it.
const ReportsPage = lazy(() => import('./reports/ReportsPage.tsx').then((m) => ({ default: m.ReportsPage })));

type Page = StaffPageId;

/** Screens of the portal, in menu order, with the roles that may open each. */
const PAGES: ReadonlyArray<{ id: Page; label: string; roles: ReadonlyArray<StaffMe['role']> }> = [
  { id: 'tiep-don', label: 'Tiếp đón', roles: ['receptionist', 'clinician'] },
  { id: 'co-so', label: 'Cơ sở & kết nối', roles: ['facility_admin', 'health_officer', 'system_admin'] },
  { id: 'ket-noi', label: 'Tiến độ kết nối', roles: ['health_officer', 'system_admin'] },
  { id: 'nhan-su', label: 'Tài khoản nhân viên', roles: ['system_admin', 'facility_admin'] },
  { id: 'ra-soat', label: 'Rà soát hồ sơ trùng', roles: ['health_officer', 'system_admin'] },
  { id: 'sua-thong-tin', label: 'Yêu cầu sửa thông tin', roles: ['facility_admin', 'health_officer', 'system_admin'] },
  { id: 'lich-hen', label: 'Lịch hẹn tái khám', roles: ['receptionist', 'clinician', 'facility_admin'] },
  { id: 'gia-dinh', label: 'Quan hệ gia đình', roles: ['receptionist', 'clinician', 'health_officer', 'system_admin'] },
  { id: 'bao-cao', label: 'Báo cáo', roles: ['health_officer', 'system_admin'] },
  { id: 'tai-khoan', label: 'Tài khoản', roles: STAFF_ROLES },
];

/** The screen an address names; 'khong-tim-thay' for an address the portal has no screen for. */
const pageFromPath = (): Page | 'khong-tim-thay' => {
  const page = staffPageOf(window.location.pathname);
  return page === '' ? 'tiep-don' : (page ?? 'khong-tim-thay');
};

/** Staff portal (clinicians, receptionists, facility admins, health-department officers). */
export function StaffApp() {
  const [me, setMe] = useState<StaffMe | null | undefined>(undefined);
  const [page, setPage] = useState<Page | 'khong-tim-thay'>(pageFromPath);
  const [expired, setExpired] = useState(false);

  const loadMe = useCallback(() => {
    get<StaffMe>('/api/v1/staff/me').then(setMe, (e: unknown) => {
      if (e instanceof ApiProblem && e.status === 401) setMe(null);
      else setMe(null);
    });
  }, []);
  useEffect(loadMe, [loadMe]);
  // A request that finds the session gone (idle timeout, 8-hour limit, logged out elsewhere) shows
  // the login form in place; the screen the address names opens again after logging in.
  const loggedIn = useRef(false);
  loggedIn.current = !!me;
  useEffect(
    () =>
      onSessionExpired(() => {
        // A first visit without a session is a plain login, not an expiry.
        if (!loggedIn.current) return;
        setExpired(true);
        setMe(null);
      }),
    [],
  );
  // Sessions end after a period without use (and at most after 8 hours): coming back to the tab
  // re-checks, so an ended session shows the login screen instead of failing on the next action.
  useEffect(() => {
    const onVisible = () => {
      if (document.visibilityState === 'visible') loadMe();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => document.removeEventListener('visibilitychange', onVisible);
  }, [loadMe]);
  useEffect(() => {
    const onPop = () => setPage(pageFromPath());
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);

  const go = (p: Page) => {
    window.history.pushState(null, '', `/nhan-vien/${p}`);
    setPage(p);
  };
  // A pending password change or required TOTP enrolment comes before every other screen (the API refuses the rest).
  const ready = !!me && !me.must_change_password && !(me.totp_required && !me.totp_enabled);
  const allowed = me && ready ? PAGES.filter((p) => p.roles.includes(me.role)) : [];
  const shown: Page | 'khong-tim-thay' | undefined = page === 'khong-tim-thay' ? page : allowed.some((p) => p.id === page) ? page : allowed[0]?.id;

  return (
    <>
      <SkipLink />
      <header className="topbar">
        <span className="brand">Cổng nhân viên y tế</span>
        {me && (
          <span className="who">
            {me.name} · {ROLE_VI[me.role]}
            {me.facility ? ` · ${me.facility.name}` : me.admin_unit ? ` · ${me.admin_unit.name}` : ''}
            <button
              type="button"
              className="link"
              onClick={() => {
                // A full page load after logout: nothing a previous user looked at stays in this page's memory.
                const reload = () => window.location.assign('/nhan-vien/');
                void post('/api/v1/staff/logout').then(reload, reload);
              }}
            >
              Đăng xuất
            </button>
          </span>
        )}
      </header>
      {ready && (
        <nav className="mainnav" aria-label="Chức năng">
          <ul>
            {allowed.map((p) => (
              <li key={p.id}>
                <a
                  href={`/nhan-vien/${p.id}`}
                  aria-current={shown === p.id ? 'page' : undefined}
                  onClick={(e) => {
                    e.preventDefault();
                    go(p.id);
                  }}
                >
                  {p.label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      )}
      <main id="main" className="staff">
        {me === undefined && <p className="muted">Đang tải…</p>}
        {me === null && (
          <LoginPage
            expired={expired}
            onLogin={(m) => {
              setExpired(false);
              setMe(m);
            }}
          />
        )}
        {me?.must_change_password && <ChangePasswordPage onDone={loadMe} />}
        {me && !me.must_change_password && !ready && <TotpRequiredPage onDone={loadMe} />}
        {me && ready && shown === 'tiep-don' && <CheckinPage me={me} />}
        {me && ready && shown === 'gia-dinh' && <FamilyPage />}
        {me && ready && shown === 'co-so' && <FacilityPage me={me} />}
        {me && ready && shown === 'ket-noi' && <OnboardingPage />}
        {me && ready && shown === 'nhan-su' && <StaffAccountsPage me={me} />}
        {me && ready && shown === 'khong-tim-thay' && (
          <section className="card narrow" aria-labelledby="not-found-title">
            <h1 id="not-found-title">Không tìm thấy trang</h1>
            <p>Cổng nhân viên không có trang ở địa chỉ này. Hãy chọn một chức năng trong danh mục ở trên.</p>
          </section>
        )}
        {me && ready && shown === 'ra-soat' && <ReviewPage />}
        {me && ready && shown === 'sua-thong-tin' && <CorrectionQueuePage />}
        {me && ready && shown === 'lich-hen' && <AppointmentsPage />}
        {me && ready && shown === 'tai-khoan' && <AccountPage me={me} onChange={loadMe} />}
        {me && ready && shown === 'bao-cao' && (
          <Suspense fallback={<p className="muted">Đang tải…</p>}>
            <ReportsPage />
          </Suspense>
        )}
      </main>
    </>
  );
}
