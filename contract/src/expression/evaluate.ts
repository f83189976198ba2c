/**
 * A tree-walking interpreter over the parsed expression. All work is charged to a Budget; every
 * failure is an EvaluationFailure, turned into an ExpressionError at the public entry points.
 */
import type { Node } from './ast.ts';
import type { Budget } from './budget.ts';
import { BUILTINS, UNSUPPORTED_BUILTINS, type CallContext } from './builtins.ts';
import { formatValue } from './format.ts';
import { PREDICATE_BUILTINS } from './parser.ts';
import { arithmetic, compare, equal, fail, fetch, membership, slice, toInt, truth, typeName } from './runtime.ts';
import { isArray, isNumber, ValueMap, wrapInt, type Value } from './value.ts';
import { RE2JS } from 're2js';

/** Lexical bindings: `let` names and the current predicate element (`#`, `#index`, `#acc`). */
interface Scope {
  readonly parent?: Scope;
  readonly name?: string;
  readonly value?: Value;
  readonly element?: { readonly item: Value; readonly index: bigint; readonly acc?: Value };
}

/** Thrown by `?.` on nil and caught by the enclosing chain, which then yields nil. */
class NilChain {}
const NIL_CHAIN = new NilChain();

const REGEX_CACHE_SIZE = 64;

export class Evaluator {
  private readonly globals: ReadonlyMap<string, Value>;
  private readonly budget: Budget;
  private readonly context: CallContext;
  private readonly regexes = new Map<string, RE2JS>();

  constructor(globals: ReadonlyMap<string, Value>, context: CallContext) {
    this.globals = globals;
    this.budget = context.budget;
    this.context = context;
  }

  /** Like expr's compile step against an environment: every free name must exist in it. */
  checkNames(node: Node, bound: ReadonlySet<string> = new Set()): void {
    switch (node.type) {
      case 'identifier':
        if (!bound.has(node.name) && !this.globals.has(node.name) && node.name !== '$env') fail(`unknown name ${node.name}`);
        return;
      case 'call':
        if (!BUILTINS.has(node.name) && !PREDICATE_BUILTINS.has(node.name)) {
          if (UNSUPPORTED_BUILTINS.has(node.name)) fail(`the function ${node.name}() is not supported`);
          fail(this.globals.has(node.name) ? `${node.name} is not a function` : `unknown func ${node.name}`);
        }
        for (const arg of node.args) this.checkNames(arg, bound);
        return;
      case 'let':
        // expr refuses to shadow anything already named: a variable, a builtin or an environment name.
        if (bound.has(node.name) || BUILTINS.has(node.name) || PREDICATE_BUILTINS.has(node.name) || this.globals.has(node.name)) fail(`cannot redeclare ${node.name}`);
        this.checkNames(node.value, bound);
        this.checkNames(node.body, new Set([...bound, node.name]));
        return;
      case 'member':
        // `$env.name` is checked like a bare name: the environment's keys are known up front.
        if (node.object.type === 'identifier' && node.object.name === '$env' && !bound.has('$env') && node.property.type === 'string' && !this.globals.has(node.property.value)) {
          fail(`unknown name ${node.property.value}`);
        }
        for (const child of children(node)) this.checkNames(child, bound);
        return;
      default:
        for (const child of children(node)) this.checkNames(child, bound);
    }
  }

