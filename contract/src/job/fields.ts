/**
 * Field schemas shared by jobs, tasks and scheduled jobs. Each carries the validation rule of Tork
 * (`research/tork.md` §4.3) or Twerk for that field, with a message that reads after the field's path.
 */
import { checkExpression, checkTemplate } from '../expression/index.ts';
import { z } from '../zod.ts';
import { parseGoDuration } from './duration.ts';
import { parseMemoryBytes, parseNanoCpus } from './units.ts';

/**
 * A string field that also takes a YAML/JSON number or boolean, as Tork and Twerk users write
 * `env: { PORT: 8080 }` or `if: false`; the value is kept as text.
 */
export const text = z
  .union([z.string(), z.number(), z.boolean()], {
    errorMap: (_issue, ctx) => ({ message: ctx.data === undefined ? 'is required' : 'must be a string' }),
  })
  .transform((value) => String(value));

export const stringMap = z.record(z.string(), text);

/** What the API shows instead of a secret; sent back as a value it would silently replace the real one. */
export const REDACTED_PLACEHOLDER = '[REDACTED]';

/** Secret values: any text except the redaction placeholder (a copy of a job read back from the API). */
export const secretMap = z.record(
  z.string(),
  text.refine((value) => value !== REDACTED_PLACEHOLDER, `is the redaction placeholder "${REDACTED_PLACEHOLDER}": send the real secret`),
);

/** A string evaluated with `{{ … }}` templates: every template in it must be a valid expression. */
export const templated = text.superRefine((value, ctx) => {
  const checked = checkTemplate(value);
  if (!checked.ok) ctx.addIssue({ code: 'custom', message: `has an invalid expression: ${checked.error.message}` });
});

export const templatedMap = z.record(z.string(), templated);

/** A field evaluated as one expression (`if`, `each.list`, `output`, webhook `if`): it must compile. */
export const expression = text.superRefine((value, ctx) => {
  const checked = checkExpression(value);
  if (!checked.ok) ctx.addIssue({ code: 'custom', message: `is not a valid expression: ${checked.error.message}` });
});

/** `output` and similar: a template, valid as a whole. */
export const outputTemplate = templated;

export const MAX_NAME_LENGTH = 256;

function nameRule(value: string, ctx: z.RefinementCtx): void {
  if (value.trim() === '') ctx.addIssue({ code: 'custom', message: 'must not be blank' });
  else if (value.length > MAX_NAME_LENGTH) ctx.addIssue({ code: 'custom', message: `must be at most ${MAX_NAME_LENGTH} characters long` });
}

/** A job's name: plain text (it is not evaluated). */
export const jobName = text.superRefine(nameRule);
/** A task's name: evaluated, so it may hold templates such as `process {{ item.value }}`. */
export const taskName = templated.superRefine(nameRule);

/** A map whose keys and values are both evaluated (Twerk evaluates `files` names and bodies). */
export const templatedKeyMap = z.record(
  z.string().superRefine((key, ctx) => {
    const checked = checkTemplate(key);
    if (!checked.ok) ctx.addIssue({ code: 'custom', message: `has an invalid expression in its name: ${checked.error.message}` });
  }),
  templated,
);

function durationField(options: { allowZero: boolean }) {
  return text.superRefine((value, ctx) => {
    const parsed = parseGoDuration(value);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.error });
    else if (parsed.value < 0n || (!options.allowZero && parsed.value === 0n)) {
      ctx.addIssue({ code: 'custom', message: `must be ${options.allowZero ? 'zero or more' : 'more than zero'}` });
    }
  });
}

/** A Go duration (`90s`, `1h30m`) that must be positive: timeouts, auto-delete delays. */
export const duration = durationField({ allowZero: false }).openapi({ type: 'string', example: '90s', description: 'A Go duration such as "90s", "5m" or "1h30m".' });
/** A Go duration that may be zero: retry delays. */
export const delay = durationField({ allowZero: true }).openapi({ type: 'string', example: '5s', description: 'A Go duration such as "5s" or "1m".' });

/**
 * Queue names the coordinator uses itself (Tork's list) and the `x-` prefix Tork reserves for
 * private queues; a task routed there would never be picked up by a worker.
 */
export const RESERVED_QUEUE_NAMES: readonly string[] = ['pending', 'started', 'completed', 'error', 'jobs', 'heartbeat', 'logs', 'progress', 'redeliveries'];
const QUEUE_NAME = /^[A-Za-z0-9_.\-/]{1,128}$/;

export const queue = templated.superRefine((value, ctx) => {
  if (value.startsWith('x-')) ctx.addIssue({ code: 'custom', message: `"${value}" is reserved: queue names starting with "x-" are private to the engine` });
  else if (RESERVED_QUEUE_NAMES.includes(value)) ctx.addIssue({ code: 'custom', message: `"${value}" is reserved for the coordinator; choose another queue name` });
  else if (!value.includes('{{') && !QUEUE_NAME.test(value)) {
    ctx.addIssue({ code: 'custom', message: `"${value}" is not a valid queue name: use up to 128 letters, digits, "_", "-", "." or "/"` });
  }
});

/** 0–9 like Tork (RabbitMQ priorities): higher numbers are taken first. */
export const priority = z.number().int().min(0).max(9).describe('0–9; higher runs first');

export const limitsSchema = z
  .object({
    cpus: text
      .superRefine((value, ctx) => {
        const parsed = parseNanoCpus(value);
        if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.error });
      })
      .optional(),
    memory: text
      .superRefine((value, ctx) => {
        const parsed = parseMemoryBytes(value);
        if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.error });
      })
      .optional(),
  })
  .strict()
  .openapi('TaskLimits', { description: 'Resource limits: CPUs as a decimal ("0.5"), memory with binary units ("512m", "2g").', example: { cpus: '0.5', memory: '256m' } });

