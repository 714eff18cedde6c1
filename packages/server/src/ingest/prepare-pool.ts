import { Worker } from 'node:worker_threads';
import { DEFAULT_INGEST_WORKERS } from '../config.ts';
import { type PrepareInput, type PrepareOutput, prepareEnvelope } from './prepare.ts';
import type { PrepareRequest } from './prepare-worker.ts';

/**
 * Worker threads for the CPU-bound half of ingest, so parsing and signature checks of one envelope
 * run beside the database work of another instead of blocking the event loop. One pool per process;
 * workers start on first use, keep the process alive only while they hold a task, and a worker
 * that dies is replaced (its task fails, the others go on).
 */
interface Task {
  id: number;
  input: PrepareInput;
  resolve: (r: PrepareOutput) => void;
  reject: (e: Error) => void;
}

interface Slot {
  worker: Worker;
  task: Task | null;
}

const ENTRY = new URL('./prepare-worker.mjs', import.meta.url);

// Until the app configures it (config.ingestWorkers); CLI and demo use the same default.
let size = DEFAULT_INGEST_WORKERS;
let slots: Slot[] = [];
const queue: Task[] = [];
let nextId = 1;

/** 0 runs the work on the calling thread (one-core machines, debugging). */
export function setPrepareWorkers(n: number): void {
  if (n === size) return;
  size = n;
  void stopWorkers();
  // Tasks still waiting go to the new workers, or run here when there are none.
  if (size === 0) {
    for (const t of queue.splice(0)) prepareHere(t.input).then(t.resolve, t.reject);
  } else {
    dispatch();
  }
}

/** Starts the workers ahead of the first envelope (server start), so it does not wait for them. */
export function warmPreparePool(): void {
  while (slots.length < size) slots.push(spawn());
}

export function prepareInPool(input: PrepareInput): Promise<PrepareOutput> {
  if (size === 0) return prepareHere(input);
  return new Promise((resolve, reject) => {
    queue.push({ id: nextId++, input, resolve, reject });
    dispatch();
  });
}

/** Shutdown: every task not yet answered fails, the workers stop. */
export async function closePreparePool(): Promise<void> {
  for (const t of queue.splice(0)) t.reject(new Error('ingest worker pool closed'));
  await stopWorkers();
}

const prepareHere = (input: PrepareInput) => Promise.resolve().then(() => prepareEnvelope(input));

async function stopWorkers(): Promise<void> {
  const old = slots;
  slots = [];
  for (const s of old) {
    const t = s.task;
    // Cleared first: a result racing the termination must not reach the task or unref the worker.
    s.task = null;
    t?.reject(new Error('ingest worker pool closed'));
    // Referenced until it has exited, so awaiting the termination keeps the process alive.
    s.worker.ref();
  }
  await Promise.all(old.map((s) => s.worker.terminate()));
}

function spawn(): Slot {
  const worker = new Worker(ENTRY);
  worker.unref();
  const slot: Slot = { worker, task: null };
  worker.on('message', (m: { id: number; result?: PrepareOutput; error?: string }) => {
    const t = slot.task;
    if (!t || t.id !== m.id) return;
    slot.task = null;
    worker.unref();
    if (m.result) t.resolve(m.result);
    else t.reject(new Error(`ingest worker: ${m.error ?? 'no result'}`));
    dispatch();
  });
  const lost = (why: string) => {
    const i = slots.indexOf(slot);
    if (i < 0) return;
    slots.splice(i, 1);
    slot.task?.reject(new Error(`ingest worker stopped: ${why}`));
    slot.task = null;
    dispatch();
  };
  worker.on('error', (e) => lost(e.message));
  worker.on('exit', (code) => lost(`exit code ${code}`));
  return slot;
}

function dispatch(): void {
  while (queue.length > 0) {
    let slot = slots.find((s) => s.task === null);
    if (!slot && slots.length < size) {
      slot = spawn();
      slots.push(slot);
    }
    if (!slot) return;
    const task = queue.shift()!;
    slot.task = task;
    slot.worker.ref();
    const msg: PrepareRequest = { id: task.id, input: task.input };
    slot.worker.postMessage(msg);
  }
}
