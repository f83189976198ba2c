/**
 * Task documents: the unit of execution (`research/tork.md` §1.2–1.6), strict like Tork's decoder,
 * plus Twerk's additions (`runtime`) and the retry backoff Tork documents. Composite tasks (`parallel`,
 * `each`, `subjob`) nest tasks to any depth the document budget allows.
 */
import { z, lazyRef } from '../zod.ts';
import {
  duration,
  expression,
  limitsSchema,
  mountSchema,
  outputTemplate,
  priority,
  probeSchema,
  queue,
  REDACTED_PLACEHOLDER,
  registrySchema,
  retrySchema,
  taskName,
  templated,
  templatedKeyMap,
  templatedMap,
  text,
  autoDeleteSchema,
  webhookSchema,
} from './fields.ts';

export const MAX_VAR_LENGTH = 64;
export const MAX_WORKDIR_LENGTH = 256;
export const MAX_EACH_CONCURRENCY = 99_999;
export const RUNTIMES = ['docker', 'podman', 'shell'] as const;

/** Fields shared by pre/post tasks, sidecars and regular tasks: what it takes to run one command. */
const commandShape = {
  name: taskName,
  description: text.optional(),
  image: templated.optional(),
  registry: registrySchema.optional(),
  cmd: z.array(templated).optional(),
  entrypoint: z.array(text).optional(),
  run: text.optional().describe('The script. Never evaluated: pass data through env or files.'),
  env: templatedMap.optional(),
  files: templatedKeyMap.optional().describe('Files written to the working directory: name → contents.'),
  timeout: duration.optional(),
};

/** `pre` and `post` tasks: they run on the same worker as their task, sharing its working directory. */
export const auxTaskSchema = z.object(commandShape).strict().openapi('AuxTask', {
  description: 'A pre or post task: runs before or after its task on the same worker.',
  example: { name: 'download', image: 'alpine:3.20', run: 'wget -O /data/in.mov "$URL"', env: { URL: '{{ inputs.source }}' } },
});

export const sidecarSchema = z
  .object({ ...commandShape, probe: probeSchema.optional() })
  .strict()
  .openapi('Sidecar', { description: 'A container started beside the task and removed after it.' });

const varName = templated.superRefine((value, ctx) => {
  if (value.length > MAX_VAR_LENGTH) ctx.addIssue({ code: 'custom', message: `must be at most ${MAX_VAR_LENGTH} characters long` });
});

const conditionText = expression.superRefine((value, ctx) => {
  const trimmed = value.trim();
  // Tork skips a task only when `if` evaluates to the text "false"; a bare expression without braces is
  // plain text, never "false", so the task would always run. That is almost certainly a mistake.
  if (!value.includes('{{') && trimmed !== 'true' && trimmed !== 'false') {
    ctx.addIssue({ code: 'custom', message: `"${value}" is plain text, so the task would always run: write an expression in braces, e.g. "{{ ${trimmed} }}"` });
  }
});

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The fields of a task other than the composites; the composites are added below with recursion. */
const taskFieldsSchema = z
  .object({
    ...commandShape,
    var: varName.optional().describe('Store the task result in the job context as tasks.<var>.'),
    queue: queue.optional(),
    priority: priority.optional(),
    if: conditionText.optional().describe('The task is skipped when this evaluates to false.'),
    retry: retrySchema.optional(),
    limits: limitsSchema.optional(),
    gpus: text.optional(),
    workdir: text.refine((value) => value.length <= MAX_WORKDIR_LENGTH, `must be at most ${MAX_WORKDIR_LENGTH} characters long`).optional(),
    mounts: z.array(mountSchema).optional(),
    networks: z.array(text).optional(),
    pre: z.array(auxTaskSchema).optional(),
    post: z.array(auxTaskSchema).optional(),
    sidecars: z.array(sidecarSchema).optional(),
    tags: z.array(text).optional(),
    runtime: z.enum(RUNTIMES).optional().describe("Overrides the worker's runtime for this task."),
  })
  .strict();

type TaskFields = z.output<typeof taskFieldsSchema>;
type TaskFieldsInput = z.input<typeof taskFieldsSchema>;

export interface ParallelDocument {
  readonly tasks: readonly TaskDocument[];
  readonly failFast?: boolean;
}
export interface EachDocument {
  readonly list: string | readonly unknown[];
  readonly var?: string;
  readonly concurrency?: number;
  readonly failFast?: boolean;
  readonly task: TaskDocument;
}
export interface SubjobDocument {
  readonly name: string;
  readonly description?: string;
  readonly tasks: readonly TaskDocument[];
  readonly inputs?: Readonly<Record<string, string>>;
  readonly secrets?: Readonly<Record<string, string>>;
  readonly autoDelete?: z.output<typeof autoDeleteSchema>;
  readonly output?: string;
  readonly detached?: boolean;
  readonly webhooks?: readonly z.output<typeof webhookSchema>[];
}

/** A task as validated: scalars normalised to text, defaults not yet applied. */
export interface TaskDocument extends TaskFields {
  readonly parallel?: ParallelDocument;
  readonly each?: EachDocument;
  readonly subjob?: SubjobDocument;
}

