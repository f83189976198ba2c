/**
 * Validation entry points: a plain JS tree (from `readDocument`, or JSON from the SDK) in, a typed
 * document or every problem with its path out.
 */
import { contractError, type ContractError } from '../errors.ts';
import { err, ok, type Result } from '../result.ts';
import { issuesToFieldErrors } from '../zod-issues.ts';
import type { z } from '../zod.ts';
import { jobDocumentSchema, scheduledJobDocumentSchema, type JobDocument, type ScheduledJobDocument } from './job.ts';
import { compositeIssues, taskDocumentSchema, type TaskDocument } from './task.ts';
import { fieldError, type FieldError, type PathSegment } from '../errors.ts';

function isMapping(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The composite rules of every task in a raw tree, wherever tasks nest. */
function rawTaskIssues(task: unknown, path: PathSegment[], out: FieldError[]): void {
  if (!isMapping(task)) return;
  for (const issue of compositeIssues(task)) out.push(fieldError([...path, ...issue.path], issue.message));
  const nested = (list: unknown, at: PathSegment[]): void => {
    if (Array.isArray(list)) list.forEach((child, index) => rawTaskIssues(child, [...at, index], out));
  };
  if (isMapping(task['parallel'])) nested(task['parallel']['tasks'], [...path, 'parallel', 'tasks']);
  if (isMapping(task['each'])) rawTaskIssues(task['each']['task'], [...path, 'each', 'task'], out);
  if (isMapping(task['subjob'])) nested(task['subjob']['tasks'], [...path, 'subjob', 'tasks']);
}

function rawIssues(tree: Record<string, unknown>, what: string): FieldError[] {
  const out: FieldError[] = [];
  if (what === 'task') rawTaskIssues(tree, [], out);
  else if (Array.isArray(tree['tasks'])) tree['tasks'].forEach((task, index) => rawTaskIssues(task, ['tasks', index], out));
  return out;
}

function validate<T>(schema: z.ZodType<T, z.ZodTypeDef, unknown>, tree: unknown, what: string): Result<T, ContractError> {
  if (tree === null || typeof tree !== 'object' || Array.isArray(tree)) {
    return err(contractError([{ path: '', message: `a ${what} must be a mapping of fields` }]));
  }
  const parsed = schema.safeParse(tree);
  if (parsed.success) return ok(parsed.data);
  const errors = issuesToFieldErrors(parsed.error.issues, schema);
  const seen = new Set(errors.map((error) => `${error.path}\u0000${error.message}`));
  for (const extra of rawIssues(tree as Record<string, unknown>, what)) {
    if (!seen.has(`${extra.path}\u0000${extra.message}`)) errors.push(extra);
  }
  return err(contractError(errors));
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
