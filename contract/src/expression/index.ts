export {
  checkExpression,
  checkTemplate,
  createEnvironment,
  eachBindings,
  eachItem,
  evaluateExpression,
  evaluateTemplate,
  hasTemplate,
  type Environment,
  type EvaluationOptions,
  type JobContext,
} from './expression.ts';
export { EVALUATION_LIMITS } from './budget.ts';
export { PARSE_LIMITS } from './parser.ts';
export type { ExpressionError } from './errors.ts';
export { formatGoFloat, formatValue, toGoJson } from './format.ts';
export { fromValue, kindOf, stringMap, toValue, ValueMap, type PlainValue, type Value, type ValueKind } from './value.ts';
