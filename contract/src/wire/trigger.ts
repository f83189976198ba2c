/**
 * Triggers: persistent rules that start a job when something happens (research/twerk.md §3, where
 * they were stored but never fired). A trigger listens for an `event` name (sent to POST /events), a
 * webhook path (POST /hooks/{path}) or is fired by hand; its `job` is the document to run, and the
 * payload reaches the job's inputs.
 */
import { z } from '../zod.ts';
import { parseCron } from '../job/cron.ts';
import { expression } from '../job/fields.ts';
import { identifier, stringRecord, timestamp } from './common.ts';

const triggerName = z.string().trim().min(1, 'must not be blank').max(64);

const triggerFields = {
  name: triggerName,
  enabled: z.boolean({ required_error: 'enabled is required' }),
  event: z.string().trim().min(1, 'must not be blank').max(64).optional().describe('Fires on POST /events with this event name.'),
  hookPath: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, 'must be letters, digits, "_", "." or "-"')
    .optional()
    .describe('Fires on POST /hooks/{hookPath}; one trigger per path. Needs `secret`.'),
  secret: z
    .string()
    .min(16, 'must be at least 16 characters')
    .max(256)
    .optional()
    .describe('The inbound webhook\'s shared secret: callers sign the body (`X-Twerk-Signature: sha256=<hex HMAC-SHA256>`, or GitHub\'s `X-Hub-Signature-256`) or send it as a token (`Authorization: Bearer <secret>`). Never shown again: reads answer "[REDACTED]".'),
  cron: z.string().min(1).max(256).optional().describe('Fires on this cron schedule (5 fields, or 6 with seconds first).'),
  timezone: z.string().min(1).max(64).optional().describe('IANA time zone of `cron` (default UTC).'),
  condition: expression.optional().describe('An expression over `payload` and `event`; the trigger fires only when it is true.'),
  action: z.string().trim().min(1, 'must not be blank').max(64).optional().describe('Twerk compatibility: a free-form label.'),
  job: z.record(z.string(), z.unknown()).optional().describe('What to start: a job document, or a state machine (whose input is the payload).'),
  scheduledJobId: z.string().min(1).max(64).optional().describe('What to start, instead of `job`: the document of this stored scheduled job.'),
  inputs: stringRecord.optional().describe('Templates evaluated against the payload, merged over the payload\'s own fields into the job\'s inputs (or a machine\'s input).'),
  metadata: z
    .record(z.string().min(1, 'metadata key must be non-empty ASCII').regex(/^[\x20-\x7e]+$/, 'metadata key must be non-empty ASCII'), z.string())
    .optional(),
};

export const triggerInputSchema = z
  .object({ id: z.string().regex(/^[\p{L}\p{N}_-]{3,64}$/u, 'must be 3–64 letters, digits, "_" or "-"').optional(), ...triggerFields, version: z.number().int().min(0).optional() })
  .strict()
  .superRefine((trigger, ctx) => {
    if (trigger.job !== undefined && trigger.scheduledJobId !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['scheduledJobId'], message: 'names a second thing to start: give job or scheduledJobId, not both' });
    }
    if (trigger.hookPath !== undefined && trigger.secret === undefined) {
      ctx.addIssue({ code: 'custom', path: ['secret'], message: 'is required with hookPath: an inbound webhook must be signed or carry a token' });
    }
    if (trigger.timezone !== undefined && trigger.cron === undefined) {
      ctx.addIssue({ code: 'custom', path: ['timezone'], message: 'needs cron: a time zone is the time zone of a cron schedule' });
    }
    if (trigger.cron !== undefined) {
      const parsed = parseCron(trigger.cron, trigger.timezone);
      if (!parsed.ok) ctx.addIssue({ code: 'custom', path: ['cron'], message: parsed.error });
    }
  })
  .openapi('TriggerInput', {
    example: { name: 'on deploy', enabled: true, event: 'deploy', job: { name: 'deploy', tasks: [{ name: 'roll out', image: 'alpine', run: 'echo $VERSION' }] }, inputs: { version: '{{ payload.version }}' } },
  });

export const triggerSchema = z
  .object({
    id: identifier,
    ...triggerFields,
    secret: z.literal('[REDACTED]').optional(),
    version: z.number().int().min(1),
    createdAt: timestamp,
    updatedAt: timestamp,
    lastFiredAt: timestamp.optional(),
    nextRunAt: timestamp.optional().describe('The next cron tick, for an enabled cron trigger.'),
  })
  .openapi('Trigger', {
    example: { id: 'on-deploy', name: 'on deploy', enabled: true, event: 'deploy', job: { name: 'deploy', tasks: [] }, version: 1, createdAt: '2026-11-22T10:00:00Z', updatedAt: '2026-11-22T10:00:00Z' },
  });

export const eventSchema = z
  .object({ name: z.string().trim().min(1).max(64), payload: z.record(z.string(), z.unknown()).optional() })
  .strict()
  .openapi('Event', { example: { name: 'deploy', payload: { version: '1.2.3' } } });

export const firedSchema = z
  .object({
    jobs: z.array(z.object({ triggerId: identifier, jobId: identifier, duplicate: z.boolean().optional().describe('This idempotency key had fired already: the job is the one it started then.') })),
    skipped: z.array(z.object({ triggerId: identifier, reason: z.string() })).optional().describe('Triggers that matched but did not start a job, and why.'),
  })
  .openapi('Fired', { description: 'The jobs an event or webhook started, one per matching trigger.', example: { jobs: [{ triggerId: 'on-deploy', jobId: 'j1' }] } });

export const FIRING_SOURCES = ['event', 'webhook', 'cron', 'manual'] as const;

export const firingSchema = z
  .object({
    id: identifier,
    triggerId: identifier,
    firedAt: timestamp,
    source: z.enum(FIRING_SOURCES),
    jobId: identifier.optional().describe('The job it started.'),
    reason: z.string().optional().describe('Why it started nothing.'),
    idempotencyKey: z.string().optional(),
  })
  .openapi('Firing', { description: 'One time a trigger was asked to fire.', example: { id: 'f1', triggerId: 'on-deploy', firedAt: '2026-11-22T10:00:00Z', source: 'event', jobId: 'j1' } });

export type TriggerInput = z.output<typeof triggerInputSchema>;
