export { ShellSidecar } from './runtime/sidecar.ts';
export { reapOrphanedTasks, runShellTask, MAX_RESULT_BYTES, type ShellRuntimeOptions, type ShellTask, type TaskHooks, type TaskOutcome } from './runtime/shell.ts';
