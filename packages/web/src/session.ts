const RETURN_KEY = 'hssk_return_to';

/**
 * The book's path to come back to after logging in. Kept in this tab's sessionStorage: the login
 * leaves the page for the identity provider and comes back to '/'. Only an in-app path is kept
 * (never another origin, the login routes themselves or a share link).
 */
export function rememberReturnPath(path: string): void {
  if (isBookPath(path) && path !== '/') sessionStorage.setItem(RETURN_KEY, path);
  else sessionStorage.removeItem(RETURN_KEY);
}

/** The remembered path, once: it is removed as it is read. */
export function takeReturnPath(): string | null {
  const v = sessionStorage.getItem(RETURN_KEY);
  sessionStorage.removeItem(RETURN_KEY);
  return v && isBookPath(v) ? v : null;
}

const isBookPath = (path: string) => path.startsWith('/') && !path.startsWith('//') && !/[\\\s]/.test(path) && !/^\/(auth|idp|api|chia-se|nhan-vien|tram-y-te)(\/|$)/.test(path);
