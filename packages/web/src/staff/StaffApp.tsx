import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import { SkipLink } from '../ui.tsx';
import { CheckinPage } from './CheckinPage.tsx';
import { FacilityPage } from './FacilityPage.tsx';
import { ApiProblem, get, post, ROLE_VI, type StaffMe } from './http.ts';
import { ChangePasswordPage, LoginPage } from './LoginPage.tsx';
import { ReviewPage } from './mpi/ReviewPage.tsx';

// ECharts weighs ~350 kB: load the reports screen only when an officer opens it.
const ReportsPage = lazy(() => import('./reports/ReportsPage.tsx').then((m) => ({ default: m.ReportsPage })));

type Page = 'tiep-don' | 'co-so' | 'ra-soat' | 'bao-cao';

/** Screens of the portal, in menu order, with the roles that may open each. */
const PAGES: ReadonlyArray<{ id: Page; label: string; roles: ReadonlyArray<StaffMe['role']> }> = [
  { id: 'tiep-don', label: 'Tiếp đón', roles: ['receptionist', 'clinician'] },
  { id: 'co-so', label: 'Cơ sở & kết nối', roles: ['facility_admin', 'health_officer', 'system_admin'] },
  { id: 'ra-soat', label: 'Rà soát hồ sơ trùng', roles: ['health_officer', 'system_admin'] },
  { id: 'bao-cao', label: 'Báo cáo', roles: ['health_officer', 'system_admin'] },
];

const pageFromPath = (): Page => PAGES.find((p) => window.location.pathname.startsWith(`/nhan-vien/${p.id}`))?.id ?? 'tiep-don';

/** Staff portal (clinicians, receptionists, facility admins, health-department officers). */
export function StaffApp() {
  const [me, setMe] = useState<StaffMe | null | undefined>(undefined);
  const [page, setPage] = useState<Page>(pageFromPath);

  const loadMe = useCallback(() => {
    get<StaffMe>('/api/v1/staff/me').then(setMe, (e: unknown) => {
      if (e instanceof ApiProblem && e.status === 401) setMe(null);
      else setMe(null);
    });
  }, []);
  useEffect(loadMe, [loadMe]);
  useEffect(() => {
    const onPop = () => setPage(pageFromPath());
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);

  const go = (p: Page) => {
    window.history.pushState(null, '', `/nhan-vien/${p}`);
    setPage(p);
  };
  const allowed = me ? PAGES.filter((p) => p.roles.includes(me.role)) : [];
  const shown: Page | undefined = allowed.some((p) => p.id === page) ? page : allowed[0]?.id;

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
                void post('/api/v1/staff/logout').then(() => setMe(null));
              }}
            >
              Đăng xuất
            </button>
          </span>
        )}
      </header>
      {me && !me.must_change_password && (
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
        {me === null && <LoginPage onLogin={setMe} />}
        {me?.must_change_password && <ChangePasswordPage onDone={loadMe} />}
        {me && !me.must_change_password && shown === 'tiep-don' && <CheckinPage me={me} />}
        {me && !me.must_change_password && shown === 'co-so' && <FacilityPage me={me} />}
        {me && !me.must_change_password && shown === 'ra-soat' && <ReviewPage />}
        {me && !me.must_change_password && shown === 'bao-cao' && (
          <Suspense fallback={<p className="muted">Đang tải…</p>}>
            <ReportsPage />
          </Suspense>
        )}
      </main>
    </>
  );
}
