import type { FastifyInstance } from 'fastify';

/**
 * A periodic job that lives as long as the app: first run soon after start (capped at 5 s so
 * tests and a fresh demo see it), then every `everySeconds` after the previous run ended, so
 * runs never overlap. Closing the app waits for a running job, because the database closes next.
 */
export function scheduleJob(app: FastifyInstance, name: string, everySeconds: number, run: () => Promise<unknown>): void {
  if (everySeconds <= 0) return;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  let inflight: Promise<unknown> = Promise.resolve();
  const tick = async () => {
    try {
      inflight = run();
      await inflight;
    } catch (err) {
      if (!stopped) app.log.error({ err, job: name }, 'background job failed');
    }
    if (!stopped) timer = setTimeout(tick, everySeconds * 1000);
  };
  app.addHook('onReady', async () => {
    timer = setTimeout(tick, Math.min(everySeconds, 5) * 1000);
  });
  app.addHook('onClose', async () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    await inflight.catch(() => {});
  });
}