export const MAX_RETRY_LIMIT = 10;

/**
 * Retries with the backoff Tork documents (and removed): attempt n waits
 * `min(initialDelay × scalingFactor^(n−1), maxDelay)`.
 */
export const retrySchema = z
  .object({
    limit: z.number().int().min(1).max(MAX_RETRY_LIMIT).describe('How many times a failed task is retried (1–10).'),
    initialDelay: delay.optional(),
    scalingFactor: z.number().min(1).max(10).optional().describe('Multiplies the delay after each attempt (1–10, default 2).'),
    maxDelay: delay.optional(),
  })
  .strict()
  .superRefine((retry, ctx) => {
    if (retry.initialDelay !== undefined && retry.maxDelay !== undefined) {
      const initial = parseGoDuration(retry.initialDelay);
      const max = parseGoDuration(retry.maxDelay);
      if (initial.ok && max.ok && max.value < initial.value) {
        ctx.addIssue({ code: 'custom', path: ['maxDelay'], message: `must not be shorter than initialDelay (${retry.initialDelay})` });
      }
    }
  })
  .openapi('TaskRetry', { example: { limit: 3, initialDelay: '5s', scalingFactor: 2, maxDelay: '1m' } });

export const registrySchema = z
  .object({ username: text, password: text })
  .strict()
  .openapi('Registry', { description: 'Credentials for pulling the image from a private registry.' });

const MOUNT_PATH = /^[-/.0-9a-zA-Z_= ]+$/;
const RESERVED_MOUNT_TARGETS = ['/tork', '/twerk'];

export const MOUNT_TYPES = ['volume', 'bind', 'tmpfs'] as const;

export const mountSchema = z
  .object({
    type: z.string().min(1).describe('volume, bind, tmpfs, or a custom mount type registered by a worker'),
    source: z.string().optional(),
    target: z.string().optional(),
    opts: z.record(z.string(), text).optional(),
  })
  .strict()
  .superRefine((mount, ctx) => {
    const known = (MOUNT_TYPES as readonly string[]).includes(mount.type);
    if (!known) return; // custom mount types are validated by the worker that provides them
    if (mount.target === undefined || mount.target === '') ctx.addIssue({ code: 'custom', path: ['target'], message: `is required for a ${mount.type} mount` });
    if (mount.type === 'bind' && (mount.source === undefined || mount.source === '')) ctx.addIssue({ code: 'custom', path: ['source'], message: 'is required for a bind mount' });
    if ((mount.type === 'volume' || mount.type === 'tmpfs') && mount.source !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['source'], message: `must not be set for a ${mount.type} mount` });
    }
    for (const key of ['source', 'target'] as const) {
      const value = mount[key];
      if (value !== undefined && value !== '' && !MOUNT_PATH.test(value)) ctx.addIssue({ code: 'custom', path: [key], message: `"${value}" contains characters not allowed in a mount path` });
    }
    if (mount.target !== undefined && RESERVED_MOUNT_TARGETS.includes(mount.target.replace(/\/+$/, ''))) {
      ctx.addIssue({ code: 'custom', path: ['target'], message: `"${mount.target}" is reserved for the engine` });
    }
  })
  .openapi('Mount', { example: { type: 'volume', target: '/data' } });

export const WEBHOOK_EVENTS = [
  'job.StateChange',
  'job.Progress',
  'task.StateChange',
  'task.Progress',
  // Twerk's specific events
  'job.Scheduled',
  'job.Completed',
  'job.Failed',
  'job.Cancelled',
  'task.Started',
  'task.Completed',
  'task.Failed',
] as const;

export const webhookSchema = z
  .object({
    url: templated.superRefine((value, ctx) => {
      if (value.includes('{{')) return; // evaluated later; checked for syntax above
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        ctx.addIssue({ code: 'custom', message: `"${value}" is not a URL` });
        return;
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') ctx.addIssue({ code: 'custom', message: 'must be an http or https URL' });
    }),
    headers: templatedMap.optional(),
    event: z.enum(WEBHOOK_EVENTS).optional().describe('Defaults to job.StateChange.'),
    if: expression.optional(),
  })
  .strict()
  .openapi('Webhook', { example: { url: 'https://example.com/hooks/twerk', event: 'job.StateChange', if: "{{ job.State == 'COMPLETED' }}" } });

export const permissionSchema = z
  .object({ role: z.string().min(1).optional(), user: z.string().min(1).optional() })
  .strict()
  .superRefine((permission, ctx) => {
    if ((permission.role === undefined) === (permission.user === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'must name exactly one of role or user' });
    }
  })
  .openapi('Permission', { example: { role: 'ops' } });

export const autoDeleteSchema = z
  .object({ after: duration })
  .strict()
  .openapi('AutoDelete', { description: 'Delete the job this long after it completes.', example: { after: '24h' } });

export const probeSchema = z
  .object({
    path: z.string().min(1).max(256).optional(),
    port: z.number().int().min(1).max(65535),
    timeout: duration.optional(),
  })
  .strict()
  .openapi('Probe', { description: 'HTTP readiness probe of a sidecar.', example: { path: '/health', port: 8080, timeout: '30s' } });

export const jobDefaultsSchema = z
  .object({
    retry: retrySchema.optional(),
    limits: limitsSchema.optional(),
    timeout: duration.optional(),
    queue: queue.optional(),
    priority: priority.optional(),
  })
  .strict()
  .openapi('JobDefaults', { description: 'Applied to every task that does not set the field itself.', example: { retry: { limit: 2 }, timeout: '10m', priority: 3 } });