  evaluate(node: Node, scope: Scope | undefined): Value {
    this.budget.charge();
    switch (node.type) {
      case 'nil':
        return null;
      case 'bool':
      case 'int':
      case 'float':
      case 'string':
        return node.value;
      case 'identifier':
        return this.lookup(node.name, scope);
      case 'pointer':
        return this.pointer(node.name, scope);
      case 'unary':
        return this.unary(node.operator, this.evaluate(node.operand, scope));
      case 'binary':
        return this.binary(node, scope);
      case 'member': {
        const object = this.evaluate(node.object, scope);
        if (object === null && node.optional) throw NIL_CHAIN;
        return fetch(object, this.evaluate(node.property, scope));
      }
      case 'chain':
        try {
          return this.evaluate(node.node, scope);
        } catch (caught) {
          if (caught === NIL_CHAIN) return null;
          throw caught;
        }
      case 'slice':
        return slice(
          this.evaluate(node.object, scope),
          node.from === undefined ? undefined : this.evaluate(node.from, scope),
          node.to === undefined ? undefined : this.evaluate(node.to, scope),
        );
      case 'call':
        return this.call(node.name, node.args, scope);
      case 'methodCall':
        return fail(`method ${node.name} is not defined on ${typeName(this.evaluate(node.object, scope))}`);
      case 'predicate':
        return fail('a predicate can only be an argument of a builtin such as filter or map');
      case 'array': {
        this.budget.items(node.items.length, 'array');
        return node.items.map((item) => this.evaluate(item, scope));
      }
      case 'map': {
        const entries = new Map<string, Value>();
        for (const [keyNode, valueNode] of node.pairs) {
          const key = this.evaluate(keyNode, scope);
          if (typeof key !== 'string') return fail(`a map key must be a string, not ${typeName(key)}`);
          const value = this.evaluate(valueNode, scope);
          if (!entries.has(key)) entries.set(key, value); // expr keeps the first of duplicate keys
        }
        return new ValueMap(entries);
      }
      case 'conditional':
        return truth(this.evaluate(node.condition, scope), 'the condition')
          ? this.evaluate(node.then, scope)
          : this.evaluate(node.otherwise, scope);
      case 'let':
        return this.evaluate(node.body, { parent: scope, name: node.name, value: this.evaluate(node.value, scope) });
      case 'sequence': {
        let last: Value = null;
        for (const child of node.nodes) last = this.evaluate(child, scope);
        return last;
      }
    }
  }

  private lookup(name: string, scope: Scope | undefined): Value {
    for (let current = scope; current; current = current.parent) {
      if (current.name === name) return current.value ?? null;
    }
    if (name === '$env') return new ValueMap(this.globals);
    const value = this.globals.get(name);
    return value === undefined ? fail(`unknown name ${name}`) : value;
  }

  private pointer(name: string, scope: Scope | undefined): Value {
    for (let current = scope; current; current = current.parent) {
      const element = current.element;
      if (element === undefined) continue;
      if (name === '') return element.item;
      if (name === 'index') return element.index;
      if (name === 'acc') return element.acc === undefined ? fail('#acc is only defined inside reduce') : element.acc;
      return fail(`unknown pointer #${name}`);
    }
    return fail('# is only defined inside a predicate');
  }

  private unary(operator: string, operand: Value): Value {
    switch (operator) {
      case 'not':
        return !truth(operand, 'the operand of not');
      case '-':
        if (typeof operand === 'bigint') return wrapInt(-operand);
        if (typeof operand === 'number') return -operand;
        return fail(`invalid operation: -${typeName(operand)}`);
      case '+':
        return isNumber(operand) ? operand : fail(`invalid operation: +${typeName(operand)}`);
      default:
        return fail(`unknown unary operator ${operator}`);
    }
  }

  private binary(node: Extract<Node, { type: 'binary' }>, scope: Scope | undefined): Value {
    const { operator } = node;
    if (operator === 'and' || operator === '&&' || operator === 'or' || operator === '||') return this.logical(node, operator === 'and' || operator === '&&', scope);
    if (operator === '??') {
      const left = this.evaluate(node.left, scope);
      return left === null ? this.evaluate(node.right, scope) : left;
    }
    const left = this.evaluate(node.left, scope);
    const right = this.evaluate(node.right, scope);
    switch (operator) {
      case '==':
        return equal(left, right);
      case '!=':
        return !equal(left, right);
      case '<':
        return compare(left, right, operator) < 0;
      case '>':
        return compare(left, right, operator) > 0;
      case '<=':
        return compare(left, right, operator) <= 0;
      case '>=':
        return compare(left, right, operator) >= 0;
      case 'in':
        return membership(left, right);
      case 'contains':
      case 'startsWith':
      case 'endsWith':
        if (left === null || right === null) return false;
        if (typeof left !== 'string' || typeof right !== 'string') return fail(`invalid operation: ${operator} (mismatched types ${typeName(left)} and ${typeName(right)})`);
        return operator === 'contains' ? left.includes(right) : operator === 'startsWith' ? left.startsWith(right) : left.endsWith(right);
      case 'matches':
        if (typeof left !== 'string' || typeof right !== 'string') return fail(`invalid operation: matches (mismatched types ${typeName(left)} and ${typeName(right)})`);
        return this.regex(right).matcher(left).find();
      case '..': {
        if (!isNumber(left) || !isNumber(right)) return fail(`invalid operation: .. (mismatched types ${typeName(left)} and ${typeName(right)})`);
        // Floats (from data) truncate toward zero, as Go's runtime converts them.
        const [from, to] = [toInt(left, 'a range bound'), toInt(right, 'a range bound')];
        if (from > to) return [];
        this.budget.items(to - from + 1n, 'range');
        const out: Value[] = [];
        for (let value = from; value <= to; value += 1n) out.push(value);
        return out;
      }
      default: {
        const result = arithmetic(operator, left, right);
        if (typeof result === 'string') this.budget.text(result.length, 'the joined string');
        return result;
      }
    }
  }

