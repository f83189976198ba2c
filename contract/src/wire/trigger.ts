/**
 * Triggers: persistent rules that start a job when something happens (research/twerk.md §3, where
 * they were stored but never fired). A trigger listens for an `event` name (sent to POST /events), a
 * webhook path (POST /hooks/{path}) or is fired by hand; its `job` is the document to run, and the
 * payload reaches the job's inputs.
 */
import { z } from '../zod.ts';
import { identifier, stringRecord, timestamp } from './common.ts';

const triggerName = z.string().trim().min(1, 'must not be blank').max(64);

const triggerFields = {
  name: triggerName,
  enabled: z.boolean(),
  event: z.string().trim().min(1).max(64).optional().describe('Fires on POST /events with this name.'),
  hookPath: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, 'must be letters, digits, "_", "." or "-"').optional().describe('Fires on POST /hooks/{hookPath}.'),
  condition: z.string().max(4096).optional().describe('An expression over `payload` and `event`; the trigger fires only when it is true.'),
  action: z.string().max(64).optional().describe('Twerk compatibility: a free-form label.'),
  job: z.record(z.string(), z.unknown()).describe('The job document to submit when the trigger fires.'),
  inputs: stringRecord.optional().describe('Templates evaluated against the event payload, merged into the job inputs.'),
  metadata: stringRecord.optional(),
};

export const triggerInputSchema = z
  .object({ id: z.string().regex(/^[\p{L}\p{N}_-]{3,64}$/u, 'must be 3–64 letters, digits, "_" or "-"').optional(), ...triggerFields, version: z.number().int().min(1).optional() })
  .strict()
  .openapi('TriggerInput', {
    example: { name: 'on deploy', enabled: true, event: 'deploy', job: { name: 'deploy', tasks: [{ name: 'roll out', image: 'alpine', run: 'echo $VERSION' }] }, inputs: { version: '{{ payload.version }}' } },
  });

export const triggerSchema = z
  .object({ id: identifier, ...triggerFields, version: z.number().int().min(1), createdAt: timestamp, updatedAt: timestamp, lastFiredAt: timestamp.optional() })
  .openapi('Trigger', {
    example: { id: 'on-deploy', name: 'on deploy', enabled: true, event: 'deploy', job: { name: 'deploy', tasks: [] }, version: 1, createdAt: '2026-11-22T10:00:00Z', updatedAt: '2026-11-22T10:00:00Z' },
  });

export const eventSchema = z
  .object({ name: z.string().trim().min(1).max(64), payload: z.record(z.string(), z.unknown()).optional() })
  .strict()
  .openapi('Event', { example: { name: 'deploy', payload: { version: '1.2.3' } } });

export const firedSchema = z
  .object({ jobs: z.array(z.object({ triggerId: identifier, jobId: identifier })) })
  .openapi('Fired', { description: 'The jobs an event or webhook started, one per matching trigger.', example: { jobs: [{ triggerId: 'on-deploy', jobId: 'j1' }] } });
