import { STATION_PATHS, stationPath } from '@openhssk/core/api';
import { Component, lazy, type ReactNode, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Link, usePath } from '../router.tsx';
import { LoginPage } from '../staff/LoginPage.tsx';
import { Alert, SkipLink } from '../ui.tsx';
import { ApiProblem, get, post, STATION_ROLES, type StaffMe } from './api.ts';
import { ROUTES, type Station, StationContext, type SyncState } from './context.ts';
import { clearReadData, db, getMeta, setMeta } from './db.ts';
import { ROLE_VI } from './format.ts';
import { clearDrafts, useLive, useOnline } from './hooks.ts';
import { pruneOutbox, SessionExpired, syncNow } from './outbox.ts';
import { DayListPage } from './pages/DayListPage.tsx';
import { HouseholdPage } from './pages/HouseholdPage.tsx';
import { PersonPage } from './pages/PersonPage.tsx';
import { SearchPage } from './pages/SearchPage.tsx';
import { SyncPage } from './pages/SyncPage.tsx';
import { downloadSnapshot } from './snapshot.ts';

// Entry forms and register lists load on first use; the service worker precaches them with the rest.
const SectionPage = lazy(() => import('./pages/SectionPage.tsx').then((m) => ({ default: m.SectionPage })));
const CheckupPage = lazy(() => import('./pages/CheckupPage.tsx').then((m) => ({ default: m.CheckupPage })));
const FollowUpPage = lazy(() => import('./pages/FollowUpPage.tsx').then((m) => ({ default: m.FollowUpPage })));
const EventPage = lazy(() => import('./pages/EventPage.tsx').then((m) => ({ default: m.EventPage })));
const RegistersPage = lazy(() => import('./pages/RegistersPage.tsx').then((m) => ({ default: m.RegistersPage })));
const ImmunizationPage = lazy(() => import('./pages/ImmunizationPage.tsx').then((m) => ({ default: m.ImmunizationPage })));
const StockPage = lazy(() => import('./pages/StockPage.tsx').then((m) => ({ default: m.StockPage })));
const ImmunizationPersonPage = lazy(() => import('./pages/ImmunizationPersonPage.tsx').then((m) => ({ default: m.ImmunizationPersonPage })));

/** The device's copy of the register is read again when older than this. */
const SNAPSHOT_MAX_AGE_MS = 12 * 3600_000;
/** While entries wait and a network is there, sending is retried this often. */
const RETRY_MS = 60_000;

type Session = { me: StaffMe | null; offline: boolean; notice?: string };

/** Who is signed in: the server's answer, or — without a connection — the device's last one. */
async function loadSession(): Promise<Session> {
  try {
    const me = await get<StaffMe>('/api/v1/staff/me');
    await setMeta('me', me);
    return { me, offline: false };
  } catch (e) {
    if (e instanceof ApiProblem && e.status < 500) return { me: null, offline: false };
    return { me: (await getMeta('me')) ?? null, offline: true };
  }
}

const NAV = [
  { to: ROUTES.home, label: 'Hôm nay', match: (p: string) => p === '/tram-y-te' || p === '/tram-y-te/' },
  { to: ROUTES.search, label: 'Tìm hộ', match: (p: string) => p.startsWith('/tram-y-te/tim-kiem') || p.startsWith('/tram-y-te/ho/') || p.startsWith('/tram-y-te/nguoi/') },
  { to: ROUTES.registers, label: 'Sổ quản lý', match: (p: string) => p.startsWith('/tram-y-te/so-quan-ly'), clinical: true },
  { to: ROUTES.immunization, label: 'Tiêm chủng', match: (p: string) => p.startsWith('/tram-y-te/tiem-chung'), clinical: true },
  { to: ROUTES.sync, label: 'Đồng bộ', match: (p: string) => p.startsWith('/tram-y-te/dong-bo') },
];