/** A task as a user may write it (numbers and booleans allowed where text is expected). */
export interface TaskDocumentInput extends TaskFieldsInput {
  readonly parallel?: { readonly tasks: readonly TaskDocumentInput[]; readonly failFast?: boolean };
  readonly each?: {
    readonly list: string | number | boolean | readonly unknown[];
    readonly var?: string;
    readonly concurrency?: number;
    readonly failFast?: boolean;
    readonly task: TaskDocumentInput;
  };
  readonly subjob?: {
    readonly name: string | number | boolean;
    readonly description?: string | number | boolean;
    readonly tasks: readonly TaskDocumentInput[];
    readonly inputs?: Readonly<Record<string, string | number | boolean>>;
    readonly secrets?: Readonly<Record<string, string | number | boolean>>;
    readonly autoDelete?: z.input<typeof autoDeleteSchema>;
    readonly output?: string | number | boolean;
    readonly detached?: boolean;
    readonly webhooks?: readonly z.input<typeof webhookSchema>[];
  };
}

const taskRef = lazyRef<TaskDocument>('TaskDocument', () => taskDocumentSchema as z.ZodType<TaskDocument>);

const failFast = z
  .boolean()
  .optional()
  .describe('true (the default): the first child that fails (after its retries) fails the task and stops the others. false: every child runs to its end, and the task then fails if any failed, naming them.');

export const parallelSchema = z
  .object({ tasks: z.array(taskRef).min(1), failFast })
  .strict()
  .openapi('Parallel', { description: 'Runs its tasks concurrently; completes when all complete.' });

export const eachSchema = z
  .object({
    list: z.union([z.array(z.unknown()), expression]).describe('An expression that evaluates to a list, e.g. "{{ fromJSON(inputs.items) }}", or a literal list.'),
    var: z
      .string()
      .regex(IDENTIFIER, 'must be a name made of letters, digits and "_" (it is used as {{ <var>.value }})')
      .max(MAX_VAR_LENGTH)
      .optional()
      .describe('The name of the current item in expressions (default "item").'),
    concurrency: z.number().int().min(0).max(MAX_EACH_CONCURRENCY).optional().describe('At most this many items run at once (0 = no limit).'),
    failFast,
    task: taskRef,
  })
  .strict()
  .openapi('Each', { description: 'Runs its task once per item of a list.' });

export const subjobSchema = z
  .object({
    name: taskName,
    description: text.optional(),
    tasks: z.array(taskRef).min(1),
    inputs: templatedMap.optional(),
    secrets: templatedMap.refine((map) => !Object.values(map).includes(REDACTED_PLACEHOLDER), `must not hold the redaction placeholder "${REDACTED_PLACEHOLDER}": send the real secrets`).optional(),
    autoDelete: autoDeleteSchema.optional(),
    output: outputTemplate.optional(),
    detached: z.boolean().optional().describe('Fire and forget: the task completes as soon as the sub-job starts.'),
    webhooks: z.array(webhookSchema).optional(),
  })
  .strict()
  .openapi('Subjob', { description: 'Runs another job; the task completes (or fails) with it unless detached.' });

export const COMPOSITES = ['parallel', 'each', 'subjob'] as const;

/**
 * Fields that describe running a command. A composite task runs no command of its own, so setting one
 * of them there is a mistake (Tork rejects the same list, §1.5; we add the rest of the command fields).
 */
export const COMMAND_FIELDS = [
  'image',
  'registry',
  'cmd',
  'entrypoint',
  'run',
  'env',
  'files',
  'queue',
  'pre',
  'post',
  'sidecars',
  'mounts',
  'networks',
  'retry',
  'limits',
  'gpus',
  'workdir',
  'timeout',
  'runtime',
] as const;

/**
 * The rules about which kind of task this is: one composite at most, no command fields on a composite,
 * something to run otherwise. They read only the task's own keys, so they also run on raw trees whose
 * other fields are invalid (zod skips refinements then), letting every problem be reported at once.
 */
export function compositeIssues(task: Readonly<Record<string, unknown>>): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = [];
  const composites = COMPOSITES.filter((key) => task[key] !== undefined);
  if (composites.length > 1) {
    issues.push({ path: [], message: `sets ${composites.join(' and ')}: a task can be only one of parallel, each or subjob (put them in separate tasks)` });
  }
  const composite = composites[0];
  if (composite !== undefined) {
    for (const field of COMMAND_FIELDS) {
      if (task[field] !== undefined) issues.push({ path: [field], message: `is not allowed on a ${composite} task, which runs no command of its own` });
    }
  } else if (task['run'] === undefined && task['cmd'] === undefined && task['image'] === undefined) {
    issues.push({ path: [], message: 'has nothing to run: set run, cmd or image (or make it a parallel, each or subjob task)' });
  }
  return issues;
}

export const taskDocumentSchema: z.ZodType<TaskDocument, z.ZodTypeDef, TaskDocumentInput> = taskFieldsSchema
  .extend({
    parallel: parallelSchema.optional(),
    each: eachSchema.optional(),
    subjob: subjobSchema.optional(),
  })
  .strict()
  .superRefine((task, ctx) => {
    for (const issue of compositeIssues(task)) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  })
  .openapi('TaskDocument', {
    description: 'A task as submitted. Exactly one of: a command (run/cmd/image), parallel, each, subjob.',
    example: { name: 'say hello', var: 'greeting', image: 'alpine:3.20', env: { NAME: '{{ inputs.name }}' }, run: 'echo -n "hello $NAME" > $TWERK_OUTPUT' },
  });

