/**
 * The Twerk side: the corpus machine through Twerk's validator (`parseMachine`) and interpreter
 * (`runMachine`). Task states call the same stub as the reference's local handlers; waits and retry
 * delays use the interpreter's default, which does not wait (it moves a virtual clock forward).
 */
import { parseMachine, runMachine } from '@twerk/contract';
import type { Outcome } from './outcome.ts';
import type { TaskStub } from './stubs.ts';

export async function runTwerk(machine: unknown, input: unknown, stub: TaskStub, executionName: string): Promise<Outcome> {
  const parsed = parseMachine(machine);
  if (!parsed.ok) return { status: 'REJECTED', reason: parsed.error.errors.map((error) => `${error.path}: ${error.message}`).join('; ') };
  try {
    const outcome = await runMachine(parsed.value, structuredClone(input), { executionName, runTask: async (request) => stub.call(request.stateName, request.input) });
    if (outcome.status === 'SUCCEEDED') return { status: 'SUCCEEDED', output: outcome.output };
    return outcome.cause === undefined ? { status: 'FAILED', error: outcome.error } : { status: 'FAILED', error: outcome.error, cause: outcome.cause };
  } catch (error) {
    return { status: 'THREW', reason: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  }
}
