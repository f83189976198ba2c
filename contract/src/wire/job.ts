/** Jobs and tasks as the API returns them (research/tork.md §1.1–1.2, §1.12). */
import { autoDeleteSchema, jobDefaultsSchema, mountSchema, probeSchema, webhookSchema } from '../job/index.ts';
import { z } from '../zod.ts';
import { identifier, stringRecord, timestamp } from './common.ts';

export const JOB_STATES = ['PENDING', 'SCHEDULED', 'RUNNING', 'CANCELLED', 'COMPLETED', 'FAILED', 'RESTART'] as const;
export const TASK_STATES = ['CREATED', 'PENDING', 'SCHEDULED', 'RUNNING', 'CANCELLED', 'STOPPED', 'COMPLETED', 'FAILED', 'SKIPPED'] as const;

export const jobStateSchema = z.enum(JOB_STATES).openapi('JobState');
export const taskStateSchema = z.enum(TASK_STATES).openapi('TaskState');

export const userSchema = z
  .object({ id: identifier, name: z.string().optional(), username: z.string(), createdAt: timestamp.optional(), disabled: z.boolean().optional(), roles: z.array(z.string()).optional().describe('Role slugs.') })
  .openapi('User', { description: 'A user. Passwords and their hashes are never returned.', example: { id: 'u1', name: 'Ada', username: 'ada', createdAt: '2026-11-22T10:00:00Z' } });

export const roleSchema = z
  .object({ id: identifier, slug: z.string(), name: z.string(), createdAt: timestamp.optional() })
  .openapi('Role', { example: { id: 'r1', slug: 'public', name: 'Public', createdAt: '2026-11-22T10:00:00Z' } });

export const permissionViewSchema = z.object({ user: userSchema.optional(), role: roleSchema.optional() }).openapi('PermissionView');

export const jobContextSchema = z
  .object({ job: stringRecord.optional(), inputs: stringRecord.optional(), secrets: stringRecord.optional().describe('Values are "[REDACTED]".'), tasks: stringRecord.optional() })
  .openapi('JobContext', { description: 'What expressions see: inputs, secrets (redacted here), task results by var, and the job.' });

const taskRecordShape = {
  id: identifier,
  jobId: identifier,
  parentId: identifier.optional(),
  position: z.number().int().min(0).optional(),
  name: z.string().optional(),
  description: z.string().optional(),
  state: taskStateSchema,
  createdAt: timestamp.optional(),
  scheduledAt: timestamp.optional(),
  startedAt: timestamp.optional(),
  completedAt: timestamp.optional(),
  failedAt: timestamp.optional(),
  cmd: z.array(z.string()).optional(),
  entrypoint: z.array(z.string()).optional(),
  run: z.string().optional(),
  image: z.string().optional(),
  registry: z.object({ username: z.string().optional(), password: z.string().optional().describe('Always "[REDACTED]".') }).optional(),
  env: stringRecord.optional(),
  files: stringRecord.optional(),
  queue: z.string().optional(),
  redelivered: z.number().int().optional(),
  error: z.string().optional(),
  exitCode: z.number().int().optional(),
  mounts: z.array(mountSchema).optional(),
  networks: z.array(z.string()).optional(),
  nodeId: z.string().optional(),
  retry: z.object({ limit: z.number().int(), attempts: z.number().int().optional(), initialDelay: z.string().optional(), scalingFactor: z.number().optional(), maxDelay: z.string().optional() }).optional(),
  limits: z.object({ cpus: z.string().optional(), memory: z.string().optional() }).optional(),
  timeout: z.string().optional(),
  result: z.string().optional(),
  var: z.string().optional(),
  if: z.string().optional(),
  parallel: z.object({ tasks: z.array(z.record(z.string(), z.unknown())), completions: z.number().int().optional() }).optional(),
  each: z
    .object({ var: z.string().optional(), list: z.unknown(), task: z.record(z.string(), z.unknown()), size: z.number().int().optional(), completions: z.number().int().optional(), concurrency: z.number().int().optional(), index: z.number().int().optional() })
    .optional(),
  subjob: z.record(z.string(), z.unknown()).optional(),
  pre: z.array(z.record(z.string(), z.unknown())).optional(),
  post: z.array(z.record(z.string(), z.unknown())).optional(),
  sidecars: z.array(z.record(z.string(), z.unknown())).optional(),
  gpus: z.string().optional(),
  tags: z.array(z.string()).optional(),
  workdir: z.string().optional(),
  runtime: z.enum(['docker', 'podman', 'shell']).optional(),
  priority: z.number().int().min(0).max(9).optional(),
  progress: z.number().min(0).max(100).optional(),
  probe: probeSchema.optional(),
};

