import { type ReactNode, useCallback, useEffect, useState } from 'react';

/** Minimal path router: the app has few screens and must stay light for cheap phones. */
export function usePath(): [string, Navigate] {
  const [path, setPath] = useState(window.location.pathname);
  useEffect(() => {
    const onPop = () => setPath(window.location.pathname);
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);
  const navigate = useCallback((p: string, opts: { replace?: boolean } = {}) => {
    // Replaced (not pushed) when returning after a login: Back must not lead to the page before it.
    if (opts.replace) window.history.replaceState(null, '', p);
    else window.history.pushState(null, '', p);
    setPath(p);
    window.scrollTo(0, 0);
    // Screen readers and keyboard users start at the new page's content.
    requestAnimationFrame(() => document.getElementById('main')?.focus());
  }, []);
  return [path, navigate];
}

export type Navigate = (p: string, opts?: { replace?: boolean }) => void;

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