export function StationApp() {
  const [session, setSession] = useState<Session | undefined>(undefined);
  const [path, navigate] = usePath();
  const online = useOnline();

  useEffect(() => {
    void loadSession().then(setSession);
  }, []);

  const onLogin = async (me: StaffMe) => {
    const previous = await getMeta('me');
    // Another person's screens must not stay on a shared phone; their unsent entries do (theirs to send).
    if (previous && previous.id !== me.id) {
      await clearReadData();
      clearDrafts();
    }
    await setMeta('me', me);
    setSession({ me, offline: false });
  };

  const me = session?.me ?? null;
  const blocked = me && (!STATION_ROLES.includes(me.role) || me.must_change_password || (me.totp_required && !me.totp_enabled));

  return (
    <>
      <SkipLink />
      {me && !blocked ? (
        <SignedIn me={me} path={path} navigate={navigate} online={online} onExpired={(notice) => setSession({ me: null, offline: false, notice })} />
      ) : (
        <>
          <header className="st-top">
            <span className="st-brand">Trạm y tế xã</span>
          </header>
          <main id="main" tabIndex={-1} className="st-main">
            {session === undefined && <p className="muted">Đang tải…</p>}
            {session && !me && session.offline && (
              <section className="card narrow">
                <h1>Chưa có mạng</h1>
                <p>Máy này chưa có ai đăng nhập ứng dụng trạm y tế. Hãy kết nối mạng để đăng nhập lần đầu; sau đó ứng dụng dùng được cả khi mất mạng.</p>
              </section>
            )}
            {session && !me && !session.offline && (
              <>
                {session.notice && <p className="alert" role="alert">{session.notice}</p>}
                <LoginPage onLogin={(m) => void onLogin(m as StaffMe)} />
              </>
            )}
            {me && blocked && <BlockedAccount me={me} />}
          </main>
        </>
      )}
    </>
  );
}

function BlockedAccount({ me }: { me: StaffMe }) {
  const notStation = !STATION_ROLES.includes(me.role);
  return (
    <section className="card narrow">
      <h1>{notStation ? 'Tài khoản không thuộc trạm y tế' : 'Cần hoàn tất tài khoản'}</h1>
      <p>
        {notStation
          ? `Tài khoản ${me.username} (${ROLE_VI[me.role] ?? me.role}) không dùng ứng dụng trạm y tế xã.`
          : 'Bạn cần đổi mật khẩu hoặc cài đặt mã xác thực trước khi dùng ứng dụng.'}
      </p>
      <p>
        <a href="/nhan-vien/">Mở Cổng nhân viên y tế</a>
      </p>
    </section>
  );
}

