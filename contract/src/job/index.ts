export { parseCron, nextFiring, firingsBetween, isValidTimeZone, type CronSpec, type CronFields } from './cron.ts';
export { parseGoDuration, nanosToMillis, type Nanoseconds } from './duration.ts';
export { parseMemoryBytes, parseNanoCpus } from './units.ts';
export {
  autoDeleteSchema,
  jobDefaultsSchema,
  limitsSchema,
  mountSchema,
  permissionSchema,
  probeSchema,
  registrySchema,
  retrySchema,
  webhookSchema,
  MOUNT_TYPES,
  RESERVED_QUEUE_NAMES,
  WEBHOOK_EVENTS,
  MAX_RETRY_LIMIT,
  MAX_NAME_LENGTH,
} from './fields.ts';
export {
  auxTaskSchema,
  sidecarSchema,
  parallelSchema,
  eachSchema,
  subjobSchema,
  taskDocumentSchema,
  COMPOSITES,
  COMMAND_FIELDS,
  RUNTIMES,
  MAX_VAR_LENGTH,
  type TaskDocument,
  type TaskDocumentInput,
  type ParallelDocument,
  type EachDocument,
  type SubjobDocument,
} from './task.ts';
export {
  jobDocumentSchema,
  scheduledJobDocumentSchema,
  scheduleSchema,
  type JobDocument,
  type JobDocumentInput,
  type ScheduledJobDocument,
} from './job.ts';
export { parseJobDocument, parseScheduledJobDocument, parseTaskDocument } from './parse.ts';
export { evaluateTask, isSkipped, type TaskEvaluationError } from './evaluate.ts';
