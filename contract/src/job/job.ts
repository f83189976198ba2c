/**
 * Job documents (`research/tork.md` §1.1, `research/twerk.md` §5.7) and scheduled-job documents
 * (§1.10, Twerk §5.5): what `POST /jobs` and `POST /scheduled-jobs` accept, strictly.
 */
import { z } from '../zod.ts';
import { parseCron } from './cron.ts';
import {
  autoDeleteSchema,
  duration,
  jobDefaultsSchema,
  jobName,
  outputTemplate,
  permissionSchema,
  secretMap,
  stringMap,
  text,
  webhookSchema,
} from './fields.ts';
import { taskDocumentSchema } from './task.ts';

function cronIssue(cron: string, timezone: string | undefined, ctx: z.RefinementCtx, path: (string | number)[]): void {
  const parsed = parseCron(cron, timezone);
  if (!parsed.ok) ctx.addIssue({ code: 'custom', path, message: parsed.error });
}

export const scheduleSchema = z
  .object({
    cron: text.describe('5 fields (minute hour day-of-month month day-of-week), 6 with seconds first, or a descriptor like "@daily".'),
    timezone: text.optional().describe('An IANA time zone; the default is UTC.'),
  })
  .strict()
  .superRefine((schedule, ctx) => cronIssue(schedule.cron, schedule.timezone, ctx, ['cron']))
  .openapi('Schedule', { example: { cron: '0 2 * * *', timezone: 'Europe/Paris' } });

const jobShape = {
  name: jobName,
  description: text.optional(),
  tags: z.array(text).optional(),
  inputs: stringMap.optional().describe('Non-sensitive values, read as {{ inputs.<key> }}.'),
  secrets: secretMap.optional().describe('Sensitive values, read as {{ secrets.<key> }}; redacted wherever the job is shown.'),
  defaults: jobDefaultsSchema.optional(),
  tasks: z.array(taskDocumentSchema).min(1),
  output: outputTemplate.optional().describe('Evaluated when the job completes; becomes the job result.'),
  webhooks: z.array(webhookSchema).optional(),
  permissions: z.array(permissionSchema).optional(),
  autoDelete: autoDeleteSchema.optional(),
};

export const jobDocumentSchema = z
  .object({
    ...jobShape,
    schedule: scheduleSchema.optional().describe('Accepted for documents shared with /scheduled-jobs; submit there to run on a schedule.'),
    wait: z
      .object({ timeout: duration })
      .strict()
      .optional()
      .describe('Tork: block the submission until the job ends or the timeout passes.'),
  })
  .strict()
  .openapi('JobDocument', {
    description: 'A native job: tasks run in order.',
    example: {
      name: 'hello job',
      inputs: { name: 'world' },
      output: '{{ tasks.greeting }}',
      tasks: [{ name: 'say hello', var: 'greeting', env: { NAME: '{{ inputs.name }}' }, run: 'echo -n "hello $NAME" > $TWERK_OUTPUT' }],
    },
  });

export type JobDocument = z.output<typeof jobDocumentSchema>;
export type JobDocumentInput = z.input<typeof jobDocumentSchema>;

/** A scheduled job names its cron either as `schedule: {cron}` (Tork) or `cron:` (Twerk), not both. */
export const scheduledJobDocumentSchema = z
  .object({
    ...jobShape,
    schedule: scheduleSchema.optional(),
    cron: text.optional().describe('Twerk spelling of schedule.cron.'),
  })
  .strict()
  .superRefine((job, ctx) => {
    if (job.schedule !== undefined && job.cron !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['cron'], message: 'duplicates schedule.cron: give the cron expression once' });
    } else if (job.schedule === undefined && job.cron === undefined) {
      ctx.addIssue({ code: 'custom', path: ['schedule'], message: 'is required: a scheduled job needs schedule.cron' });
    } else if (job.cron !== undefined) {
      cronIssue(job.cron, undefined, ctx, ['cron']);
    }
  })
  .openapi('ScheduledJobDocument', {
    description: 'A job run on a cron schedule.',
    example: { name: 'nightly report', schedule: { cron: '0 2 * * *' }, tasks: [{ name: 'report', run: 'echo report' }] },
  });

export type ScheduledJobDocument = z.output<typeof scheduledJobDocumentSchema>;