  /**
   * `and`/`or` as expr compiles them: a literal operand is folded away first (`x && false` is false
   * without evaluating x, `x && true` is x), and at run time only the left operand must be a bool —
   * the right one is the result as it is.
   */
  private logical(node: Extract<Node, { type: 'binary' }>, isAnd: boolean, scope: Scope | undefined): Value {
    if (node.right.type === 'bool') {
      if (node.right.value !== isAnd) return node.right.value;
      return this.evaluate(node.left, scope);
    }
    if (node.left.type === 'bool') {
      if (node.left.value !== isAnd) return node.left.value;
      return this.evaluate(node.right, scope);
    }
    const left = truth(this.evaluate(node.left, scope), `the left side of ${node.operator}`);
    if (left !== isAnd) return left;
    return this.evaluate(node.right, scope);
  }

  private regex(pattern: string): RE2JS {
    const cached = this.regexes.get(pattern);
    if (cached) return cached;
    let compiled: RE2JS;
    try {
      compiled = RE2JS.compile(pattern);
    } catch (caught) {
      return fail(`invalid regular expression ${JSON.stringify(pattern)}: ${(caught as Error).message}`);
    }
    if (this.regexes.size >= REGEX_CACHE_SIZE) this.regexes.clear();
    this.regexes.set(pattern, compiled);
    return compiled;
  }

  private call(name: string, args: readonly Node[], scope: Scope | undefined): Value {
    if (PREDICATE_BUILTINS.has(name)) return this.callPredicate(name, args, scope);
    const builtin = BUILTINS.get(name);
    if (builtin === undefined) {
      if (UNSUPPORTED_BUILTINS.has(name)) return fail(`the function ${name}() is not supported`);
      return fail(`unknown func ${name}`);
    }
    return builtin(args.map((arg) => this.evaluate(arg, scope)), this.context);
  }

  private each(predicate: Node, items: readonly Value[], scope: Scope | undefined, visit: (result: Value, item: Value, index: number) => boolean | void, acc?: Value): void {
    const body = predicate.type === 'predicate' ? predicate.body : predicate;
    for (const [index, item] of items.entries()) {
      this.budget.charge();
      const element = acc === undefined ? { item, index: BigInt(index) } : { item, index: BigInt(index), acc };
      if (visit(this.evaluate(body, { parent: scope, element }), item, index) === false) return;
    }
  }

