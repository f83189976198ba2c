/**
 * A recursive-descent / precedence-climbing parser for expr-lang's grammar (v1.17): the same operator
 * table, comparison chaining (`1 < x < 3`), `not in`-style negated operators, the pipe (`a | f(b)` is
 * `f(a, b)`), predicates with `#`, `let`, `if/else`, ternaries and optional chaining. Nesting and node
 * counts are bounded so hostile input cannot exhaust the stack.
 */
import type { Node } from './ast.ts';
import { expressionError, type ExpressionError } from './errors.ts';
import { NEGATABLE_OPERATORS, tokenize, type Token } from './lexer.ts';

interface OperatorInfo {
  readonly precedence: number;
  readonly right: boolean;
}

const UNARY: ReadonlyMap<string, number> = new Map([['not', 50], ['!', 50], ['-', 90], ['+', 90]]);

const BINARY: ReadonlyMap<string, OperatorInfo> = new Map(
  (
    [
      ['|', 0], ['or', 10], ['||', 10], ['and', 15], ['&&', 15],
      ['==', 20], ['!=', 20], ['<', 20], ['>', 20], ['>=', 20], ['<=', 20],
      ['in', 20], ['matches', 20], ['contains', 20], ['startsWith', 20], ['endsWith', 20],
      ['..', 25], ['+', 30], ['-', 30], ['*', 60], ['/', 60], ['%', 60], ['**', 100], ['^', 100], ['??', 500],
    ] as const
  ).map(([op, precedence]) => [op, { precedence, right: op === '**' || op === '^' }]),
);

const COMPARISONS = new Set(['<', '>', '<=', '>=']);

/** Builtins whose arguments include predicates (closures over `#`): `e` expression, `p` predicate, `?` optional. */
const PREDICATE_SIGNATURES: ReadonlyMap<string, readonly string[]> = new Map([
  ['all', ['e', 'p']], ['none', ['e', 'p']], ['any', ['e', 'p']], ['one', ['e', 'p']],
  ['filter', ['e', 'p']], ['map', ['e', 'p']], ['count', ['e', 'p?']], ['sum', ['e', 'p?']],
  ['find', ['e', 'p']], ['findIndex', ['e', 'p']], ['findLast', ['e', 'p']], ['findLastIndex', ['e', 'p']],
  ['groupBy', ['e', 'p']], ['sortBy', ['e', 'p', 'e?']], ['reduce', ['e', 'p', 'e?']],
]);

export const PREDICATE_BUILTINS: ReadonlySet<string> = new Set(PREDICATE_SIGNATURES.keys());

export const PARSE_LIMITS = { maxNodes: 10_000, maxNesting: 128, maxLength: 16_384 } as const;

class ParseFailure {
  readonly error: ExpressionError;
  constructor(error: ExpressionError) {
    this.error = error;
  }
}

const IDENTIFIER = /^[\p{L}_$][\p{L}\p{Nd}_$]*$/u;

class Parser {
  private readonly tokens: readonly Token[];
  private readonly source: string;
  private index = 0;
  private nodes = 0;
  private nesting = 0;
  /** Inside how many predicates we are; `#` and `.field` only mean something there. */
  private predicateDepth = 0;

  constructor(source: string, tokens: readonly Token[]) {
    this.source = source;
    this.tokens = tokens;
  }

  private get current(): Token {
    return this.tokens[this.index] ?? this.tokens[this.tokens.length - 1]!;
  }

  private peek(offset = 1): Token {
    return this.tokens[this.index + offset] ?? this.tokens[this.tokens.length - 1]!;
  }

  private is(kind: Token['kind'], ...values: string[]): boolean {
    const token = this.current;
    return token.kind === kind && (values.length === 0 || values.includes(token.value));
  }

  private fail(message: string, token: Token = this.current): never {
    throw new ParseFailure(expressionError(message, this.source, token.position));
  }

  private overBudget(message: string): never {
    throw new ParseFailure(expressionError(message, this.source, this.current.position, 'budget'));
  }

  private unexpected(token: Token = this.current): never {
    if (token.kind === 'eof') this.fail('unexpected end of expression', token);
    this.fail(`unexpected token ${describe(token)}`, token);
  }

  private advance(): Token {
    const token = this.current;
    if (this.index < this.tokens.length - 1) this.index += 1;
    return token;
  }

  private expect(kind: Token['kind'], value?: string): Token {
    if (this.current.kind === kind && (value === undefined || this.current.value === value)) return this.advance();
    return this.unexpected();
  }

  private node<T extends Node>(node: T): T {
    this.nodes += 1;
    if (this.nodes > PARSE_LIMITS.maxNodes) this.overBudget(`expression has more than ${PARSE_LIMITS.maxNodes} nodes`);
    return node;
  }

