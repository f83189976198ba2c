/**
 * Payload templates — Parameters, ItemSelector, ResultSelector, Assign: JSON whose keys ending in `.$`
 * take their value from a path or an intrinsic call (the key loses its `.$`), at any depth, in objects
 * and in arrays. A path that matches nothing fails the execution with `States.Runtime`, which no
 * catcher takes — what Step Functions does today (its documentation still names
 * States.ParameterPathFailure), and what the independent interpreter of the differential test does.
 */
import { isIntrinsic, evaluateIntrinsic } from './intrinsics.ts';
import { readPath, type PathScope } from './json-path.ts';
import { StatesError } from './states-error.ts';

export function resolveDynamic(expression: unknown, scope: PathScope, where: string): unknown {
  if (typeof expression !== 'string') throw new StatesError('States.Runtime', `${where}: the value of a ".$" field must be a path or an intrinsic function, not ${JSON.stringify(expression)}`);
  if (isIntrinsic(expression)) return evaluateIntrinsic(expression, scope);
  const read = readPath(expression, scope);
  if (!read.found) throw new StatesError('States.Runtime', `${where}: the JSONPath ${expression} could not be found in the input`);
  return read.value;
}

export function applyPayload(template: unknown, scope: PathScope, where: string): unknown {
  if (Array.isArray(template)) return template.map((item) => applyPayload(item, scope, where));
  if (template === null || typeof template !== 'object') return template;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(template)) {
    if (key.endsWith('.$')) out[key.slice(0, -2)] = resolveDynamic(value, scope, `${where}.${key}`);
    else out[key] = applyPayload(value, scope, `${where}.${key}`);
  }
  return out;
}
