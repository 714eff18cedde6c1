// Durable jobs: named queues on pg-boss, enqueued inside the caller's transaction (docs/architecture.md, "Durable jobs").
export { type DeadJob, defineQueue, type EnqueueOptions, enqueue, type JobState, jobCounts, listDeadJobs, type QueueDefinition, requeueDeadJobs } from './queue.ts';
export { type Defer, type JobHandler, type JobInfo, JobRunner, type JobRunnerOptions, type WorkerOptions } from './runner.ts';
export type { AnyDb } from './boss.ts';
