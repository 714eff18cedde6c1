import type { FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import { clientAddress, type Throttle } from './limits.ts';

const MINUTE = 60;
// The OAuth token endpoint and the insurance-portal-compatible one issue the same facility tokens;
// the SMART token endpoint checks the same facility secrets (client_credentials) and app secrets.
const TOKEN_URLS = new Set(['/api/v1/auth/token', '/api/token/take', '/smart/token']);
const CHECKIN_URL = '/api/v1/clinic/checkin';
// Every call writes a pending request row (session table) and needs no login: bounded like the token endpoints.
const SMART_AUTHORIZE_URL = '/smart/authorize';

/** client_id of a token request, from HTTP Basic or the form/JSON body (read the way the route reads it). */
function tokenClientId(req: FastifyRequest): string | undefined {
  const basic = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? '');
  if (basic?.[1]) {
    const id = Buffer.from(basic[1], 'base64').toString('utf8').split(':')[0] ?? '';
    try {
      return decodeURIComponent(id);
    } catch {
      return id;
    }
  }
  const body: unknown = req.body;
  if (body !== null && typeof body === 'object' && 'client_id' in body && typeof body.client_id === 'string') return body.client_id;
  if (body !== null && typeof body === 'object' && 'username' in body && typeof body.username === 'string') return body.username;
  return undefined;
}

const retry = (s: number) => ({ vi: `vui lòng thử lại sau ${s} giây`, en: `retry in ${s} s` });

export interface ThrottleDeps {
  /** Path prefix of the development identity provider's pages. */
  idpPath: string;
  /** The staff account of the request's session, if any. */
  staffIdOf: (req: FastifyRequest) => Promise<string | undefined>;
}

/** The abuse throttles of issue 13; limits per minute from Config (0 = off). */
export function abuseThrottles(config: Config, deps: ThrottleDeps): Throttle[] {
  const idpLogin = `${deps.idpPath}/interaction/:uid/login`;
  return [
    {
      name: 'facility token per IP',
      applies: (m, url) => m === 'POST' && TOKEN_URLS.has(url),
      stage: 'onRequest',
      max: config.throttleTokenPerIp,
      windowSeconds: MINUTE,
      key: clientAddress,
      message: (max, s) => ({
        vi: `Quá ${max} yêu cầu cấp token mỗi phút từ địa chỉ này; ${retry(s).vi}.`,
        en: `More than ${max} token requests per minute from this address; ${retry(s).en}.`,
      }),
    },
    {
      // Per client_id AND address: secrets are random (guessing is hopeless), so this bounds the hashing
      // work one source can cause, without letting a stranger lock a facility out by naming its client_id.
      name: 'facility token per client_id',
      applies: (m, url) => m === 'POST' && TOKEN_URLS.has(url),
      stage: 'preValidation',
      max: config.throttleTokenPerClient,
      windowSeconds: MINUTE,
      key: (req) => {
        const id = tokenClientId(req);
        return id ? `client:${id.slice(0, 256)}:${clientAddress(req)}` : undefined;
      },
      message: (max, s) => ({
        vi: `Quá ${max} yêu cầu cấp token mỗi phút cho client_id này; ${retry(s).vi}.`,
        en: `More than ${max} token requests per minute for this client_id; ${retry(s).en}.`,
      }),
    },
    {
      name: 'SMART authorization per IP',
      applies: (m, url) => (m === 'GET' || m === 'HEAD') && url === SMART_AUTHORIZE_URL,
      stage: 'onRequest',
      max: config.throttleTokenPerIp,
      windowSeconds: MINUTE,
      key: clientAddress,
      message: (max, s) => ({
        vi: `Quá ${max} yêu cầu kết nối ứng dụng mỗi phút từ địa chỉ này; ${retry(s).vi}.`,
        en: `More than ${max} app authorization requests per minute from this address; ${retry(s).en}.`,
      }),
    },
    {
      name: 'share opening per IP',
      applies: (m, url) => (m === 'GET' || m === 'HEAD') && url.startsWith('/api/v1/shared/'),
      stage: 'onRequest',
      max: config.throttleSharePerIp,
      windowSeconds: MINUTE,
      key: clientAddress,
      message: (max, s) => ({
        vi: `Quá ${max} lượt mở liên kết chia sẻ mỗi phút từ địa chỉ này; ${retry(s).vi}.`,
        en: `More than ${max} share openings per minute from this address; ${retry(s).en}.`,
      }),
    },
    {
      // Per account, so one compromised or scripted front-desk login cannot walk the population;
      // a request without a staff session is counted by address (the route then answers 401).
      name: 'front-desk check-in per staff account',
      applies: (m, url) => m === 'POST' && url === CHECKIN_URL,
      stage: 'onRequest',
      max: config.throttleCheckinPerStaff,
      windowSeconds: MINUTE,
      key: async (req) => {
        const id = await deps.staffIdOf(req);
        return id ? `staff:${id}` : clientAddress(req);
      },
      message: (max, s) => ({
        vi: `Quá ${max} lượt tiếp nhận mỗi phút từ tài khoản này; ${retry(s).vi}.`,
        en: `More than ${max} check-ins per minute from this account; ${retry(s).en}.`,
      }),
    },
    {
      name: 'development identity provider login per IP',
      applies: (m, url) => m === 'POST' && url === idpLogin,
      stage: 'onRequest',
      max: config.throttleIdpLoginPerIp,
      windowSeconds: MINUTE,
      key: clientAddress,
      message: (max, s) => ({
        vi: `Quá ${max} lần đăng nhập mỗi phút từ địa chỉ này; ${retry(s).vi}.`,
        en: `More than ${max} login attempts per minute from this address; ${retry(s).en}.`,
      }),
      // Not registered when an external OpenID Connect issuer (VNeID) is configured.
      optional: true,
    },
  ];
}
