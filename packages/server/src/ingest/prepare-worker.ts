import { parentPort } from 'node:worker_threads';
import { type PrepareInput, prepareEnvelope } from './prepare.ts';

export interface PrepareRequest {
  id: number;
  input: PrepareInput;
}

parentPort?.on('message', (m: PrepareRequest) => {
  try {
    parentPort?.postMessage({ id: m.id, result: prepareEnvelope(m.input) });
  } catch (e) {
    parentPort?.postMessage({ id: m.id, error: e instanceof Error ? `${e.name}${'code' in e ? ` ${String(e.code)}` : ''}: ${e.message}` : String(e) });
  }
});
