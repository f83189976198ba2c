import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkExpression,
  checkTemplate,
  createEnvironment,
  eachBindings,
  eachItem,
  evaluateExpression,
  evaluateTemplate,
  formatValue,
  fromValue,
  hasTemplate,
  kindOf,
  type Environment,
} from './index.ts';

const env = createEnvironment(
  { inputs: { name: 'John Smith', n: '41', list: '[1, 2, 3]' }, secrets: { token: 's3cret' }, tasks: { build: 'ok' }, job: { id: 'j1', name: 'demo' } },
  { item: eachItem(2, { city: 'Oslo' }) },
);

function render(text: string, environment: Environment = env): string {
  const result = evaluateTemplate(text, environment);
  if (!result.ok) throw new Error(`expected ${text} to render, got: ${result.error.message}`);
  return result.value;
}

function value(text: string): string {
  const result = evaluateExpression(text, env);
  if (!result.ok) throw new Error(`expected ${text} to evaluate, got: ${result.error.message}`);
  return `${kindOf(result.value)} ${formatValue(result.value)}`;
}

function failure(text: string): string {
  const result = evaluateExpression(text, env);
  if (result.ok) throw new Error(`expected ${text} to fail, got ${formatValue(result.value)}`);
  return result.error.kind;
}

describe('templates, as Tork renders them', () => {
  it('leaves text without templates unchanged', () => {
    expect(render('echo hello')).toBe('echo hello');
    expect(render('')).toBe('');
  });

  it('evaluates every template in a string and splices in the %v text', () => {
    expect(render('{{ inputs.name }}y')).toBe('John Smithy');
    expect(render('{{1+1}} and {{ [1,2,3] }}')).toBe('2 and [1 2 3]');
    expect(render('{{ 1 == 2 }}')).toBe('false');
    expect(render('{{ {"b": 1, "a": [true, nil]} }}x')).toBe('map[a:[true <nil>] b:1]x');
    // The first `}}` closes the template, so a nested map literal is cut short and fails.
    expect(evaluateTemplate('{{ {"a": {"b": 1}} }}', env).ok).toBe(false);
  });

  it('reads missing context keys as empty strings, like Go string maps', () => {
    expect(render('[{{ inputs.nope }}]')).toBe('[]');
    expect(render('{{ secrets.token }}/{{ tasks.build }}/{{ job.name }}')).toBe('s3cret/ok/demo');
  });

  it('exposes the each variable with a string index', () => {
    expect(render('{{ item.index }}:{{ item.value.city }}')).toBe('2:Oslo');
    expect(render('{{ item.value.missing }}')).toBe('<nil>');
  });

  it("also offers Twerk's flat each names", () => {
    const loop = createEnvironment({}, eachBindings('myitem', 3, { city: 'Oslo' }));
    expect(render('{{ myitem_index }} {{ myitem.index }} {{ myitem_value_city }} {{ myitem.value.city }}', loop)).toBe('3 3 Oslo Oslo');
    const scalar = createEnvironment({}, eachBindings('item', 0, 7));
    expect(render('{{ item_value }} {{ item.value + 1 }}', scalar)).toBe('7 8');
  });

  it('does not match across lines, and the first }} closes the expression', () => {
    expect(hasTemplate('{{ 1 +\n 2 }}')).toBe(false);
    expect(evaluateTemplate('{{ "}}" }}', env).ok).toBe(false);
  });

  it('fails the whole template when one expression fails', () => {
    const result = evaluateTemplate('ok {{ nope }}', env);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.message).toBe('unknown name nope');
  });
});

describe('values and Go formatting', () => {
  it('keeps ints and floats apart as Go does', () => {
    expect(value('1 + 2')).toBe('int 3');
    expect(value('7 / 2')).toBe('float 3.5');
    expect(value('4 / 2')).toBe('float 2');
    expect(value('7 % 3')).toBe('int 1');
    expect(value('2 ** 3')).toBe('float 8');
    expect(value('fromJSON("[1, 2.5]")')).toBe('array [1 2.5]');
  });

  it('formats floats like fmt %v', () => {
    expect(value('1e6')).toBe('float 1e+06');
    expect(value('123456.0')).toBe('float 123456');
    expect(value('0.00001')).toBe('float 1e-05');
    expect(value('0.0001')).toBe('float 0.0001');
    expect(value('1/0')).toBe('float +Inf');
    expect(value('0.1 + 0.2')).toBe('float 0.30000000000000004');
  });

  it('wraps 64-bit integer overflow', () => {
    expect(value('9223372036854775807 + 1')).toBe('int -9223372036854775808');
  });

  it('prints maps sorted by key and lists space-separated', () => {
    expect(value('{"b": 2, "a": "x"}')).toBe('map map[a:x b:2]');
    expect(value('[[1, 2], ["a"], nil]')).toBe('array [[1 2] [a] <nil>]');
  });

  it('converts values back to plain data', () => {
    const result = evaluateExpression('{"a": [1, 2.5, "x", nil, true]}', env);
    expect(result.ok && fromValue(result.value)).toEqual({ a: [1, 2.5, 'x', null, true] });
  });
});

