/**
 * Tokens of expr-lang's syntax (v1.17). Lexing never throws: problems come back as an ExpressionError
 * with the offset where they were found.
 */
import type { ExpressionError } from './errors.ts';
import { expressionError } from './errors.ts';

export type TokenKind = 'number' | 'string' | 'identifier' | 'operator' | 'bracket' | 'eof';

export interface Token {
  readonly kind: TokenKind;
  readonly value: string;
  readonly position: number;
}

const KEYWORD_OPERATORS = new Set(['in', 'or', 'and', 'matches', 'contains', 'startsWith', 'endsWith', 'let', 'if', 'else']);
/** Operators that `not` can negate when written between the operands (`a not in b`). */
export const NEGATABLE_OPERATORS = new Set(['in', 'matches', 'contains', 'startsWith', 'endsWith']);

function isIdentifierChar(char: string | undefined): boolean {
  return char !== undefined && /^[\p{L}\p{Nd}_$]$/u.test(char);
}

function isDigit(char: string | undefined): boolean {
  return char !== undefined && char >= '0' && char <= '9';
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', "'": "'", '"': '"',
};

/** Go-style escapes as expr accepts them: \n \t …, \xHH, \uHHHH, \UHHHHHHHH and three-digit octal. */
function unescape(body: string): string | { error: string; offset: number } {
  let out = '';
  for (let index = 0; index < body.length; index += 1) {
    const char = body[index]!;
    if (char !== '\\') {
      out += char;
      continue;
    }
    const next = body[index + 1];
    if (next === undefined) return { error: 'unterminated escape sequence', offset: index };
    const simple = SIMPLE_ESCAPES[next];
    if (simple !== undefined) {
      out += simple;
      index += 1;
      continue;
    }
    const hexLength = next === 'x' ? 2 : next === 'u' ? 4 : next === 'U' ? 8 : 0;
    if (hexLength > 0) {
      const digits = body.slice(index + 2, index + 2 + hexLength);
      if (digits.length !== hexLength || !/^[0-9a-fA-F]+$/.test(digits)) return { error: 'invalid escape sequence', offset: index };
      const code = Number.parseInt(digits, 16);
      if (code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return { error: 'invalid Unicode code point in escape sequence', offset: index };
      out += String.fromCodePoint(code);
      index += 1 + hexLength;
      continue;
    }
    if (next >= '0' && next <= '7') {
      const digits = body.slice(index + 1, index + 4);
      if (!/^[0-7]{3}$/.test(digits) || Number.parseInt(digits, 8) > 255) return { error: 'invalid octal escape sequence', offset: index };
      out += String.fromCharCode(Number.parseInt(digits, 8));
      index += 3;
      continue;
    }
    return { error: 'invalid char escape', offset: index };
  }
  return out;
}

export function tokenize(source: string): Token[] | ExpressionError {
  const tokens: Token[] = [];
  let index = 0;
  const fail = (message: string, position: number): ExpressionError => expressionError(message, source, position);
  while (index < source.length) {
    const start = index;
    const char = source[index]!;
    if (char === ' ' || char === '\t' || char === '\n' || char === '\r' || char === '\f' || char === '\v' || char === '\u00a0' || char === '\u0085') {
      index += 1;
      continue;
    }
    if (char === '"' || char === "'") {
      index += 1;
      let body = '';
      let closed = false;
      while (index < source.length) {
        const current = source[index]!;
        if (current === '\\') {
          body += current + (source[index + 1] ?? '');
          index += 2;
          continue;
        }
        if (current === '\n') break;
        if (current === char) {
          closed = true;
          index += 1;
          break;
        }
        body += current;
        index += 1;
      }
      if (!closed) return fail('literal not terminated', start);
      const text = unescape(body);
      if (typeof text !== 'string') return fail(text.error, start + 1 + text.offset);
      tokens.push({ kind: 'string', value: text, position: start });
      continue;
    }
    if (char === '`') {
      const end = source.indexOf('`', index + 1);
      if (end < 0) return fail('literal not terminated', start);
      tokens.push({ kind: 'string', value: source.slice(index + 1, end), position: start });
      index = end + 1;
      continue;
    }
    if (isDigit(char) || (char === '.' && isDigit(source[index + 1]))) {
      const scanned = scanNumber(source, index);
      if (scanned.bad) return fail(`bad number syntax: "${source.slice(index, scanned.end)}"`, start);
      tokens.push({ kind: 'number', value: source.slice(index, scanned.end), position: start });
      index = scanned.end;
      continue;
    }
    if (isIdentifierChar(char)) {
      let end = index;
      while (end < source.length && isIdentifierChar(source[end])) end += 1;
      const word = source.slice(index, end);
      index = end;
      if (word === 'not') {
        tokens.push({ kind: 'operator', value: 'not', position: start });
        continue;
      }
      tokens.push({ kind: KEYWORD_OPERATORS.has(word) ? 'operator' : 'identifier', value: word, position: start });
      continue;
    }
    if (char === '/' && source[index + 1] === '/') {
      while (index < source.length && source[index] !== '\n') index += 1;
      continue;
    }
    if (char === '/' && source[index + 1] === '*') {
      const end = source.indexOf('*/', index + 2);
      if (end < 0) return fail('unclosed comment', start);
      index = end + 2;
      continue;
    }
    if ('([{)]}'.includes(char)) {
      tokens.push({ kind: 'bracket', value: char, position: start });
      index += 1;
      continue;
    }
    const two = source.slice(index, index + 2);
    if (['||', '::', '&&', '==', '!=', '<=', '>=', '**', '..', '?.', '??'].includes(two)) {
      tokens.push({ kind: 'operator', value: two, position: start });
      index += 2;
      continue;
    }
    if ('|:,;%+-^&!=*<>/.?#'.includes(char)) {
      tokens.push({ kind: 'operator', value: char, position: start });
      index += 1;
      continue;
    }
    return fail(`unrecognized character: U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} '${String.fromCodePoint(source.codePointAt(index)!)}'`, start);
  }
  tokens.push({ kind: 'eof', value: '', position: source.length });
  return tokens;
}

/** Mirrors expr's number scanner, including `1..3` (a range, not the float `1.`) and `_` separators. */
function scanNumber(source: string, start: number): { end: number; bad: boolean } {
  let index = start;
  let digits = /[0-9_]/;
  if (source[index] === '0' && /[xXoObB]/.test(source[index + 1] ?? '')) {
    const base = source[index + 1]!.toLowerCase();
    digits = base === 'x' ? /[0-9a-fA-F_]/ : base === 'o' ? /[0-7_]/ : /[01_]/;
    index += 2;
  }
  const run = (): void => {
    while (index < source.length && digits.test(source[index]!)) index += 1;
  };
  run();
  if (source[index] === '.' && source[index + 1] !== '.') {
    index += 1;
    run();
  }
  if (source[index] === 'e' || source[index] === 'E') {
    // Only decimal numbers have exponents (in hex, e is a digit; in octal and binary it is an error).
    if (digits.source === '[0-9_]') {
      index += 1;
      if (source[index] === '+' || source[index] === '-') index += 1;
      run();
    }
  }
  if (isIdentifierChar(source[index])) return { end: index + 1, bad: true };
  return { end: index, bad: false };
}
