export { createWorker, runCommand, TaskFailure, type Claim, type ClaimedJob, type ExecuteContext, type ExecuteResult, type Worker, type WorkerOptions } from './worker.ts';
export * from './builders/index.ts';
export * from './client/index.ts';
