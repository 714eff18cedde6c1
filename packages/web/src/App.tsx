import { CITIZEN_PATHS } from '@openhssk/core/api';
import { type JSX, useCallback, useEffect, useState } from 'react';
import { ApiProblem, api, type Dependent, type Me, onSessionExpired } from './api.ts';
import { type Child, loadChild, stillDependent, storeChild } from './child.ts';
import { AccessLogPage } from './pages/AccessLogPage.tsx';
import { AppointmentsPage } from './pages/AppointmentsPage.tsx';
import { ConsentPage } from './pages/ConsentPage.tsx';
import { CorrectionsPage } from './pages/CorrectionsPage.tsx';
import { DeclarationsPage } from './pages/DeclarationsPage.tsx';
import { EpisodeDetailPage } from './pages/EpisodeDetailPage.tsx';
import { EpisodeListPage } from './pages/EpisodeListPage.tsx';
import { LoginPage } from './pages/LoginPage.tsx';
import { NotFoundPage } from './pages/NotFoundPage.tsx';
import { NotificationsPage } from './pages/NotificationsPage.tsx';
import { SettingsPage } from './pages/SettingsPage.tsx';
import { SharedViewPage } from './pages/SharedViewPage.tsx';
import { SharesPage } from './pages/SharesPage.tsx';
import { SummaryPage } from './pages/SummaryPage.tsx';
import { VaccinationsPage } from './pages/VaccinationsPage.tsx';
import { VerifyPage } from './pages/VerifyPage.tsx';
import { Link, usePath } from './router.tsx';
import { takeReturnPath } from './session.ts';
import { SkipLink } from './ui.tsx';

type MeState = { status: 'loading' } | { status: 'anonymous'; expired?: boolean } | { status: 'ready'; me: Me } | { status: 'error'; message: string };

const NAV: ReadonlyArray<[string, string]> = [
  ['/', 'Tổng quan'],
  ['/luot-kham', 'Lượt khám'],
  ['/lich-hen', 'Lịch hẹn'],
  ['/thong-bao', 'Thông báo'],
  ['/tu-khai-bao', 'Tự khai báo'],
  ['/tiem-chung', 'Tiêm chủng'],
  ['/chia-se', 'Chia sẻ'],
  ['/ai-da-xem', 'Ai đã xem'],
  ['/cai-dat', 'Cài đặt'],
];

