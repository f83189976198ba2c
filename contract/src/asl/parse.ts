/** Entry points: tell a machine from a job, and turn either dialect into the validated model. */
import { contractError, type ContractError } from '../errors.ts';
import { err, ok, type Result } from '../result.ts';
import { issuesToFieldErrors } from '../zod-issues.ts';
import { awsMachineSchema } from './aws-dialect.ts';
import type { Machine, MachineDialect } from './model.ts';
import { fromAws, fromTwerk } from './normalize.ts';
import { twerkMachineSchema } from './twerk-dialect.ts';
import { validateMachine } from './validate.ts';

function isMapping(tree: unknown): tree is Record<string, unknown> {
  return tree !== null && typeof tree === 'object' && !Array.isArray(tree);
}

/** The dialect a document is written in, or undefined when it is not a state machine (a job has `tasks`). */
export function machineDialectOf(tree: unknown): MachineDialect | undefined {
  if (!isMapping(tree)) return undefined;
  if ('States' in tree || 'StartAt' in tree) return 'aws';
  if ('states' in tree || 'startAt' in tree) return 'twerk';
  return undefined;
}

export function isMachineDocument(tree: unknown): boolean {
  return machineDialectOf(tree) !== undefined;
}

export function parseMachine(tree: unknown): Result<Machine, ContractError> {
  const dialect = machineDialectOf(tree);
  if (dialect === undefined) return err(contractError([{ path: '', message: 'a state machine must be a mapping with startAt and states (or StartAt and States)' }]));
  const schema = dialect === 'aws' ? awsMachineSchema : twerkMachineSchema;
  const parsed = schema.safeParse(tree);
  if (!parsed.success) return err(contractError(issuesToFieldErrors(parsed.error.issues, schema)));
  const machine = dialect === 'aws' ? fromAws(parsed.data as never) : fromTwerk(parsed.data as never);
  const errors = validateMachine(machine);
  return errors.length === 0 ? ok(machine) : err(contractError(errors));
}