describe("Tork's functions (research/tork.md §11.2 items 4 and 5)", () => {
  it('sequence stops before its end', () => {
    expect(value('sequence(1, 3)')).toBe('array [1 2]');
    expect(value('sequence(-5, -2)')).toBe('array [-5 -4 -3]');
    expect(value('sequence(5, 2)')).toBe('array []');
    expect(value('sequence(2, 2)')).toBe('array []');
  });

  it('randomInt stays in range and rejects bad arguments', () => {
    for (let round = 0; round < 50; round += 1) {
      const result = evaluateExpression('randomInt(5)', env);
      expect(result.ok && typeof result.value === 'bigint' && result.value >= 0n && result.value < 5n).toBe(true);
    }
    const seen = new Set(Array.from({ length: 100 }, () => render('{{ randomInt() }}')));
    expect(seen.size).toBe(100);
    expect(failure('randomInt(nil)')).toBe('evaluation');
    expect(failure('randomInt("100")')).toBe('evaluation');
    expect(failure('randomInt(1, 10)')).toBe('evaluation');
  });

  it('uses an injected random source when given one', () => {
    const result = evaluateExpression('randomInt(10)', env, { random: () => 0 });
    expect(result.ok && result.value).toBe(0n);
  });
});

describe('operators and builtins', () => {
  it('supports predicates with #, #index, #acc and .field', () => {
    expect(value('filter(1..6, # % 2 == 0)')).toBe('array [2 4 6]');
    expect(value('map(["a", "b"], #index)')).toBe('array [0 1]');
    expect(value('reduce([1, 2, 3], #acc + #, 10)')).toBe('int 16');
    expect(value('map([{"n": 1}, {"n": 2}], .n * 10)')).toBe('array [10 20]');
    expect(value('all([], # > 1)')).toBe('bool true');
  });

  it('chains comparisons, negated operators, pipes, let and optional chaining', () => {
    expect(value('1 < 2 < 3')).toBe('bool true');
    expect(value('"z" not in ["a"]')).toBe('bool true');
    expect(value('" Ab " | trim() | lower()')).toBe('string ab');
    expect(value('let x = 3; x * x')).toBe('int 9');
    expect(value('fromJSON("{}")?.a?.b')).toBe('nil <nil>');
    expect(value('fromJSON("{}").a ?? "default"')).toBe('string default');
  });

  it('rejects mixing ?? with other operators without parentheses, as expr does', () => {
    expect(failure('nil ?? 1 + 2')).toBe('syntax');
  });

  it('reports unknown names even in branches that never run, like a compile step', () => {
    expect(failure('false && nope')).toBe('evaluation');
  });

  it('matches regular expressions with RE2 semantics', () => {
    expect(value('"abc123" matches "^[a-z]+\\\\d+$"')).toBe('bool true');
    expect(failure('"a" matches "("')).toBe('evaluation');
  });

  it('offers Twerk\'s helpers', () => {
    expect(value('format("{}-{}", "a", 1)')).toBe('string a-1');
    expect(value('hash("abc", "md5")')).toBe('string 900150983cd24fb0d6963f7d28e17f72');
    expect(value('base64Decode(base64Encode("héllo"))')).toBe('string héllo');
    expect(value('arrayRange(1, 9, 2)')).toBe('array [1 3 5 7 9]');
    expect(value('arrayPartition([1, 2, 3], 2)')).toBe('array [[1 2] [3]]');
    expect(value('uuid()').length).toBe('string '.length + 36);
  });
});

describe('bounded work', () => {
  it('rejects expressions that would build huge values', () => {
    expect(failure('sequence(0, 100000000)')).toBe('budget');
    expect(failure('repeat("x", 100000000)')).toBe('budget');
    expect(failure('1..100000000')).toBe('budget');
  });

  it('stops runaway nested loops by counting steps', () => {
    expect(failure('map(1..50000, map(1..50000, #))')).toBe('budget');
  });

  it('rejects pathological nesting without exhausting the stack', () => {
    expect(failure(`${'('.repeat(5000)}1${')'.repeat(5000)}`)).toBe('budget');
    expect(failure(`${'-'.repeat(5000)}1`)).toBe('budget');
  });
});

describe('checking without a context', () => {
  it('accepts unknown names but not malformed text', () => {
    expect(checkExpression('foo.bar > 1').ok).toBe(true);
    expect(checkExpression('{1+1').ok).toBe(false);
    expect(checkTemplate('a {{ 1 + }} b').ok).toBe(false);
    expect(checkTemplate('no templates here').ok).toBe(true);
  });

  it('checks every template of a string, not only the first', () => {
    expect(checkTemplate('{{ 1 }} {{ ( }}').ok).toBe(false);
  });
});

describe('robustness', () => {
  it('never throws, whatever the text', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        const expression = evaluateExpression(text, env);
        const template = evaluateTemplate(`{{ ${text} }}`, env);
        expect(typeof expression.ok).toBe('boolean');
        expect(typeof template.ok).toBe('boolean');
        expect(typeof checkExpression(text).ok).toBe('boolean');
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects radix literals with digits of another base', () => {
    for (const text of ['0oe', '0o8', '0b2', '0xg', '0x']) expect(failure(text)).toBe('syntax');
    expect(value('0o17 + 0b11 + 0x1e')).toBe('int 48');
  });

  it('never throws on random token soup', () => {
    const token = fc.constantFrom('1', '2.5', '"s"', 'inputs', '.', 'name', '(', ')', '[', ']', '{', '}', ',', ':', '?', '??', '?.', '+', '-', '*', '/', '%', '**', '==', '<', 'and', 'not', 'in', '#', 'map', 'filter', '|', 'let', 'x', '=', ';', '..', 'nil', 'true', 'if', 'else');
    fc.assert(
      fc.property(fc.array(token, { maxLength: 40 }), (tokens) => {
        const result = evaluateExpression(tokens.join(' '), env);
        expect(typeof result.ok).toBe('boolean');
      }),
      { numRuns: 3000 },
    );
  });
});