export function App() {
  const [path, navigate] = usePath();
  const [state, setState] = useState<MeState>({ status: 'loading' });
  const [child, setChildState] = useState<Child | null>(loadChild);
  // Pages for anyone, without a session: a share link, the certificate check (no call to /me either).
  const shared = CITIZEN_PATHS.shared.exec(path);
  const verify = CITIZEN_PATHS.verify.test(path);
  const open = Boolean(shared) || verify;

  const setChild = useCallback(
    (c: Child | null) => {
      storeChild(c);
      setChildState(c);
      navigate('/');
    },
    [navigate],
  );

  const reload = useCallback(async () => {
    try {
      setState({ status: 'ready', me: await api<Me>('/api/v1/me') });
    } catch (e) {
      if (e instanceof ApiProblem && e.status === 401) setState({ status: 'anonymous' });
      else setState({ status: 'error', message: e instanceof Error ? e.message : String(e) });
    }
  }, []);
  useEffect(() => {
    if (!open) void reload();
  }, [reload, open]);
  // A session that ends while the book is open turns this page into the login page (same address),
  // and nothing of the book stays on screen under a header that still names the citizen.
  useEffect(
    () =>
      onSessionExpired(() => setState((s) => (s.status === 'ready' ? { status: 'anonymous', expired: true } : s))),
    [],
  );

  // The server ends our session and answers with the identity provider's end-session address: the
  // browser goes there so the VNeID session ends too, and comes back to the login page. A full page
  // load also drops everything this page still holds in memory.
  const logout = async () => {
    storeChild(null);
    let next = '/';
    try {
      next = (await api<{ redirect?: string }>('/auth/logout', { method: 'POST' })).redirect ?? '/';
    } catch {
      // Our session may be gone already; the reload below shows what the server says.
    }
    window.location.assign(next);
  };

  let content: JSX.Element;
  const ready = state.status === 'ready' && state.me.consented && state.me.has_record;
  // Back from the identity provider (which returns to '/'): open the page the login started from.
  useEffect(() => {
    if (!ready) return;
    const back = takeReturnPath();
    if (back && back !== window.location.pathname) navigate(back, { replace: true });
  }, [ready, navigate]);
  useEffect(() => {
    if (!ready || !child) return;
    let live = true;
    stillDependent(child).then(
      (ok) => {
        if (live && !ok) setChild(null);
      },
      // Offline or a server error: the book's own requests will say so; the choice is kept.
      () => {},
    );
    return () => {
      live = false;
    };
  }, [ready, child, setChild]);
  // A guardian's reminder link names the child: open that child's book at its appointments when the
  // server lists the child among the caller's dependents, else the caller's own appointments.
  const childLink = CITIZEN_PATHS.childAppointments.exec(path);
  const childLinkId = childLink ? decodeURIComponent(childLink[1]!) : null;
  useEffect(() => {
    if (!ready || childLinkId === null) return;
    let live = true;
    api<{ dependents: Dependent[] }>('/api/v1/book/dependents').then(
      (r) => {
        if (!live) return;
        const d = r.dependents.find((x) => x.id === childLinkId);
        storeChild(d ? { id: d.id, name: d.ho_ten } : null);
        setChildState(d ? { id: d.id, name: d.ho_ten } : null);
        navigate('/lich-hen', { replace: true });
      },
      () => {
        if (live) navigate('/lich-hen', { replace: true });
      },
    );
    return () => {
      live = false;
    };
  }, [ready, childLinkId, navigate]);
  if (shared) content = <SharedViewPage token={shared[1]!} />;
  else if (verify) content = <VerifyPage />;
  else if (state.status === 'loading') content = <p aria-live="polite">Đang tải…</p>;
  else if (state.status === 'error') content = <p role="alert">{state.message}</p>;
  else if (state.status === 'anonymous') content = <LoginPage expired={state.expired ?? false} />;
  else if (!state.me.consented) content = <ConsentPage me={state.me} onDone={reload} />;
  else if (!state.me.has_record) content = <p>Chưa có hồ sơ sức khỏe nào gắn với số định danh {state.me.personal_id}.</p>;
  else {
    const personId = child?.id ?? null;
    const m = CITIZEN_PATHS.episode.exec(path);
    if (childLink) content = <p aria-live="polite">Đang mở sổ của con…</p>;
    else if (m) content = <EpisodeDetailPage id={Number(m[1])} personId={personId} navigate={navigate} />;
    else if (CITIZEN_PATHS.episodes.test(path)) content = <EpisodeListPage personId={personId} navigate={navigate} />;
    else if (CITIZEN_PATHS.declarations.test(path)) content = <DeclarationsPage personId={personId} />;
    else if (CITIZEN_PATHS.vaccinations.test(path)) content = <VaccinationsPage personId={personId} />;
    else if (CITIZEN_PATHS.appointments.test(path)) content = <AppointmentsPage personId={personId} navigate={navigate} />;
    else if (CITIZEN_PATHS.notifications.test(path)) content = <NotificationsPage personId={personId} navigate={navigate} />;
    else if (CITIZEN_PATHS.corrections.test(path)) content = <CorrectionsPage personId={personId} />;
    else if (CITIZEN_PATHS.shares.test(path)) content = <SharesPage personId={personId} />;
    else if (CITIZEN_PATHS.accessLog.test(path)) content = <AccessLogPage personId={personId} childName={child?.name ?? null} />;
    else if (CITIZEN_PATHS.settings.test(path)) content = <SettingsPage childName={child?.name ?? null} onWithdrawn={reload} onLogout={logout} />;
    else if (CITIZEN_PATHS.summary.test(path)) content = <SummaryPage personId={personId} navigate={navigate} onOpenChild={setChild} />;
    else content = <NotFoundPage navigate={navigate} />;
  }

  return (
    <>
      <SkipLink />
      <header className="topbar">
        <span className="brand">Sổ sức khỏe điện tử</span>
        {state.status === 'ready' && !open && (
          <span className="who">
            <span className="name">{state.me.name}</span>
            <button type="button" className="link" onClick={logout}>
              Đăng xuất
            </button>
          </span>
        )}
      </header>
      {ready && !open && (
        <nav className="mainnav" aria-label="Mục chính">
          <ul>
            {NAV.map(([to, label]) => (
              <li key={to}>
                <Link to={to} navigate={navigate} current={to === '/' ? path === '/' : path.startsWith(to)}>
                  {label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
      )}
      {ready && !open && child && (
        <section className="child-banner" aria-label="Đang xem sổ của con">
          <p>
            Bạn đang xem sổ sức khỏe của con: <strong data-testid="child-name">{child.name}</strong>
          </p>
          <button type="button" className="button secondary" onClick={() => setChild(null)}>
            Về sổ của tôi
          </button>
        </section>
      )}
      <main id="main" tabIndex={-1}>
        {content}
      </main>
    </>
  );
}
