import { type JSX, type ReactNode, useCallback, useEffect, useState } from 'react';
import { ApiProblem, api, type Me } from './api.ts';
import { AccessLogPage } from './pages/AccessLogPage.tsx';
import { ConsentPage } from './pages/ConsentPage.tsx';
import { DeclarationsPage } from './pages/DeclarationsPage.tsx';
import { EpisodeDetailPage } from './pages/EpisodeDetailPage.tsx';
import { EpisodeListPage } from './pages/EpisodeListPage.tsx';
import { LoginPage } from './pages/LoginPage.tsx';
import { SettingsPage } from './pages/SettingsPage.tsx';
import { SharedViewPage } from './pages/SharedViewPage.tsx';
import { SharesPage } from './pages/SharesPage.tsx';
import { SummaryPage } from './pages/SummaryPage.tsx';
import { VaccinationsPage } from './pages/VaccinationsPage.tsx';

/** Minimal path router: the app has few screens and must stay light for cheap phones. */
function usePath(): [string, (p: string) => void] {
  const [path, setPath] = useState(window.location.pathname);
  useEffect(() => {
    const onPop = () => setPath(window.location.pathname);
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  const navigate = useCallback((p: string) => {
    window.history.pushState(null, '', p);
    setPath(p);
    window.scrollTo(0, 0);
    // Screen readers and keyboard users start at the new page's content.
    requestAnimationFrame(() => document.getElementById('main')?.focus());
  }, []);
  return [path, navigate];
}

export type Navigate = (p: string) => void;

/** An in-app link: a real <a href> (so it opens in a new tab and reads as a link) that routes client-side. */
export function Link({ to, navigate, children, className, current }: { to: string; navigate: Navigate; children: ReactNode; className?: string; current?: boolean }) {
  return (
    <a
      href={to}
      className={className}
      aria-current={current ? 'page' : undefined}
      onClick={(ev) => {
        if (ev.metaKey || ev.ctrlKey || ev.shiftKey) return;
        ev.preventDefault();
        navigate(to);
      }}
    >
      {children}
    </a>
  );
}

type MeState = { status: 'loading' } | { status: 'anonymous' } | { status: 'ready'; me: Me } | { status: 'error'; message: string };

export interface Child {
  id: string;
  name: string;
}

const CHILD_KEY = 'hssk_child';
function loadChild(): Child | null {
  try {
    const v = sessionStorage.getItem(CHILD_KEY);
    return v ? (JSON.parse(v) as Child) : null;
  } catch {
    return null;
  }
}

const NAV: ReadonlyArray<[string, string]> = [
  ['/', 'Tổng quan'],
  ['/luot-kham', 'Lượt khám'],
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
  const shared = /^\/chia-se\/([A-Za-z0-9_-]+)$/.exec(path);

  const setChild = useCallback(
    (c: Child | null) => {
      if (c) sessionStorage.setItem(CHILD_KEY, JSON.stringify(c));
      else sessionStorage.removeItem(CHILD_KEY);
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
    if (!shared) void reload();
  }, [reload, shared]);

  const logout = async () => {
    await fetch('/auth/logout', { method: 'POST', credentials: 'same-origin' });
    sessionStorage.removeItem(CHILD_KEY);
    setChildState(null);
    setState({ status: 'anonymous' });
    navigate('/');
  };

  let content: JSX.Element;
  const ready = state.status === 'ready' && state.me.consented && state.me.has_record;
  if (shared) content = <SharedViewPage token={shared[1]!} />;
  else if (state.status === 'loading') content = <p aria-live="polite">Đang tải…</p>;
  else if (state.status === 'error') content = <p role="alert">{state.message}</p>;
  else if (state.status === 'anonymous') content = <LoginPage />;
  else if (!state.me.consented) content = <ConsentPage me={state.me} onDone={reload} />;
  else if (!state.me.has_record) content = <p>Chưa có hồ sơ sức khỏe nào gắn với số định danh {state.me.personal_id}.</p>;
  else {
    const personId = child?.id ?? null;
    const m = /^\/luot-kham\/(\d+)$/.exec(path);
    if (m) content = <EpisodeDetailPage id={Number(m[1])} personId={personId} navigate={navigate} />;
    else if (path === '/luot-kham') content = <EpisodeListPage personId={personId} navigate={navigate} />;
    else if (path === '/tu-khai-bao') content = <DeclarationsPage personId={personId} />;
    else if (path === '/tiem-chung') content = <VaccinationsPage personId={personId} />;
    else if (path === '/chia-se') content = <SharesPage personId={personId} />;
    else if (path === '/ai-da-xem') content = <AccessLogPage personId={personId} />;
    else if (path === '/cai-dat') content = <SettingsPage onWithdrawn={reload} onLogout={logout} />;
    else content = <SummaryPage personId={personId} navigate={navigate} onOpenChild={setChild} />;
  }

  return (
    <>
      <a className="skip" href="#main">
        Bỏ qua đến nội dung chính
      </a>
      <header className="topbar">
        <span className="brand">Sổ sức khỏe điện tử</span>
        {state.status === 'ready' && !shared && (
          <span className="who">
            <span className="name">{state.me.name}</span>
            <button type="button" className="link" onClick={logout}>
              Đăng xuất
            </button>
          </span>
        )}
      </header>
      {ready && !shared && (
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
      {ready && !shared && child && (
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
