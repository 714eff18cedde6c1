import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { sampleEpisode } from '@openhssk/core/testing';
import { buildEnvelope } from '@openhssk/core/xml130';
import { createTestCertificate, signEnvelope } from '@openhssk/core/xmldsig';
import { type PrepareInput, prepareEnvelope } from './prepare.ts';
import { closePreparePool, prepareInPool, setPrepareWorkers } from './prepare-pool.ts';

const FAC = '79001';
const cert = createTestCertificate({ organization: FAC });
const episodes = [sampleEpisode(1, FAC), sampleEpisode(2, FAC)];
// The second episode loses its admission date: rejected, while the first is accepted.
delete episodes[1]!.XML1![0]!.NGAY_VAO;
const raw = Buffer.from(signEnvelope(buildEnvelope({ facilityCode: FAC, createdDate: '20240305', episodes }), cert.privateKeyPem, cert.certPem));
const input = (over: Partial<PrepareInput> = {}): PrepareInput => ({
  raw,
  facilityCode: FAC,
  trusted: [{ id: '1', certPem: cert.certPem }],
  allowSha1: false,
  requireSignature: true,
  receivedAt: Date.UTC(2024, 2, 5, 10),
  ...over,
});

describe('ingest prepare pool', () => {
  after(() => closePreparePool());

  it('gives in a worker exactly what the inline path gives', async () => {
    setPrepareWorkers(1);
    const inWorker = await prepareInPool(input());
    assert.deepEqual(inWorker, prepareEnvelope(input()));
    assert.ok(inWorker.ok);
    assert.equal(inWorker.signature?.ok, true);
    assert.deepEqual(
      inWorker.outcomes.map((o) => o.status),
      ['accepted', 'rejected'],
    );
    assert.equal(inWorker.accepted.length, 1);
    const rows = inWorker.rowChunks.flatMap((c) => JSON.parse(c) as Array<{ ep: number; tbl: string }>);
    assert.ok(rows.length > 0 && rows.every((r) => r.ep === 1 && r.tbl !== 'XML1'));
  });

  it('skips the episode work when the signature fails or the envelope is another facility’s', async () => {
    setPrepareWorkers(1);
    const tampered = Buffer.from(raw.toString('utf8').replace('<NGAYLAP>20240305<', '<NGAYLAP>20240306<'));
    const bad = await prepareInPool(input({ raw: tampered }));
    assert.ok(bad.ok && bad.signature && !bad.signature.ok);
    assert.equal(bad.outcomes.length, 0);
    const other = await prepareInPool(input({ facilityCode: '79002' }));
    assert.ok(other.ok && other.facilityCode === FAC && other.signature === undefined && other.accepted.length === 0);
  });

  it('reports malformed input as a coded refusal, not a thrown error', async () => {
    setPrepareWorkers(1);
    const r = await prepareInPool(input({ raw: Buffer.from('<!DOCTYPE x [<!ENTITY a "b">]><GIAMDINHHS/>') }));
    assert.deepEqual(r.ok ? 'accepted' : r.code, 'XML_DTD_FORBIDDEN');
  });

  it('fails the tasks of a stopped pool, even when their result races the stop, and serves the next ones with fresh workers', async () => {
    setPrepareWorkers(1);
    const stopped = assert.rejects(prepareInPool(input()), /closed/);
    await closePreparePool();
    await stopped;
    const late = assert.rejects(prepareInPool(input()), /closed/);
    // Block the event loop while the worker finishes: its answer is queued when the pool closes.
    const until = Date.now() + 400;
    while (Date.now() < until) {}
    await closePreparePool();
    await late;
    const again = await prepareInPool(input());
    assert.ok(again.ok && again.accepted.length === 1);
  });

  it('hands waiting tasks over when the number of workers changes', async () => {
    setPrepareWorkers(1);
    const waiting = [prepareInPool(input()), prepareInPool(input()), prepareInPool(input())];
    // The first is in a worker (and fails with it); the two queued ones run on the calling thread.
    setPrepareWorkers(0);
    const settled = await Promise.allSettled(waiting);
    assert.equal(settled[0]!.status, 'rejected');
    assert.ok(settled.slice(1).every((r) => r.status === 'fulfilled' && r.value.ok && r.value.accepted.length === 1));
    setPrepareWorkers(1);
  });

  it('runs on the calling thread when configured with no workers', async () => {
    setPrepareWorkers(0);
    const r = await prepareInPool(input());
    assert.ok(r.ok && r.accepted.length === 1);
    setPrepareWorkers(1);
  });
});