  private enter(): void {
    this.nesting += 1;
    if (this.nesting > PARSE_LIMITS.maxNesting) this.overBudget(`expression is nested more than ${PARSE_LIMITS.maxNesting} levels deep`);
  }

  private leave(): void {
    this.nesting -= 1;
  }

  parseProgram(): Node {
    const node = this.parseSequence();
    if (!this.is('eof')) this.unexpected();
    return node;
  }

  private parseSequence(): Node {
    const first = this.parseExpression(0);
    const nodes = [first];
    while (this.is('operator', ';')) {
      this.advance();
      if (this.is('eof')) break;
      nodes.push(this.parseExpression(0));
    }
    return nodes.length === 1 ? first : this.node({ type: 'sequence', nodes, position: first.position });
  }

  private parseExpression(precedence: number): Node {
    this.enter();
    try {
      if (precedence === 0 && this.is('operator', 'let')) return this.parseLet();
      if (precedence === 0 && this.is('operator', 'if')) return this.parseIf();
      let left = this.parsePrimary();
      let previous = '';
      for (;;) {
        let opToken = this.current;
        if (opToken.kind !== 'operator') break;
        let negate = false;
        if (opToken.value === 'not') {
          const following = this.peek();
          if (following.kind !== 'operator' || !NEGATABLE_OPERATORS.has(following.value)) this.unexpected(following);
          if (BINARY.get(following.value)!.precedence < precedence) break;
          this.advance();
          opToken = following;
          negate = true;
        }
        const info = BINARY.get(opToken.value);
        if (info === undefined || info.precedence < precedence) break;
        this.advance();
        if (opToken.value === '|') {
          const name = this.expect('identifier');
          left = this.parseCall(name, [left]);
        } else {
          if (previous === '??' && opToken.value !== '??') {
            this.fail(`Operator (${opToken.value}) and coalesce expressions (??) cannot be mixed. Wrap either by parentheses.`, opToken);
          }
          if (COMPARISONS.has(opToken.value)) {
            left = this.parseComparison(left, opToken, info.precedence);
          } else {
            const right = this.parseExpression(info.right ? info.precedence : info.precedence + 1);
            left = this.node({ type: 'binary', operator: opToken.value, left, right, position: opToken.position });
            if (negate) left = this.node({ type: 'unary', operator: 'not', operand: left, position: opToken.position });
          }
        }
        previous = opToken.value;
      }
      return precedence === 0 ? this.parseConditional(left) : left;
    } finally {
      this.leave();
    }
  }

  private parseComparison(first: Node, firstOperator: Token, precedence: number): Node {
    let root: Node | undefined;
    let left = first;
    let operator = firstOperator;
    for (;;) {
      const right = this.parseExpression(precedence + 1);
      const comparison: Node = this.node({ type: 'binary', operator: operator.value, left, right, position: operator.position });
      root = root === undefined ? comparison : this.node({ type: 'binary', operator: '&&', left: root, right: comparison, position: operator.position });
      left = right;
      if (!(this.current.kind === 'operator' && COMPARISONS.has(this.current.value))) break;
      operator = this.advance();
    }
    return root;
  }

  private parseLet(): Node {
    const start = this.advance();
    const name = this.expect('identifier');
    this.expect('operator', '=');
    const value = this.parseExpression(0);
    this.expect('operator', ';');
    const body = this.parseSequence();
    return this.node({ type: 'let', name: name.value, value, body, position: start.position });
  }

  private parseIf(): Node {
    const start = this.advance();
    const condition = this.parseExpression(0);
    this.expect('bracket', '{');
    const then = this.parseSequence();
    this.expect('bracket', '}');
    this.expect('operator', 'else');
    let otherwise: Node;
    if (this.is('operator', 'if')) {
      otherwise = this.parseIf();
    } else {
      this.expect('bracket', '{');
      otherwise = this.parseSequence();
      this.expect('bracket', '}');
    }
    return this.node({ type: 'conditional', condition, then, otherwise, position: start.position });
  }

  private parseConditional(node: Node): Node {
    let result = node;
    while (this.is('operator', '?')) {
      const question = this.advance();
      let then: Node;
      let otherwise: Node;
      if (this.is('operator', ':')) {
        this.advance();
        then = result;
        otherwise = this.parseExpression(0);
      } else {
        then = this.parseExpression(0);
        this.expect('operator', ':');
        otherwise = this.parseExpression(0);
      }
      result = this.node({ type: 'conditional', condition: result, then, otherwise, position: question.position });
    }
    return result;
  }

