import assert from 'node:assert/strict';

/** A minimal cookie jar: enough for the login round trip through the development identity provider. */
export class CookieJar {
  private readonly cookies = new Map<string, { name: string; value: string; path: string }>();

  store(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attrs] = line.split(';').map((p) => p.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      let path = '/';
      let expired = value === '';
      for (const a of attrs) {
        const [k = '', v = ''] = a.split('=');
        if (k.toLowerCase() === 'path') path = v || '/';
        if (k.toLowerCase() === 'max-age' && Number(v) <= 0) expired = true;
        if (k.toLowerCase() === 'expires' && Date.parse(v) < Date.now()) expired = true;
      }
      const key = `${name}|${path}`;
      if (expired) this.cookies.delete(key);
      else this.cookies.set(key, { name, value, path });
    }
  }

  header(url: string): string {
    const path = new URL(url).pathname;
    return [...this.cookies.values()]
      .filter((c) => path === c.path || path.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  has(name: string): boolean {
    return [...this.cookies.values()].some((c) => c.name === name);
  }
}

/** One request without following redirects; cookies go out from and come back into the jar. */
export async function send(jar: CookieJar, url: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const cookie = jar.header(url);
  if (cookie) headers.set('cookie', cookie);
  const res = await fetch(url, { ...init, headers, redirect: 'manual' });
  jar.store(res);
  return res;
}

/** GETs `url` and follows redirects as a browser would; returns the final answer and every address visited. */
export async function follow(jar: CookieJar, url: string): Promise<{ res: Response; chain: string[] }> {
  const chain = [url];
  let res = await send(jar, url);
  while (res.status >= 300 && res.status < 400) {
    const next = new URL(res.headers.get('location') ?? '', chain.at(-1)).toString();
    await res.body?.cancel();
    chain.push(next);
    assert.ok(chain.length < 15, `redirect loop: ${chain.join(' → ')}`);
    res = await send(jar, next);
  }
  return { res, chain };
}

