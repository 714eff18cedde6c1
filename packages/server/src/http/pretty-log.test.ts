import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { startTestApp } from '../../test-support/app.ts';
import { loadConfig } from '../config.ts';
import { prettyLogDestination } from './pretty-log.ts';

class Capture {
  text = '';
  write(s: string) {
    this.text += s;
  }
  get lines() {
    return this.text.split('\n').filter(Boolean);
  }
}

describe(`development log lines (${process.env.HSSK_TEST_DB ?? 'pglite'})`, () => {
  const out = new Capture();
  let app: FastifyInstance;
  let close: () => Promise<void>;
  before(async () => {
    ({ app, close } = await startTestApp({ logger: { stream: prettyLogDestination(out) }, config: { logLevel: 'info' } }));
  });
  after(async () => close());

  it('one readable line per request: time, method, path, status, duration', async () => {
    const before = out.lines.length;
    await app.inject({ method: 'GET', url: '/healthz' });
    await app.inject({ method: 'GET', url: '/api/v1/nothing-here' });
    const lines = out.lines.slice(before);
    assert.equal(lines.length, 2, out.text);
    assert.match(lines[0]!, /^\d{2}:\d{2}:\d{2} GET \/healthz → 200 \d+ ms$/);
    assert.match(lines[1]!, /^\d{2}:\d{2}:\d{2} GET \/api\/v1\/nothing-here → 404 \d+ ms$/);
    assert.equal(out.text.includes('{"level"'), false, 'no JSON in the terminal');
  });

  it('formats what pino redacted: a share token never appears', async () => {
    const token = 'A'.repeat(43);
    await app.inject({ method: 'GET', url: `/api/v1/shared/${token}` });
    assert.equal(out.text.includes(token), false);
    assert.match(out.lines.at(-1)!, /GET \/api\/v1\/shared\/\[redacted\] → 404/);
  });

  it('other messages: level, message, fields; an error with its stack below', () => {
    const dest = prettyLogDestination(out);
    const before = out.lines.length;
    dest.write(`${JSON.stringify({ level: 40, time: Date.now(), msg: 'slow query', ms: 812 })}\n`);
    dest.write(`${JSON.stringify({ level: 50, time: Date.now(), msg: 'boom', err: { type: 'Error', message: 'disk full', stack: 'Error: disk full\n    at write (x.ts:1:1)' } })}\n`);
    const lines = out.lines.slice(before);
    assert.match(lines[0]!, /^\d{2}:\d{2}:\d{2} WARN slow query ms=812$/);
    assert.match(lines[1]!, /^\d{2}:\d{2}:\d{2} ERROR boom: disk full$/);
    assert.equal(lines[2], '    Error: disk full');
  });
});

describe('log format by mode', () => {
  const saved = { env: process.env.HSSK_ENV, fmt: process.env.HSSK_LOG_FORMAT };
  after(() => {
    for (const [k, v] of [['HSSK_ENV', saved.env], ['HSSK_LOG_FORMAT', saved.fmt]] as const) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });
  it('pretty in development, JSON in production, either on request, anything else refused', () => {
    delete process.env.HSSK_LOG_FORMAT;
    process.env.HSSK_ENV = 'development';
    assert.equal(loadConfig().logFormat, 'pretty');
    process.env.HSSK_ENV = 'production';
    assert.equal(loadConfig().logFormat, 'json');
    process.env.HSSK_LOG_FORMAT = 'pretty';
    assert.equal(loadConfig().logFormat, 'pretty');
    process.env.HSSK_LOG_FORMAT = 'xml';
    assert.throws(() => loadConfig(), /HSSK_LOG_FORMAT/);
  });
});