  private parsePrimary(): Node {
    const token = this.current;
    if (token.kind === 'operator') {
      const precedence = UNARY.get(token.value);
      if (precedence !== undefined) {
        this.advance();
        const operand = this.parseExpression(precedence);
        return this.parsePostfix(this.node({ type: 'unary', operator: token.value === '!' ? 'not' : token.value, operand, position: token.position }));
      }
    }
    if (token.kind === 'bracket' && token.value === '(') {
      this.advance();
      this.enter();
      const inner = this.parseSequence();
      this.leave();
      this.expect('bracket', ')');
      return this.parsePostfix(inner);
    }
    if (this.predicateDepth > 0 && token.kind === 'operator' && (token.value === '#' || token.value === '.')) {
      let name = '';
      if (token.value === '#') {
        this.advance();
        if (this.is('identifier')) name = this.advance().value;
      }
      return this.parsePostfix(this.node({ type: 'pointer', name, position: token.position }));
    }
    if (token.kind === 'operator' && token.value === '::') {
      this.advance();
      const name = this.expect('identifier');
      return this.parsePostfix(this.parseCall(name, []));
    }
    // `contains(list, x)` as a function (Twerk's evalexpr has one); expr itself only has the operator.
    if (token.kind === 'operator' && token.value === 'contains' && this.peek().kind === 'bracket' && this.peek().value === '(') {
      this.advance();
      return this.parsePostfix(this.parseCall({ ...token, kind: 'identifier' }, []));
    }
    return this.parseSecondary();
  }

  private parseSecondary(): Node {
    const token = this.current;
    switch (token.kind) {
      case 'identifier': {
        this.advance();
        if (token.value === 'true' || token.value === 'false') return this.node({ type: 'bool', value: token.value === 'true', position: token.position });
        if (token.value === 'nil') return this.node({ type: 'nil', position: token.position });
        if (this.is('bracket', '(')) return this.parsePostfix(this.parseCall(token, []));
        return this.parsePostfix(this.node({ type: 'identifier', name: token.value, position: token.position }));
      }
      case 'number':
        this.advance();
        return this.parsePostfix(this.parseNumber(token));
      case 'string':
        this.advance();
        return this.parsePostfix(this.node({ type: 'string', value: token.value, position: token.position }));
      case 'bracket':
        if (token.value === '[') return this.parsePostfix(this.parseArray());
        if (token.value === '{') return this.parsePostfix(this.parseMap());
        return this.unexpected();
      default:
        return this.unexpected();
    }
  }

  private parseNumber(token: Token): Node {
    const text = token.value.replaceAll('_', '');
    const lower = text.toLowerCase();
    const isRadix = /^0[xob]/.test(lower);
    if (!isRadix && /[.e]/.test(lower)) {
      const value = Number(text.startsWith('.') ? `0${text}` : text);
      if (Number.isNaN(value) || /e[+-]?$/.test(lower)) this.fail(`invalid float literal: ${token.value}`, token);
      if (!Number.isFinite(value)) this.fail('float literal is too large', token);
      return this.node({ type: 'float', value, position: token.position });
    }
    const digits = isRadix ? lower.slice(2) : lower;
    const allowed = !isRadix ? /^[0-9]+$/ : lower[1] === 'x' ? /^[0-9a-f]+$/ : lower[1] === 'o' ? /^[0-7]+$/ : /^[01]+$/;
    if (!allowed.test(digits)) this.fail(`invalid integer literal: ${token.value}`, token);
    const value = isRadix ? BigInt(`0${lower[1]}${digits}`) : BigInt(digits);
    if (value > 0x7fffffffffffffffn) this.fail('integer literal is too large', token);
    return this.node({ type: 'int', value, position: token.position });
  }

  private parseArguments(prefix: Node[]): Node[] {
    const args = [...prefix];
    const offset = args.length;
    this.expect('bracket', '(');
    while (!this.is('bracket', ')')) {
      if (args.length > offset) {
        this.expect('operator', ',');
        if (this.is('bracket', ')')) break;
      }
      args.push(this.parseExpression(0));
    }
    this.expect('bracket', ')');
    return args;
  }

  private parseCall(name: Token, prefix: Node[]): Node {
    const signature = PREDICATE_SIGNATURES.get(name.value);
    if (signature === undefined) {
      return this.node({ type: 'call', name: name.value, args: this.parseArguments(prefix), position: name.position });
    }
    this.expect('bracket', '(');
    const args = [...prefix];
    const remaining = signature.slice(prefix.length);
    for (const [index, kind] of remaining.entries()) {
      if (this.is('bracket', ')')) {
        if (kind.endsWith('?')) break;
        this.fail(`expected at least ${remaining.length} arguments`);
      }
      if (index > 0) this.expect('operator', ',');
      args.push(kind.startsWith('p') ? this.parsePredicate() : this.parseExpression(0));
    }
    if (this.is('operator', ',')) this.advance();
    this.expect('bracket', ')');
    return this.node({ type: 'call', name: name.value, args, position: name.position });
  }

