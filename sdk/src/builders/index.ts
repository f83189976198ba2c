export { documentToYAML, TwerkBuildError, type Built } from './built.ts';
export { expr, inputs, item, script, secrets, tasks, type EachItem } from './expressions.ts';
export {
  each,
  job,
  parallel,
  scheduledJob,
  subjob,
  task,
  type BuiltJob,
  type BuiltScheduledJob,
  type BuiltTask,
  type CommandTaskSpec,
  type CompositeOptions,
  type EachSpec,
  type EachTaskSpec,
  type Immutable,
  type JobSpec,
  type ParallelSpec,
  type ParallelTaskSpec,
  type ScheduledJobSpec,
  type SubjobSpec,
  type SubjobTaskSpec,
  type TaskLike,
  type TaskSpec,
} from './job.ts';
export { cond, machine, retrier, state, type BuiltMachine, type BuiltState, type MachineSpec } from './machine.ts';
export { trigger, type BuiltTrigger, type ScheduledJobRef, type ScheduleOptions, type TriggerAction, type TriggerOptions, type WebhookOptions } from './trigger.ts';