function SignedIn({ me, path, navigate, online, onExpired }: { me: StaffMe; path: string; navigate: (p: string) => void; online: boolean; onExpired: (notice: string) => void }) {
  const [sync, setSync] = useState<SyncState>({ running: false, last: null, error: null });
  const [snapshot, setSnapshot] = useState<Station['snapshot']>({ running: false, progress: null, error: null });
  const form = useLive(() => getMeta('form'), []);
  const summary = useLive(() => getMeta('summary'), []);
  const pending = useLive(() => db.outbox.where('status').equals('pending').filter((e) => e.staffId === me.id).count(), [me.id]);
  const attention = useLive(() => db.outbox.filter((e) => e.staffId === me.id && (e.status === 'refused' || e.status === 'conflict') && !e.seen).count(), [me.id]);
  const expiredRef = useRef(onExpired);
  expiredRef.current = onExpired;

  const runSync = useCallback(async () => {
    setSync((s) => ({ ...s, running: true, error: null }));
    try {
      const last = await syncNow(me);
      setSync({ running: false, last, error: last.error });
    } catch (e) {
      if (e instanceof SessionExpired) {
        setSync({ running: false, last: null, error: e.message });
        expiredRef.current(e.message);
        return;
      }
      setSync({ running: false, last: null, error: e instanceof Error ? e.message : 'Không đồng bộ được.' });
    }
  }, [me]);

  const snapshotBusy = useRef(false);
  const runSnapshot = useCallback(async () => {
    if (snapshotBusy.current) return;
    snapshotBusy.current = true;
    setSnapshot({ running: true, progress: null, error: null });
    try {
      await downloadSnapshot(me, (done, total) => setSnapshot({ running: true, progress: `${done}/${total}`, error: null }));
      setSnapshot({ running: false, progress: null, error: null });
    } catch (e) {
      if (e instanceof ApiProblem && e.status === 401) expiredRef.current('Phiên đăng nhập đã hết hạn: hãy đăng nhập lại.');
      setSnapshot({ running: false, progress: null, error: e instanceof ApiProblem ? e.message : 'Không tải được dữ liệu địa bàn (mất mạng?).' });
    } finally {
      snapshotBusy.current = false;
    }
  }, [me]);

  // On start and whenever the network comes back: send what waits, refresh a stale register copy.
  useEffect(() => {
    const catchUp = async () => {
      if (!navigator.onLine) return;
      await runSync();
      const snap = await getMeta('snapshot');
      if (!snap || snap.staffId !== me.id || Date.now() - snap.at > SNAPSHOT_MAX_AGE_MS) await runSnapshot();
    };
    void pruneOutbox().then(catchUp);
    window.addEventListener('online', catchUp);
    const timer = window.setInterval(() => {
      void db.outbox.where('status').equals('pending').count().then((n) => {
        if (n > 0 && navigator.onLine) void runSync();
      });
    }, RETRY_MS);
    return () => {
      window.removeEventListener('online', catchUp);
      window.clearInterval(timer);
    };
  }, [me.id, runSync, runSnapshot]);

  const station: Station = useMemo(() => ({ me, form, online, navigate, sync, runSync, snapshot, runSnapshot }), [me, form, online, navigate, sync, runSync, snapshot, runSnapshot]);
  const clinical = me.role !== 'population_collaborator';

  const logout = async () => {
    const n = pending ?? 0;
    if (n > 0 && !window.confirm(`Còn ${n} mục chưa đồng bộ. Các mục này được giữ trên máy và sẽ gửi khi bạn đăng nhập lại. Đăng xuất?`)) return;
    await post('/api/v1/staff/logout').catch(() => undefined);
    await clearReadData();
    clearDrafts();
    window.location.assign(ROUTES.home);
  };

  return (
    <StationContext.Provider value={station}>
      <header className="st-top">
        <span className="st-brand">
          Trạm y tế{summary?.commune_name ? ` ${summary.commune_name}` : ''}
        </span>
        <span className="st-status" role="status">
          {!online && <span className="st-offline">Mất mạng · làm việc ngoại tuyến</span>}
          <Link to={ROUTES.sync} navigate={navigate} className={`st-counter${(pending ?? 0) > 0 ? ' waiting' : ''}`}>
            <span data-testid="pending-count">Chưa đồng bộ ({pending ?? 0})</span>
          </Link>
          {(attention ?? 0) > 0 && (
            <Link to={ROUTES.sync} navigate={navigate} className="st-counter attention">
              Cần xem ({attention})
            </Link>
          )}
        </span>
      </header>
      <nav className="st-nav" aria-label="Chức năng">
        <ul>
          {NAV.filter((n) => clinical || !n.clinical).map((n) => (
            <li key={n.to}>
              <Link to={n.to} navigate={navigate} current={n.match(path)}>
                {n.label}
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <main id="main" tabIndex={-1} className="st-main">
        <UpdateNotice />
        <ScreenBoundary key={path}>
          <Route path={path} />
        </ScreenBoundary>
      </main>
      <footer className="st-foot">
        <span>
          {me.name} · {ROLE_VI[me.role] ?? me.role}
        </span>
        <button type="button" className="link" onClick={() => void logout()}>
          Đăng xuất
        </button>
      </footer>
    </StationContext.Provider>
  );
}

/**
 * A screen that fails to draw (a chunk of an older release gone after an update, a bug) says so and
 * offers a reload; the header, the outbox and the drafts are not affected.
 */
class ScreenBoundary extends Component<{ children: ReactNode }, { failed: boolean }> {
  override state = { failed: false };
  static getDerivedStateFromError() {
    return { failed: true };
  }
  override render() {
    if (!this.state.failed) return this.props.children;
    return (
      <section className="card">
        <h1>Không mở được màn hình này</h1>
        <p>Có thể ứng dụng vừa được cập nhật. Những gì bạn đã nhập vẫn được giữ trên máy.</p>
        <button type="button" className="button primary" onClick={() => window.location.reload()}>
          Tải lại trang
        </button>
      </section>
    );
  }
}

/** A new release took over the app (the worker activates at once): offered, never forced, so no form is interrupted. */
function UpdateNotice() {
  const [updated, setUpdated] = useState(false);
  useEffect(() => {
    const sw = navigator.serviceWorker;
    if (!sw?.controller) return;
    const onChange = () => setUpdated(true);
    sw.addEventListener('controllerchange', onChange);
    return () => sw.removeEventListener('controllerchange', onChange);
  }, []);
  if (!updated) return null;
  return (
    <p className="st-flash" role="status">
      Đã có phiên bản mới của ứng dụng.{' '}
      <button type="button" className="link" onClick={() => window.location.reload()}>
        Tải lại
      </button>
    </p>
  );
}

function Lazy({ children }: { children: ReactNode }) {
  return <Suspense fallback={<p className="muted">Đang tải…</p>}>{children}</Suspense>;
}

type Page = (m: RegExpMatchArray) => ReactNode;
const id = (m: RegExpMatchArray, i = 1) => decodeURIComponent(m[i]!);

/** Client routes: a pattern of the path and the screen it opens. */
const PAGES: ReadonlyArray<[RegExp, Page]> = [
  [STATION_PATHS.home, () => <DayListPage />],
  [STATION_PATHS.search, () => <SearchPage />],
  [STATION_PATHS.sync, () => <SyncPage />],
  [STATION_PATHS.registers, () => <Lazy><RegistersPage /></Lazy>],
  [STATION_PATHS.household, (m) => <HouseholdPage key={m[1]} id={Number(m[1])} />],
  [STATION_PATHS.householdEvent, (m) => <Lazy><EventPage key={m[1]} householdId={Number(m[1])} /></Lazy>],
  [STATION_PATHS.person, (m) => <PersonPage key={m[1]} personId={id(m)} />],
  [STATION_PATHS.section, (m) => <Lazy><SectionPage key={m[0]} personId={id(m)} sectionKey={m[2]!} /></Lazy>],
  [STATION_PATHS.immunization, () => <Lazy><ImmunizationPage /></Lazy>],
  [STATION_PATHS.stock, () => <Lazy><StockPage /></Lazy>],
  [STATION_PATHS.personImmunization, (m) => <Lazy><ImmunizationPersonPage key={m[1]} personId={id(m)} /></Lazy>],
  [STATION_PATHS.checkup, (m) => <Lazy><CheckupPage key={m[1]} personId={id(m)} /></Lazy>],
  [STATION_PATHS.followUp, (m) => <Lazy><FollowUpPage key={m[0]} personId={id(m)} register={m[2]!} /></Lazy>],
];

function Route({ path }: { path: string }) {
  const p = stationPath(path);
  for (const [pattern, page] of PAGES) {
    const m = p.match(pattern);
    if (m) return page(m);
  }
  return (
    <section className="card">
      <h1>Không tìm thấy trang</h1>
      <Alert>Địa chỉ này không có trong ứng dụng trạm y tế.</Alert>
    </section>
  );
}
