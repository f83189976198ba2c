/** Scheduled jobs (research/tork.md §1.10). */
import { z } from '../zod.ts';
import { identifier, stringRecord, timestamp } from './common.ts';
import { userSchema } from './job.ts';

const summaryShape = {
  id: identifier,
  createdBy: userSchema.optional(),
  inputs: stringRecord.optional(),
  state: z.enum(['ACTIVE', 'PAUSED']),
  name: z.string(),
  description: z.string().optional(),
  tags: z.array(z.string()).optional(),
  createdAt: timestamp,
  cron: z.string(),
  timezone: z.string().optional(),
  nextRunAt: timestamp.optional(),
};

export const scheduledJobSummarySchema = z.object(summaryShape).openapi('ScheduledJobSummary', {
  example: { id: 's1', name: 'nightly', state: 'ACTIVE', createdAt: '2026-11-22T10:00:00Z', cron: '0 2 * * *' },
});

export const scheduledJobSchema = z
  .object({
    ...summaryShape,
    tasks: z.array(z.record(z.string(), z.unknown())),
    defaults: z.record(z.string(), z.unknown()).optional(),
    autoDelete: z.object({ after: z.string() }).optional(),
    webhooks: z.array(z.record(z.string(), z.unknown())).optional(),
    permissions: z.array(z.record(z.string(), z.unknown())).optional(),
    secrets: stringRecord.optional().describe('Values are "[REDACTED]".'),
    output: z.string().optional(),
  })
  .openapi('ScheduledJob', { example: { id: 's1', name: 'nightly', state: 'ACTIVE', createdAt: '2026-11-22T10:00:00Z', cron: '0 2 * * *', tasks: [{ name: 'backup', image: 'postgres:15', run: 'pg_dump mydb' }] } });
