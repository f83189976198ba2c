/**
 * The public face of the expression language: `{{ … }}` templates and single expressions, evaluated
 * against a job context exactly as Tork evaluates them (research/tork.md §3), by our own parser and
 * interpreter. Nothing here throws; nothing here uses eval, Function or vm.
 */
import { err, ok, type Result } from '../result.ts';
import type { Node } from './ast.ts';
import { Budget, EVALUATION_LIMITS } from './budget.ts';
import { expressionError, type ExpressionError } from './errors.ts';
import { Evaluator } from './evaluate.ts';
import { formatValue } from './format.ts';
import { parseExpression } from './parser.ts';
import { EvaluationFailure } from './runtime.ts';
import { stringMap, toValue, ValueMap, type Value } from './value.ts';

/**
 * Tork's template pattern `{{\s*(.+?)\s*}}` in Go RE2 terms: `\s` is ASCII whitespace only and `.`
 * stops at a newline, so an expression must fit on one line and the first `}}` closes it.
 */
const TEMPLATE = /\{\{[\t\n\f\r ]*([^\n]+?)[\t\n\f\r ]*\}\}/g;

export interface Environment {
  readonly bindings: ReadonlyMap<string, Value>;
}

/** Tork's job context: four string maps, whose missing keys read as `""`. */
export interface JobContext {
  readonly inputs?: Readonly<Record<string, string>>;
  readonly secrets?: Readonly<Record<string, string>>;
  readonly tasks?: Readonly<Record<string, string>>;
  readonly job?: Readonly<Record<string, string>>;
}

/**
 * The names an expression can see: `inputs`, `secrets`, `tasks`, `job` (always present, possibly empty,
 * as in Tork) plus `extra` bindings such as an each-loop's `item: { index: "0", value: … }`.
 */
export function createEnvironment(context: JobContext = {}, extra: Readonly<Record<string, unknown>> = {}): Environment {
  const bindings = new Map<string, Value>([
    ['inputs', stringMap(context.inputs)],
    ['secrets', stringMap(context.secrets)],
    ['tasks', stringMap(context.tasks)],
    ['job', stringMap(context.job)],
  ]);
  for (const [name, value] of Object.entries(extra)) bindings.set(name, toValue(value));
  return { bindings };
}

/** The loop variable Tork binds inside `each`: the index is a decimal string, the value as listed. */
export function eachItem(index: number, value: unknown): ValueMap {
  return new ValueMap(new Map<string, Value>([['index', String(index)], ['value', toValue(value)]]));
}

/**
 * Every name an each-loop's child can use for its item: Tork's `<var>.index` / `<var>.value`, and the
 * flat names of Twerk's examples — `<var>_index`, `<var>_value` and, for an object item,
 * `<var>_value_<key>` per field — so documents written for either engine run unchanged.
 */
export function eachBindings(variable: string, index: number, value: unknown): Record<string, unknown> {
  const item = eachItem(index, value);
  const bindings: Record<string, unknown> = { [variable]: item, [`${variable}_index`]: String(index), [`${variable}_value`]: item.get('value') };
  const itemValue = item.get('value');
  if (itemValue instanceof ValueMap) {
    for (const [key, field] of itemValue.entries) bindings[`${variable}_value_${key}`] = field;
  }
  return bindings;
}

export interface EvaluationOptions {
  /** Uniform random numbers in [0, 1) for randomInt/mathRandom; defaults to Math.random. */
  readonly random?: () => number;
  readonly limits?: typeof EVALUATION_LIMITS;
}

/** Whether `text` contains at least one `{{ … }}` template. */
export function hasTemplate(text: string): boolean {
  return templateBodies(text).length > 0;
}

interface TemplateMatch {
  readonly start: number;
  readonly end: number;
  readonly body: string;
}

function templateBodies(text: string): TemplateMatch[] {
  return [...text.matchAll(TEMPLATE)].map((match) => ({ start: match.index, end: match.index + match[0].length, body: match[1]! }));
}

