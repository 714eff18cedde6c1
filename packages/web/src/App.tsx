import { type JSX, useCallback, useEffect, useState } from 'react';
import { ApiProblem, api, type Me } from './api.ts';
import { ConsentPage } from './pages/ConsentPage.tsx';
import { EpisodeDetailPage } from './pages/EpisodeDetailPage.tsx';
import { EpisodeListPage } from './pages/EpisodeListPage.tsx';
import { LoginPage } from './pages/LoginPage.tsx';

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
  }, []);
  return [path, navigate];
}

type MeState = { status: 'loading' } | { status: 'anonymous' } | { status: 'ready'; me: Me } | { status: 'error'; message: string };

export function App() {
  const [path, navigate] = usePath();
  const [state, setState] = useState<MeState>({ status: 'loading' });

  const reload = useCallback(async () => {
    try {
      setState({ status: 'ready', me: await api<Me>('/api/v1/me') });
    } catch (e) {
      if (e instanceof ApiProblem && e.status === 401) setState({ status: 'anonymous' });
      else setState({ status: 'error', message: e instanceof Error ? e.message : String(e) });
    }
  }, []);
  useEffect(() => {
    void reload();
  }, [reload]);

  const logout = async () => {
    await fetch('/auth/logout', { method: 'POST', credentials: 'same-origin' });
    setState({ status: 'anonymous' });
    navigate('/');
  };

  let content: JSX.Element;
  if (state.status === 'loading') content = <p aria-live="polite">Đang tải…</p>;
  else if (state.status === 'error') content = <p role="alert">{state.message}</p>;
  else if (state.status === 'anonymous') content = <LoginPage />;
  else if (!state.me.consented) content = <ConsentPage me={state.me} onDone={reload} />;
  else if (!state.me.has_record) content = <p>Chưa có hồ sơ sức khỏe nào gắn với số định danh {state.me.personal_id}.</p>;
  else {
    const m = /^\/luot-kham\/(\d+)$/.exec(path);
    content = m ? <EpisodeDetailPage id={Number(m[1])} onBack={() => navigate('/')} /> : <EpisodeListPage onOpen={(id) => navigate(`/luot-kham/${id}`)} />;
  }

  return (
    <>
      <a className="skip" href="#main">
        Bỏ qua đến nội dung chính
      </a>
      <header className="topbar">
        <span className="brand">Sổ sức khỏe điện tử</span>
        {state.status === 'ready' && (
          <span className="who">
            <span className="name">{state.me.name}</span>
            <button type="button" className="link" onClick={logout}>
              Đăng xuất
            </button>
          </span>
        )}
      </header>
      <main id="main" tabIndex={-1}>
        {content}
      </main>
    </>
  );
}