  private parsePredicate(): Node {
    const start = this.current;
    const braced = this.is('bracket', '{');
    if (braced) this.advance();
    this.predicateDepth += 1;
    let body: Node;
    if (braced) {
      body = this.parseSequence();
    } else {
      body = this.parseExpression(0);
      if (this.is('operator', ';')) this.fail('wrap predicate with brackets { and }');
    }
    this.predicateDepth -= 1;
    if (braced) this.expect('bracket', '}');
    return this.node({ type: 'predicate', body, position: start.position });
  }

  private parseArray(): Node {
    const start = this.expect('bracket', '[');
    const items: Node[] = [];
    while (!this.is('bracket', ']')) {
      if (items.length > 0) {
        this.expect('operator', ',');
        if (this.is('bracket', ']')) break;
      }
      items.push(this.parseExpression(0));
    }
    this.expect('bracket', ']');
    return this.node({ type: 'array', items, position: start.position });
  }

  private parseMap(): Node {
    const start = this.expect('bracket', '{');
    const pairs: (readonly [Node, Node])[] = [];
    while (!this.is('bracket', '}')) {
      if (pairs.length > 0) {
        this.expect('operator', ',');
        if (this.is('bracket', '}')) break;
      }
      let key: Node;
      const token = this.current;
      if (token.kind === 'number' || token.kind === 'string' || token.kind === 'identifier') {
        this.advance();
        key = this.node({ type: 'string', value: token.value, position: token.position });
      } else if (this.is('bracket', '(')) {
        key = this.parseExpression(0);
      } else {
        this.fail(`a map key must be a quoted string, a number, a identifier, or an expression enclosed in parentheses (unexpected token ${describe(token)})`);
      }
      this.expect('operator', ':');
      pairs.push([key, this.parseExpression(0)]);
    }
    this.expect('bracket', '}');
    return this.node({ type: 'map', pairs, position: start.position });
  }

  private parsePostfix(start: Node): Node {
    let node = start;
    let chained = false;
    for (;;) {
      const token = this.current;
      if (token.kind === 'operator' && (token.value === '.' || token.value === '?.')) {
        const optional = token.value === '?.';
        this.advance();
        if (optional && this.is('bracket', '[')) {
          node = this.parseIndex(node, true);
          chained = true;
          continue;
        }
        const property = this.advance();
        if (!(property.kind === 'identifier' || (property.kind === 'operator' && IDENTIFIER.test(property.value)))) this.fail('expected name', property);
        if (this.is('bracket', '(')) {
          node = this.node({ type: 'methodCall', object: node, name: property.value, args: this.parseArguments([]), position: property.position });
        } else {
          const key: Node = this.node({ type: 'string', value: property.value, position: property.position });
          node = this.node({ type: 'member', object: node, property: key, optional, position: property.position });
        }
        chained ||= optional;
        continue;
      }
      if (token.kind === 'bracket' && token.value === '[') {
        node = this.parseIndex(node, false);
        continue;
      }
      break;
    }
    return chained ? this.node({ type: 'chain', node, position: start.position }) : node;
  }

  private parseIndex(object: Node, optional: boolean): Node {
    const open = this.expect('bracket', '[');
    if (this.is('operator', ':')) {
      this.advance();
      const to = this.is('bracket', ']') ? undefined : this.parseExpression(0);
      this.expect('bracket', ']');
      return this.node(to === undefined ? { type: 'slice', object, position: open.position } : { type: 'slice', object, to, position: open.position });
    }
    const from = this.parseExpression(0);
    if (this.is('operator', ':')) {
      this.advance();
      const to = this.is('bracket', ']') ? undefined : this.parseExpression(0);
      this.expect('bracket', ']');
      return this.node(to === undefined ? { type: 'slice', object, from, position: open.position } : { type: 'slice', object, from, to, position: open.position });
    }
    this.expect('bracket', ']');
    return this.node({ type: 'member', object, property: from, optional, position: open.position });
  }
}

function describe(token: Token): string {
  return token.kind === 'eof' ? 'EOF' : `${token.kind === 'string' ? 'String' : token.kind === 'number' ? 'Number' : token.kind === 'identifier' ? 'Identifier' : token.kind === 'bracket' ? 'Bracket' : 'Operator'}("${token.value}")`;
}

/** Parses one expression (no `{{ }}`); never throws. */
export function parseExpression(source: string): Node | ExpressionError {
  if (source.length > PARSE_LIMITS.maxLength) return expressionError(`expression is longer than ${PARSE_LIMITS.maxLength} characters`, source.slice(0, 64), undefined, 'budget');
  const tokens = tokenize(source);
  if (!Array.isArray(tokens)) return tokens;
  try {
    return new Parser(source, tokens).parseProgram();
  } catch (caught) {
    if (caught instanceof ParseFailure) return caught.error;
    if (caught instanceof RangeError) return expressionError('expression is nested too deeply', source, undefined, 'budget');
    throw caught;
  }
}
