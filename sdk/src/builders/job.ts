/**
 * Native jobs in code: `job`, `task`, `parallel`, `each`, `subjob` and `scheduledJob`. The spec types
 * are the contract's own input types, narrowed so that the editor completes every field and the compiler
 * refuses what the contract would refuse anyway: unknown keys, a task with nothing to run, two
 * composites on one task, command fields on a composite, a missing name. What types cannot say
 * (expression syntax, durations, cron) the contract checks when the builder runs.
 */
import {
  parseJobDocument,
  parseScheduledJobDocument,
  parseTaskDocument,
  type COMMAND_FIELDS,
  type ContractError,
  type JobDocument,
  type JobDocumentInput,
  type Result,
  type ScheduledJobDocument,
  type TaskDocument,
  type TaskDocumentInput,
} from '@twerk/contract';
import type { z } from 'zod';
import type { scheduledJobDocumentSchema } from '@twerk/contract';
import { seal, TwerkBuildError, type Built } from './built.ts';

type CompositeKey = 'parallel' | 'each' | 'subjob';
type CommandField = (typeof COMMAND_FIELDS)[number];
/** Keys that must stay absent: `?: never` makes setting them a compile error. */
type Forbid<Key extends PropertyKey> = { readonly [K in Key]?: never };

/** The contract's input types with readonly arrays and fields, so `as const` data and shared constants fit. */
export type Immutable<T> = T extends readonly (infer Item)[] ? readonly Immutable<Item>[] : T extends object ? { readonly [K in keyof T]: Immutable<T[K]> } : T;

export type BuiltTask = Built<TaskDocument, 'task'>;
export type BuiltJob = Built<JobDocument, 'job'>;
export type BuiltScheduledJob = Built<ScheduledJobDocument, 'scheduled-job'>;

/** A task where tasks are expected: one written inline, or one made by a builder. */
export type TaskLike = TaskSpec | BuiltTask;

type TaskFields = Immutable<Omit<TaskDocumentInput, CompositeKey>>;

/** A task that runs a command: it needs `run`, `cmd` or `image`. */
export type CommandTaskSpec = TaskFields &
  Forbid<CompositeKey> &
  ({ readonly run: string } | { readonly cmd: readonly string[] } | { readonly image: string });

/** What a composite task may set besides its composite: it runs no command, so no command fields. */
export type CompositeOptions = Omit<TaskFields, CommandField | 'name'>;
type CompositeBase<Key extends CompositeKey> = CompositeOptions & { readonly name: string } & Forbid<CommandField | Exclude<CompositeKey, Key>>;

export interface ParallelSpec {
  readonly tasks: readonly TaskLike[];
  readonly failFast?: boolean;
}
export type EachSpec = Immutable<Omit<NonNullable<TaskDocumentInput['each']>, 'task'>> & { readonly task: TaskLike };
export type SubjobSpec = Immutable<Omit<NonNullable<TaskDocumentInput['subjob']>, 'tasks'>> & { readonly tasks: readonly TaskLike[] };

export type ParallelTaskSpec = CompositeBase<'parallel'> & { readonly parallel: ParallelSpec };
export type EachTaskSpec = CompositeBase<'each'> & { readonly each: EachSpec };
export type SubjobTaskSpec = CompositeBase<'subjob'> & { readonly subjob: SubjobSpec };

/** Any task, in the shape of the YAML document. */
export type TaskSpec = CommandTaskSpec | ParallelTaskSpec | EachTaskSpec | SubjobTaskSpec;

/** A job to submit; one with a schedule is a `scheduledJob`. */
export type JobSpec = Immutable<Omit<JobDocumentInput, 'tasks' | 'schedule'>> & { readonly tasks: readonly TaskLike[] };
export type ScheduledJobSpec = Immutable<Omit<z.input<typeof scheduledJobDocumentSchema>, 'tasks'>> & { readonly tasks: readonly TaskLike[] };

function built<Document extends object, Kind extends string>(what: string, result: Result<Document, ContractError>): Built<Document, Kind> {
  if (!result.ok) throw new TwerkBuildError(what, result.error);
  return seal<Document, Kind>(result.value);
}

/** A plain tree of the spec, nested built parts included, for the contract to validate. */
function tree(spec: object): unknown {
  return JSON.parse(JSON.stringify(spec)) as unknown;
}

/** One task of any kind, validated on its own (paths in errors start at the task). */
export function task(spec: TaskSpec): BuiltTask {
  return built<TaskDocument, 'task'>(`task "${String(spec.name)}"`, parseTaskDocument(tree(spec)));
}

/**
 * A task that runs `tasks` concurrently: `parallel('fan out', [a, b])`, or with the block as in YAML,
 * `parallel('fan out', { tasks: [a, b], failFast: false })`.
 */
export function parallel(name: string, block: readonly TaskLike[] | ParallelSpec, options: CompositeOptions = {}): BuiltTask {
  const body: ParallelSpec = isTaskList(block) ? { tasks: block } : block;
  return task({ name, ...options, parallel: body });
}

function isTaskList(block: readonly TaskLike[] | ParallelSpec): block is readonly TaskLike[] {
  return Array.isArray(block);
}

/** A task that runs `block.task` once per item of `block.list` (the YAML `each:` block). */
export function each(name: string, block: EachSpec, options: CompositeOptions = {}): BuiltTask {
  return task({ name, ...options, each: block });
}

/** A task that runs another job (the YAML `subjob:` block) and completes with it unless `detached`. */
export function subjob(name: string, block: SubjobSpec, options: CompositeOptions = {}): BuiltTask {
  return task({ name, ...options, subjob: block });
}

/** A whole job, validated as `POST /jobs` would validate it. */
export function job(spec: JobSpec): BuiltJob {
  return built<JobDocument, 'job'>(`job "${String(spec.name)}"`, parseJobDocument(tree(spec)));
}

/** A job run on a cron schedule (`POST /scheduled-jobs`): `schedule: { cron, timezone? }` or Twerk's `cron`. */
export function scheduledJob(spec: ScheduledJobSpec): BuiltScheduledJob {
  return built<ScheduledJobDocument, 'scheduled-job'>(`scheduled job "${String(spec.name)}"`, parseScheduledJobDocument(tree(spec)));
}