export const taskSchema = z.object(taskRecordShape).openapi('Task', {
  description: 'A task record: one run of a task, with its templates evaluated and secrets redacted.',
  example: { id: 't1', jobId: 'j1', position: 1, name: 'say hello', state: 'COMPLETED', image: 'alpine:3.20', run: 'echo hello', result: 'hello', createdAt: '2026-11-22T10:00:00Z' },
});

export const taskSummarySchema = taskSchema
  .pick({ id: true, jobId: true, position: true, progress: true, name: true, description: true, state: true, createdAt: true, scheduledAt: true, startedAt: true, completedAt: true, error: true, exitCode: true, result: true, var: true, tags: true })
  .openapi('TaskSummary', { description: 'A task without its definition: the task webhook payload.' });

const jobSummaryShape = {
  id: identifier,
  createdBy: userSchema.optional(),
  parentId: identifier.optional(),
  inputs: stringRecord.optional(),
  name: z.string(),
  description: z.string().optional(),
  tags: z.array(z.string()).optional(),
  state: jobStateSchema,
  createdAt: timestamp,
  startedAt: timestamp.optional(),
  completedAt: timestamp.optional(),
  failedAt: timestamp.optional(),
  position: z.number().int().min(0),
  taskCount: z.number().int().min(0).optional(),
  result: z.string().optional(),
  error: z.string().optional(),
  progress: z.number().min(0).max(100).optional(),
  schedule: z.object({ id: identifier, cron: z.string().optional() }).optional(),
};

export const jobSummarySchema = z.object(jobSummaryShape).openapi('JobSummary', {
  description: 'A job without its tasks: returned by POST /jobs and the job list, and the job webhook payload.',
  example: { id: 'j1', name: 'hello world', state: 'PENDING', createdAt: '2026-11-22T10:00:00Z', position: 0, taskCount: 1 },
});

export const jobSchema = z
  .object({
    ...jobSummaryShape,
    tasks: z.array(z.record(z.string(), z.unknown())).describe('The task definitions as submitted, templates unevaluated.'),
    execution: z.array(taskSchema).describe('Every task record of the job, by position then start time.'),
    context: jobContextSchema.optional(),
    output: z.string().optional(),
    defaults: jobDefaultsSchema.optional(),
    webhooks: z.array(webhookSchema).optional(),
    permissions: z.array(permissionViewSchema).optional(),
    autoDelete: autoDeleteSchema.optional(),
    deleteAt: timestamp.optional(),
    secrets: stringRecord.optional().describe('Values are "[REDACTED]".'),
  })
  .openapi('Job', {
    description: 'A job with its definition, its task records and its context (secrets redacted).',
    example: { id: 'j1', name: 'hello world', state: 'COMPLETED', createdAt: '2026-11-22T10:00:00Z', position: 1, taskCount: 1, tasks: [{ name: 'hi', image: 'alpine', run: 'echo hi' }], execution: [], result: 'hi' },
  });

export const taskLogPartSchema = z
  .object({ id: identifier, number: z.number().int().min(1), taskId: identifier, contents: z.string(), createdAt: timestamp })
  .openapi('TaskLogPart', { description: 'A chunk of a task\'s output, secrets redacted.', example: { id: 'l1', number: 1, taskId: 't1', contents: 'hello\n', createdAt: '2026-11-22T10:00:01Z' } });
