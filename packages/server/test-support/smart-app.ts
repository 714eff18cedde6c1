import { createServer, type Server } from 'node:http';
import smart from 'fhirclient/lib/entry/node';

export type SmartClient = Awaited<ReturnType<ReturnType<typeof smart>['ready']>>;

/**
 * A SMART app as a third party writes one: /launch starts a standalone launch, /callback completes it,
 * both done by `fhirclient` (the SMART JS client) with its Node adapter. `?pkce=off` and `?redirect=`
 * on /launch let tests ask for what a careless app would do.
 */
export async function startSmartApp(fhirBase: string, clientId: string) {
  const store = new Map<string, unknown>();
  const storage = {
    get: async (k: string) => store.get(k),
    set: async (k: string, v: unknown) => {
      store.set(k, v);
      return v;
    },
    unset: async (k: string) => store.delete(k),
  };
  let ready: Promise<SmartClient> | undefined;
  const server: Server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (u.pathname === '/launch') {
      const pkceMode = u.searchParams.get('pkce') === 'off' ? 'disabled' : 'required';
      const redirect = u.searchParams.get('redirect') ?? `http://${req.headers.host}/callback`;
      smart(req, res, storage)
        .authorize({ iss: fhirBase, clientId, scope: 'launch/patient patient/*.rs', redirectUri: redirect, pkceMode })
        .catch((e: unknown) => res.writeHead(500).end(String(e)));
      return;
    }
    ready = smart(req, res, storage).ready();
    ready.then(
      () => res.writeHead(200).end('ok'),
      (e: unknown) => res.writeHead(400).end(String(e)),
    );
  });
  const port: number = await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as { port: number }).port)));
  return { base: `http://127.0.0.1:${port}`, client: () => ready ?? Promise.reject(new Error('no callback yet')), close: () => new Promise<void>((r) => server.close(() => r())) };
}