/** Tork's sanitizeExpr: the first template's body when there is one, otherwise the whole text. */
function expressionSource(text: string): string {
  return templateBodies(text)[0]?.body ?? text;
}

/**
 * Parsed expressions by source text. The same templates are evaluated over and over (every item of an
 * each-loop, every retry), and a parse is most of the cost of a simple lookup. Bounded: when full it is
 * simply cleared, which keeps it correct and cheap without LRU bookkeeping.
 */
const PARSE_CACHE_SIZE = 1024;
const parseCache = new Map<string, Result<Node, ExpressionError>>();

function parse(source: string): Result<Node, ExpressionError> {
  const cached = parseCache.get(source);
  if (cached !== undefined) return cached;
  const parsed = parseExpression(source);
  const result: Result<Node, ExpressionError> = 'type' in parsed ? ok(parsed) : err(parsed);
  if (parseCache.size >= PARSE_CACHE_SIZE) parseCache.clear();
  parseCache.set(source, result);
  return result;
}

function run<T>(source: string, work: () => T): Result<T, ExpressionError> {
  try {
    return ok(work());
  } catch (caught) {
    if (caught instanceof EvaluationFailure) return err(expressionError(caught.message, source, undefined, caught.kind));
    if (caught instanceof RangeError) return err(expressionError('expression needs too much memory or nesting to evaluate', source, undefined, 'budget'));
    throw caught;
  }
}

function evaluator(environment: Environment, options: EvaluationOptions, budget: Budget): Evaluator {
  return new Evaluator(environment.bindings, { budget, random: options.random ?? Math.random });
}

function evaluateSource(source: string, environment: Environment, options: EvaluationOptions, budget: Budget): Result<Value, ExpressionError> {
  const parsed = parse(source);
  if (!parsed.ok) return parsed;
  const interpreter = evaluator(environment, options, budget);
  return run(source, () => {
    interpreter.checkNames(parsed.value);
    return interpreter.evaluate(parsed.value, undefined);
  });
}

/**
 * Evaluates one expression to a typed value, like Tork's EvaluateExpr (used for `each.list` and
 * webhook `if`): the first `{{ … }}` body if there is one, otherwise the whole text.
 */
export function evaluateExpression(text: string, environment: Environment, options: EvaluationOptions = {}): Result<Value, ExpressionError> {
  return evaluateSource(expressionSource(text), environment, options, new Budget(options.limits));
}

/** Replaces every `{{ … }}` in `text` with its value in Go's `%v` form, like Tork's EvaluateTemplate. */
export function evaluateTemplate(text: string, environment: Environment, options: EvaluationOptions = {}): Result<string, ExpressionError> {
  const budget = new Budget(options.limits);
  let out = '';
  let position = 0;
  for (const match of templateBodies(text)) {
    const value = evaluateSource(match.body, environment, options, budget);
    if (!value.ok) return value;
    out += text.slice(position, match.start) + formatValue(value.value);
    position = match.end;
    const limit = (options.limits ?? EVALUATION_LIMITS).maxStringLength;
    if (out.length > limit) return err(expressionError(`the rendered text is longer than ${limit} characters`, match.body, undefined, 'budget'));
  }
  return ok(out + text.slice(position));
}

/** Whether an expression field (`if`, `each.list`) is well-formed, checked without a context. */
export function checkExpression(text: string): Result<void, ExpressionError> {
  return hasTemplate(text) ? checkTemplate(text) : voided(parse(text));
}

/** Whether every `{{ … }}` in a templated field is a well-formed expression. */
export function checkTemplate(text: string): Result<void, ExpressionError> {
  for (const match of templateBodies(text)) {
    const parsed = parse(match.body);
    if (!parsed.ok) return parsed;
  }
  return ok(undefined);
}

function voided(result: Result<unknown, ExpressionError>): Result<void, ExpressionError> {
  return result.ok ? ok(undefined) : result;
}
