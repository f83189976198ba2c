/**
 * Validation entry points: a plain JS tree (from `readDocument`, or JSON from the SDK) in, a typed
 * document or every problem with its path out.
 */
import { contractError, type ContractError } from '../errors.ts';
import { err, ok, type Result } from '../result.ts';
import { issuesToFieldErrors } from '../zod-issues.ts';
import type { z } from '../zod.ts';
import { jobDocumentSchema, scheduledJobDocumentSchema, type JobDocument, type ScheduledJobDocument } from './job.ts';
import { taskDocumentSchema, type TaskDocument } from './task.ts';

function validate<T>(schema: z.ZodType<T, z.ZodTypeDef, unknown>, tree: unknown, what: string): Result<T, ContractError> {
  if (tree === null || typeof tree !== 'object' || Array.isArray(tree)) {
    return err(contractError([{ path: '', message: `a ${what} must be a mapping of fields` }]));
  }
  const parsed = schema.safeParse(tree);
  if (parsed.success) return ok(parsed.data);
  return err(contractError(issuesToFieldErrors(parsed.error.issues, schema)));
}

export function parseJobDocument(tree: unknown): Result<JobDocument, ContractError> {
  return validate(jobDocumentSchema, tree, 'job');
}

export function parseScheduledJobDocument(tree: unknown): Result<ScheduledJobDocument, ContractError> {
  return validate(scheduledJobDocumentSchema, tree, 'scheduled job');
}

export function parseTaskDocument(tree: unknown): Result<TaskDocument, ContractError> {
  return validate(taskDocumentSchema, tree, 'task');
}