  private callPredicate(name: string, args: readonly Node[], scope: Scope | undefined): Value {
    const collection = this.evaluate(args[0]!, scope);
    const items: readonly Value[] = isArray(collection) ? collection : fail(`${name} takes only an array, not ${typeName(collection)}`);
    const predicate = args[1];
    const test = (result: Value): boolean => truth(result, `the predicate of ${name}`);
    switch (name) {
      case 'all': {
        let result = true;
        this.each(predicate!, items, scope, (value) => (result = test(value)));
        return result;
      }
      case 'any': {
        let result = false;
        this.each(predicate!, items, scope, (value) => !(result = test(value)));
        return result;
      }
      case 'none': {
        let result = true;
        this.each(predicate!, items, scope, (value) => (result = !test(value)));
        return result;
      }
      case 'one': {
        let count = 0;
        this.each(predicate!, items, scope, (value) => {
          if (test(value)) count += 1;
          return count <= 1;
        });
        return count === 1;
      }
      case 'filter': {
        const out: Value[] = [];
        this.each(predicate!, items, scope, (value, item) => void (test(value) && out.push(item)));
        return out;
      }
      case 'map': {
        const out: Value[] = [];
        this.each(predicate!, items, scope, (value) => void out.push(value));
        return out;
      }
      case 'count': {
        let count = 0n;
        if (predicate === undefined) for (const item of items) count += test(item) ? 1n : 0n;
        else this.each(predicate, items, scope, (value) => void (test(value) && (count += 1n)));
        return count;
      }
      case 'sum': {
        let total: Value = 0n;
        const add = (value: Value): void => {
          if (!isNumber(value)) fail(`invalid argument for sum (type ${typeName(value)})`);
          total = arithmetic('+', total, value);
        };
        if (predicate === undefined) items.forEach(add);
        else this.each(predicate, items, scope, (value) => add(value));
        return total;
      }
      case 'find':
      case 'findIndex': {
        // expr answers nil, not -1, when nothing matches.
        let found: Value = null;
        this.each(predicate!, items, scope, (value, item, index) => {
          if (!test(value)) return true;
          found = name === 'find' ? item : BigInt(index);
          return false;
        });
        return found;
      }
      case 'findLast':
      case 'findLastIndex': {
        const reversed = [...items].reverse();
        let found: Value = null;
        this.each(predicate!, reversed, scope, (value, item, index) => {
          if (!test(value)) return true;
          found = name === 'findLast' ? item : BigInt(items.length - 1 - index);
          return false;
        });
        return found;
      }
      case 'groupBy': {
        const groups = new Map<string, Value[]>();
        this.each(predicate!, items, scope, (key, item) => {
          const label = typeof key === 'string' ? key : formatValue(key);
          const group = groups.get(label) ?? [];
          group.push(item);
          groups.set(label, group);
        });
        return new ValueMap(groups);
      }
      case 'sortBy': {
        const keyed: { key: Value; item: Value }[] = [];
        this.each(predicate!, items, scope, (key, item) => void keyed.push({ key, item }));
        const order = args[2] === undefined ? 'asc' : this.evaluate(args[2], scope);
        if (order !== 'asc' && order !== 'desc') return fail(`invalid order ${formatValue(order)}, expected asc or desc`);
        this.budget.charge(keyed.length * Math.max(1, Math.ceil(Math.log2(keyed.length + 1))));
        keyed.sort((a, b) => (order === 'desc' ? compare(b.key, a.key) : compare(a.key, b.key)));
        return keyed.map(({ item }) => item);
      }
      case 'reduce': {
        const hasInitial = args[2] !== undefined;
        let acc: Value = hasInitial ? this.evaluate(args[2]!, scope) : (items[0] ?? null);
        if (!hasInitial && items.length === 0) return fail('reduce of empty array with no initial value');
        const rest = hasInitial ? items : items.slice(1);
        const body = predicate!.type === 'predicate' ? predicate!.body : predicate!;
        for (const [offset, item] of rest.entries()) {
          this.budget.charge();
          acc = this.evaluate(body, { parent: scope, element: { item, index: BigInt(hasInitial ? offset : offset + 1), acc } });
        }
        return acc;
      }
      default:
        return fail(`unknown func ${name}`);
    }
  }
}

function children(node: Node): readonly Node[] {
  switch (node.type) {
    case 'unary':
      return [node.operand];
    case 'binary':
      return [node.left, node.right];
    case 'member':
      return [node.object, node.property];
    case 'chain':
      return [node.node];
    case 'slice':
      return [node.object, ...(node.from ? [node.from] : []), ...(node.to ? [node.to] : [])];
    case 'call':
      return node.args;
    case 'methodCall':
      return [node.object, ...node.args];
    case 'predicate':
      return [node.body];
    case 'array':
      return node.items;
    case 'map':
      return node.pairs.flat();
    case 'conditional':
      return [node.condition, node.then, node.otherwise];
    case 'let':
      return [node.value, node.body];
    case 'sequence':
      return node.nodes;
    default:
      return [];
  }
}
