import type { LogDestination } from './logging.ts';

/** Where the formatted lines go: a terminal (colours when it is one) or anything with `write`. */
export interface TextOutput {
  write(text: string): unknown;
  isTTY?: boolean;
}

const LEVELS: Readonly<Record<number, string>> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
// Fields every line carries or that the request line already says.
const QUIET = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'reqId', 'req', 'res', 'responseTime', 'err']);
/** Requests logged as incoming but not yet completed; bounded so aborted ones cannot pile up. */
const MAX_PENDING = 10_000;

const paint = (on: boolean) => (code: string, text: string) => (on ? `\u001b[${code}m${text}\u001b[0m` : text);

function clock(time: unknown): string {
  const d = typeof time === 'number' ? new Date(time) : new Date();
  return d.toTimeString().slice(0, 8);
}

function extras(entry: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(entry)) {
    if (QUIET.has(k) || v === undefined) continue;
    parts.push(`${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  }
  return parts.length ? ` ${parts.join(' ')}` : '';
}

/**
 * Development logs for a person at a terminal: one line per request ("10:42:07 GET /api/v1/me → 200
 * 3 ms") instead of two JSON objects, other messages as "time LEVEL message key=value", and an
 * error's stack under its line. It formats what pino has already redacted, so it cannot print a
 * secret the JSON log would not. Production keeps JSON, which log collectors read.
 */
export function prettyLogDestination(out: TextOutput, opts: { color?: boolean } = {}): LogDestination {
  const c = paint(opts.color ?? (out.isTTY === true && !process.env.NO_COLOR));
  const pending = new Map<string, string>();
  return {
    write(line: string) {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        out.write(line.endsWith('\n') ? line : `${line}\n`);
        return;
      }
      const level = typeof entry.level === 'number' ? entry.level : 30;
      const reqId = typeof entry.reqId === 'string' ? entry.reqId : undefined;
      const req = entry.req as { method?: string; url?: string } | undefined;
      const res = entry.res as { statusCode?: number } | undefined;
      const time = c('2', clock(entry.time));
      // The request is said once, when its answer is known.
      if (req && reqId && entry.msg === 'incoming request') {
        if (pending.size >= MAX_PENDING) pending.delete(pending.keys().next().value!);
        pending.set(reqId, `${req.method ?? ''} ${req.url ?? ''}`);
        return;
      }
      if (res && typeof entry.responseTime === 'number') {
        const what = (reqId && pending.get(reqId)) || 'request';
        if (reqId) pending.delete(reqId);
        const status = res.statusCode ?? 0;
        const colored = c(status >= 500 ? '31' : status >= 400 ? '33' : '32', String(status));
        out.write(`${time} ${what} → ${colored} ${Math.round(entry.responseTime)} ms\n`);
        return;
      }
      const name = LEVELS[level] ?? String(level);
      const label = level >= 50 ? c('31;1', name) : level >= 40 ? c('33', name) : c('36', name);
      const err = entry.err as { message?: string; stack?: string } | undefined;
      const msg = typeof entry.msg === 'string' ? entry.msg : (err?.message ?? '');
      const stack = err?.stack && level >= 50 ? `\n${err.stack.replace(/^/gm, '    ')}` : '';
      out.write(`${time} ${label} ${msg}${err?.message && err.message !== msg ? `: ${err.message}` : ''}${extras(entry)}${stack}\n`);
    },
  };
}
