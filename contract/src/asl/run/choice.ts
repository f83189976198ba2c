/**
 * Choice rules. AWS comparisons follow the ASL spec: a comparison of values of different types is
 * false (not an error); timestamps compare as instants; `StringMatches` takes `*` as a wildcard and `\*`
 * and `\\` as escapes; `…Path` twins compare with another value of the input. A Variable that matches
 * nothing is an error, except for `IsPresent`. Twerk's dialect writes a condition as an expression of
 * our expression language, with `$` bound to the state's input and `$$` to the context object.
 */
import { createEnvironment, evaluateExpression } from '../../expression/index.ts';
import type { ChoiceCondition } from '../model.ts';
import { readPath, type PathScope } from './json-path.ts';
import { StatesError } from './states-error.ts';

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

export function timestampOf(value: unknown): number | undefined {
  if (typeof value !== 'string' || !RFC3339.test(value)) return undefined;
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : time;
}

function wildcardMatch(pattern: string, text: string): boolean {
  let regex = '^';
  for (let index = 0; index < pattern.length; index += 1) {
    const char = pattern[index]!;
    if (char === '\\' && (pattern[index + 1] === '*' || pattern[index + 1] === '\\')) {
      regex += `\\${pattern[index + 1]}`;
      index += 1;
    } else if (char === '*') regex += '[\\s\\S]*';
    else regex += char.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`${regex}$`).test(text);
}

function compare(operator: string, left: unknown, right: unknown): boolean {
  const kind = /^(String|Numeric|Boolean|Timestamp)/.exec(operator)?.[1];
  const test = operator.replace(/^(String|Numeric|Boolean|Timestamp)/, '');
  let a: string | number | boolean;
  let b: string | number | boolean;
  switch (kind) {
    case 'String':
      if (typeof left !== 'string' || typeof right !== 'string') return false;
      if (test === 'Matches') return wildcardMatch(right, left);
      [a, b] = [left, right];
      break;
    case 'Numeric':
      if (typeof left !== 'number' || typeof right !== 'number') return false;
      [a, b] = [left, right];
      break;
    case 'Boolean':
      return typeof left === 'boolean' && typeof right === 'boolean' && left === right;
    case 'Timestamp': {
      const [x, y] = [timestampOf(left), timestampOf(right)];
      if (x === undefined || y === undefined) return false;
      [a, b] = [x, y];
      break;
    }
    default:
      throw new StatesError('States.Runtime', `unknown comparison ${operator}`);
  }
  switch (test) {
    case 'Equals':
      return a === b;
    case 'LessThan':
      return a < b;
    case 'GreaterThan':
      return a > b;
    case 'LessThanEquals':
      return a <= b;
    case 'GreaterThanEquals':
      return a >= b;
    default:
      throw new StatesError('States.Runtime', `unknown comparison ${operator}`);
  }
}

function typeTest(operator: string, present: boolean, value: unknown): boolean {
  switch (operator) {
    case 'IsPresent':
      return present;
    case 'IsNull':
      return present && value === null;
    case 'IsNumeric':
      return present && typeof value === 'number';
    case 'IsString':
      return present && typeof value === 'string';
    case 'IsBoolean':
      return present && typeof value === 'boolean';
    case 'IsTimestamp':
      return present && timestampOf(value) !== undefined;
    default:
      throw new StatesError('States.Runtime', `unknown comparison ${operator}`);
  }
}

function truthy(value: unknown): boolean {
  return value === true;
}

export function evaluateCondition(condition: ChoiceCondition, scope: PathScope): boolean {
  switch (condition.kind) {
    case 'and':
      return condition.conditions.every((inner) => evaluateCondition(inner, scope));
    case 'or':
      return condition.conditions.some((inner) => evaluateCondition(inner, scope));
    case 'not':
      return !evaluateCondition(condition.condition, scope);
    case 'expression': {
      const environment = createEnvironment({}, { $: scope.input, $$: scope.context, ...Object.fromEntries(scope.variables) });
      const result = evaluateExpression(condition.text, environment);
      if (!result.ok) throw new StatesError('States.Runtime', `the condition "${condition.text}" failed: ${result.error.message}`);
      return truthy(result.value);
    }
    case 'compare': {
      const read = readPath(condition.variable, scope);
      if (condition.operator.startsWith('Is')) return typeTest(condition.operator, read.found, read.found ? read.value : undefined) === condition.value;
      if (!read.found) throw new StatesError('States.Runtime', `Invalid path ${condition.variable}: the choice state's condition path references an invalid value`);
      let expected = condition.value;
      let operator = condition.operator;
      if (operator.endsWith('Path')) {
        operator = operator.slice(0, -4);
        const other = readPath(String(condition.value), scope);
        if (!other.found) throw new StatesError('States.Runtime', `Invalid path ${String(condition.value)}: the choice state's condition path references an invalid value`);
        expected = other.value;
      }
      return compare(operator, read.value, expected);
    }
  }
}
