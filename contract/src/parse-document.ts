/**
 * The one entry point for documents arriving from outside (HTTP bodies, files, the CLI): read the bytes
 * under the parser contract, tell a native job from a state machine, validate it, and return a typed
 * document or every problem with its path. Never throws.
 */
import { isMachineDocument, parseMachine, type Machine } from './asl/index.ts';
import { readDocument } from './document/index.ts';
import { contractError, type ContractError } from './errors.ts';
import { parseJobDocument, type JobDocument } from './job/index.ts';
import { err, ok, type Result } from './result.ts';

export type ParsedDocument = { readonly family: 'job'; readonly job: JobDocument } | { readonly family: 'machine'; readonly machine: Machine };

export function parseDocument(body: Uint8Array | string, contentType?: string): Result<ParsedDocument, ContractError> {
  const tree = readDocument(body, contentType);
  if (!tree.ok) return tree;
  return classifyDocument(tree.value);
}

/** For trees that are already data (the SDK's JSON, a stored document): validate as a job or a machine. */
export function classifyDocument(tree: unknown): Result<ParsedDocument, ContractError> {
  if (tree === null || typeof tree !== 'object' || Array.isArray(tree)) {
    return err(contractError([{ path: '', message: 'a document must be a mapping: a job (name, tasks) or a state machine (startAt, states)' }]));
  }
  if (isMachineDocument(tree)) {
    const machine = parseMachine(tree);
    return machine.ok ? ok({ family: 'machine', machine: machine.value }) : machine;
  }
  const job = parseJobDocument(tree);
  return job.ok ? ok({ family: 'job', job: job.value }) : job;
}
