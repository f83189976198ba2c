/**
 * Creating, replacing and deleting triggers, with Twerk's rules (research/twerk.md §3.1): ids of 3–64
 * letters, digits, `_` or `-` (a short id when none is given), optimistic `version`s on replace, and
 * error kinds beside the messages. Unlike Twerk, triggers persist, an existing id is a conflict, and
 * the job a trigger starts is validated when the trigger is stored.
 */
import { classifyDocument, nextFiring, type FieldError, type TriggerInput } from '@twerk/contract';
import { transact, type CoordinatorDeps } from '../coordinator/session.ts';
import { databaseNow, getScheduledJob } from '../datastore/scheduled-jobs.ts';
import { newId } from '../datastore/ids.ts';
import { deleteTrigger, insertTrigger, lockTrigger, replaceTrigger, type TriggerDefinition, type TriggerRecord } from '../datastore/triggers.ts';
import { cronSpecOf } from '../scheduler/scheduled-jobs.ts';

export type TriggerErrorKind = 'ValidationFailed' | 'IdMismatch' | 'TriggerNotFound' | 'VersionConflict' | 'IdTaken' | 'HookPathTaken';

export type StoreOutcome =
  | { readonly ok: true; readonly trigger: TriggerRecord }
  | { readonly ok: false; readonly kind: TriggerErrorKind; readonly message: string; readonly errors?: readonly FieldError[] };

function definitionOf(input: TriggerInput): TriggerDefinition {
  const { id: _id, version: _version, secret: _secret, ...definition } = input;
  return definition;
}

/** The job (or machine) a trigger starts must be valid now, not at its first firing. */
function checkAction(input: TriggerInput): StoreOutcome | undefined {
  if (input.job === undefined) return undefined;
  const parsed = classifyDocument(input.job);
  if (parsed.ok) return undefined;
  const errors = parsed.error.errors.map((error) => ({ path: error.path === '' ? 'job' : `job.${error.path}`, message: error.message }));
  return { ok: false, kind: 'ValidationFailed', message: `${errors[0]?.path ?? 'job'}: ${errors[0]?.message ?? parsed.error.message}`, errors };
}

function isUniqueViolation(error: unknown, constraint: string): boolean {
  const failure = error as { code?: string; constraint?: string; message?: string } | null;
  return failure?.code === '23505' && (failure.constraint === constraint || (failure.message ?? '').includes(constraint));
}

async function nextTick(deps: CoordinatorDeps, definition: TriggerDefinition): Promise<Date | null> {
  if (definition.cron === undefined || !definition.enabled) return null;
  return nextFiring(cronSpecOf(definition.cron, definition.timezone ?? null), await databaseNow(deps.db)) ?? null;
}

async function guardUniques<T>(work: () => Promise<T>): Promise<T | StoreOutcome> {
  try {
    return await work();
  } catch (error) {
    if (isUniqueViolation(error, 'triggers_pkey')) return { ok: false, kind: 'IdTaken', message: 'a trigger with this id exists' };
    if (isUniqueViolation(error, 'triggers_hook_path_key')) return { ok: false, kind: 'HookPathTaken', message: 'another trigger has this hookPath', errors: [{ path: 'hookPath', message: 'is taken by another trigger' }] };
    throw error;
  }
}

export async function createTrigger(deps: CoordinatorDeps, input: TriggerInput): Promise<StoreOutcome> {
  const invalid = checkAction(input) ?? (await missingScheduledJob(deps, input));
  if (invalid !== undefined) return invalid;
  const definition = definitionOf(input);
  const next = await nextTick(deps, definition);
  return guardUniques(async () => ({ ok: true as const, trigger: await insertTrigger(deps.db, input.id ?? newId().slice(0, 22), definition, input.secret ?? null, next) }));
}

/** Replaces a trigger; `version`, when given, must be the stored one (0 is never a stored version). */
export async function updateTrigger(deps: CoordinatorDeps, id: string, input: TriggerInput): Promise<StoreOutcome> {
  if (input.id !== undefined && input.id !== id) return { ok: false, kind: 'IdMismatch', message: 'id mismatch', errors: [{ path: 'id', message: `is "${input.id}", but the path names "${id}"` }] };
  if (input.version === 0) return { ok: false, kind: 'VersionConflict', message: 'stale version supplied' };
  const invalid = checkAction(input) ?? (await missingScheduledJob(deps, input));
  if (invalid !== undefined) return invalid;
  const definition = definitionOf(input);
  const next = await nextTick(deps, definition);
  return guardUniques(() =>
    transact(deps, async (s): Promise<StoreOutcome> => {
      const stored = await lockTrigger(s.tx, id);
      if (stored === undefined) return { ok: false, kind: 'TriggerNotFound', message: id };
      if (input.version !== undefined && input.version !== stored.version) return { ok: false, kind: 'VersionConflict', message: 'stale version supplied' };
      return { ok: true, trigger: await replaceTrigger(s.tx, id, definition, input.secret ?? null, next) };
    }),
  );
}

async function missingScheduledJob(deps: CoordinatorDeps, input: TriggerInput): Promise<StoreOutcome | undefined> {
  if (input.scheduledJobId === undefined || (await getScheduledJob(deps.db, input.scheduledJobId)) !== undefined) return undefined;
  return { ok: false, kind: 'ValidationFailed', message: `scheduledJobId: no scheduled job ${input.scheduledJobId}`, errors: [{ path: 'scheduledJobId', message: `names no scheduled job` }] };
}

export async function removeTrigger(deps: CoordinatorDeps, id: string): Promise<boolean> {
  return deleteTrigger(deps.db, id);
}
