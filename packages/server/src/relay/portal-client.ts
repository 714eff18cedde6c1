import { portalPasswordDigest } from '../auth/index.ts';

/**
 * HTTP client of the national insurance portal's submission API, as described in
 * ../shared/standards/xml130.md §2 (vendor documentation, secondary): a token from `/api/token/take`
 * (username, upper-case MD5 of the password), then `/api/qd130/guiHoSoXmlQD4750` (envelope,
 * loaiHoSo 130) or `/api/qd130/checkInKcbQd4750` (XML0, loaiHoSo 0) with the whole file in
 * `fileHSBase64`; the answer carries maKetQua, maGiaoDich, thoiGianTiepNhan and thongDiep.
 * UNVERIFIED against the portal itself: whether the form goes as JSON or urlencoded, where the token
 * goes (sent here as a Bearer header and in the form's token/id_token fields, never in the URL, where
 * proxies would log it), and the exact failure codes.
 */

export interface PortalTarget {
  url: string;
  username: string;
  password: string;
  facilityCode: string;
  maTinh: string;
}

export type PortalOutcome =
  | { kind: 'sent'; httpStatus: number; code: string; maGiaoDich: string | null; time: string | null; message: string }
  /** The portal looked at the message and refused it: retrying the same bytes cannot help. */
  | { kind: 'refused'; httpStatus: number; code: string; message: string }
  /** Down, overloaded, timed out or an answer we cannot read: try again later. */
  | { kind: 'transient'; httpStatus: number | null; code: string | null; message: string };

interface PortalAnswer {
  maKetQua?: unknown;
  maGiaoDich?: unknown;
  thoiGianTiepNhan?: unknown;
  thongDiep?: unknown;
  APIKey?: { access_token?: unknown; id_token?: unknown; expires_in?: unknown };
}

const PATHS = { envelope: '/api/qd130/guiHoSoXmlQD4750', checkin: '/api/qd130/checkInKcbQd4750' } as const;
const LOAI_HO_SO = { envelope: '130', checkin: '0' } as const;

const text = (v: unknown) => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');
/** Statuses after which the same request may succeed later. */
const isTransientStatus = (s: number) => s === 408 || s === 425 || s === 429 || s >= 500;
const joinUrl = (base: string, path: string) => `${base.replace(/\/+$/, '')}${path}`;

export interface PortalClientOptions {
  timeoutMs?: number;
}

/** One client per server: it caches each facility's portal token until shortly before it expires. */
export class PortalClient {
  private tokens = new Map<string, { token: string; until: number }>();
  private timeoutMs: number;

  constructor(opts: PortalClientOptions = {}) {
    this.timeoutMs = opts.timeoutMs ?? 20_000;
  }

  private key(t: PortalTarget) {
    return `${t.url}\0${t.username}`;
  }

  private async post(url: string, body: Record<string, string>, token?: string): Promise<{ status: number; answer: PortalAnswer | undefined }> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    const r = await fetch(url, { method: 'POST', headers, body: JSON.stringify(body), signal: AbortSignal.timeout(this.timeoutMs) });
    const raw = await r.text();
    let answer: PortalAnswer | undefined;
    try {
      const parsed: unknown = JSON.parse(raw);
      if (parsed && typeof parsed === 'object') answer = parsed as PortalAnswer;
    } catch {
      answer = undefined;
    }
    return { status: r.status, answer };
  }

  /** A token for the target, from the cache or a fresh login; an outcome when the login failed. */
  private async token(t: PortalTarget, fresh: boolean): Promise<string | Exclude<PortalOutcome, { kind: 'sent' }>> {
    const cached = this.tokens.get(this.key(t));
    if (!fresh && cached && cached.until > Date.now()) return cached.token;
    const { status, answer } = await this.post(joinUrl(t.url, '/api/token/take'), { username: t.username, password: portalPasswordDigest(t.password) });
    const token = text(answer?.APIKey?.access_token) || text(answer?.APIKey?.id_token);
    if (status === 200 && token) {
      const ttl = Number(answer?.APIKey?.expires_in) || 600;
      // Renewed a minute early so a token never expires between the check and the send.
      this.tokens.set(this.key(t), { token, until: Date.now() + Math.max(ttl - 60, 30) * 1000 });
      return token;
    }
    const message = text(answer?.thongDiep) || `Đăng nhập cổng tiếp nhận thất bại (HTTP ${status}).`;
    if (isTransientStatus(status) || !answer) return { kind: 'transient', httpStatus: status, code: text(answer?.maKetQua) || null, message };
    return { kind: 'refused', httpStatus: status, code: text(answer.maKetQua) || String(status), message: `Đăng nhập cổng tiếp nhận: ${message}` };
  }

  /** Sends the bytes exactly as the facility signed them; never throws for a network failure. */
  async send(t: PortalTarget, kind: 'envelope' | 'checkin', raw: Buffer): Promise<PortalOutcome> {
    try {
      for (const fresh of [false, true]) {
        const token = await this.token(t, fresh);
        if (typeof token !== 'string') return token;
        const { status, answer } = await this.post(
          joinUrl(t.url, PATHS[kind]),
          { token, id_token: token, username: t.username, loaiHoSo: LOAI_HO_SO[kind], maTinh: t.maTinh, maCSKCB: t.facilityCode, fileHSBase64: raw.toString('base64') },
          token,
        );
        // An expired or revoked token: log in again once.
        if (status === 401 && !fresh) {
          this.tokens.delete(this.key(t));
          continue;
        }
        const code = text(answer?.maKetQua);
        const message = text(answer?.thongDiep);
        if (status === 200 && code === '200') {
          return { kind: 'sent', httpStatus: status, code, maGiaoDich: text(answer?.maGiaoDich) || null, time: text(answer?.thoiGianTiepNhan) || null, message };
        }
        if (isTransientStatus(status) || !answer || status === 401) {
          return { kind: 'transient', httpStatus: status, code: code || null, message: message || `Cổng tiếp nhận trả về HTTP ${status}.` };
        }
        return { kind: 'refused', httpStatus: status, code: code || String(status), message: message || `Cổng tiếp nhận từ chối (HTTP ${status}).` };
      }
      return { kind: 'transient', httpStatus: 401, code: null, message: 'Cổng tiếp nhận không chấp nhận token.' };
    } catch (e) {
      // fetch's errors name the cause (refused, reset, timeout), never the request body or token.
      const cause = e instanceof Error ? ((e.cause as Error | undefined)?.message ?? e.message) : String(e);
      return { kind: 'transient', httpStatus: null, code: null, message: `Không kết nối được cổng tiếp nhận: ${cause}` };
    }
  }
}
