export { ShellSidecar } from './runtime/sidecar.ts';
export { reapOrphanedTasks, runShellTask, MAX_RESULT_BYTES, type ShellRuntimeOptions, type ShellTask, type TaskHooks, type TaskOutcome } from './runtime/shell.ts';
export { ContainerRuntime, type ContainerRuntimeOptions, type ContainerStep, type ContainerTask } from './runtime/container.ts';
export { ImageStore, registryOf, type RegistryCredentials } from './runtime/container-images.ts';
