export { startEngine, type Engine, type EngineOptions } from './engine/engine.ts';
export { shellRunner } from './engine/shell-runner.ts';
export { openPglite } from './db/pglite.ts';
export { openPostgres } from './db/postgres.ts';
export { migrate } from './db/migrate.ts';
export { getJob, type JobRecord } from './datastore/jobs.ts';
export { tasksOfJob, type TaskRecord } from './datastore/tasks.ts';
export { SERVER_NODE_FLAGS } from './cli/node-flags.ts';
