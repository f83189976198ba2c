import { describe, expect, it } from 'vitest';
import { evaluateIntrinsic } from './intrinsics.ts';
import { StatesError } from './states-error.ts';

const scope = { input: { name: 'ada', list: [1, 2, 2, 3], json: '{"a":1}', n: 4, obj: { a: 1, b: 2 } }, context: {}, variables: new Map<string, unknown>() };
const run = (text: string) => evaluateIntrinsic(text, scope);

describe('intrinsic functions', () => {
  it.each([
    ["States.Format('Hello, {}! You have {} items', $.name, $.n)", 'Hello, ada! You have 4 items'],
    ["States.Format('literal \\{\\} and \\' quote {}', 'x')", "literal {} and ' quote x"],
    ['States.StringToJson($.json)', { a: 1 }],
    ['States.JsonToString($.obj)', '{"a":1,"b":2}'],
    ["States.Array('a', 1, true, null, $.n)", ['a', 1, true, null, 4]],
    ['States.ArrayPartition($.list, 3)', [[1, 2, 2], [3]]],
    ['States.ArrayContains($.list, 3)', true],
    ['States.ArrayRange(1, 9, 3)', [1, 4, 7]],
    ['States.ArrayGetItem($.list, 3)', 3],
    ['States.ArrayLength($.list)', 4],
    ['States.ArrayUnique($.list)', [1, 2, 3]],
    ["States.Base64Encode('Data to encode')", 'RGF0YSB0byBlbmNvZGU='],
    ["States.Base64Decode('RGF0YSB0byBlbmNvZGU=')", 'Data to encode'],
    ["States.Hash('input data', 'SHA-1')", 'aaff4a450a104cd177d28d18d74485e8cae074b7'],
    ["States.Hash('input data', 'MD5')", '812f45842bc6d66ee14572ce20db8e86'],
    ['States.JsonMerge($.obj, States.StringToJson($.json), false)', { a: 1, b: 2 }],
    ['States.MathAdd($.n, -1)', 3],
    ["States.StringSplit('1,2;3', ',;')", ['1', '2', '3']],
    ['States.ArrayLength(States.ArrayUnique(States.Array(1, 1, 2)))', 2],
  ])('%s', (text, value) => {
    expect(run(text)).toEqual(value);
  });

  it('makes random numbers in range and v4 UUIDs', () => {
    for (let round = 0; round < 50; round += 1) {
      const value = run('States.MathRandom(1, 3)') as number;
      expect(value >= 1 && value <= 3 && Number.isInteger(value)).toBe(true);
    }
    expect(run('States.UUID()')).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it.each([
    ["States.Format('{} and {}', 'one')", 'States.Format: the template has more {} than the 1 value given'],
    ['States.ArrayGetItem($.list, 9)', 'States.ArrayGetItem: index 9 is out of bounds (the array has 4 items)'],
    ["States.StringToJson('not json')", 'States.StringToJson: "not json" is not JSON'],
    ["States.Hash('x', 'SHA-3')", 'States.Hash: "SHA-3" is not one of MD5, SHA-1, SHA-256, SHA-384, SHA-512'],
    ['States.ArrayLength($.name)', 'States.ArrayLength: argument 1 must be an array, not string'],
    ['States.Nope(1)', 'States.Nope is not an intrinsic function'],
    ['States.ArrayLength($.missing)', 'the path $.missing matches nothing in the input'],
    ['States.JsonMerge($.obj, $.obj, true)', 'States.JsonMerge: deep merging (true) is not supported; pass false for a shallow merge'],
  ])('refuses %s with States.Runtime', (text, cause) => {
    let caught: unknown;
    try {
      run(text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(StatesError);
    expect(caught).toMatchObject({ error: 'States.Runtime', cause });
  });
});
