/**
 * What every builder returns: the validated document itself, a plain object a client can send or a test
 * can compare, with two serializers attached as non-enumerable methods so they never show up in the
 * document's keys, in `toEqual`, or in the JSON sent to the server.
 */
import { stringify } from 'yaml';
import type { ContractError, FieldError } from '@twerk/contract';

/** A document the contract accepted. `kind` exists only in the type, to tell built things apart. */
export type Built<Document, Kind extends string> = Document & {
  /** The document as the YAML a user would write by hand. */
  toYAML(): string;
  /** The plain JSON value of the document (what `JSON.stringify` writes). */
  toJSON(): Document;
  readonly [builtKind]: Kind;
};

/** Only a type: the brand that lets a built task stand where a task is expected. */
export declare const builtKind: unique symbol;

/** Thrown by a builder when the contract refuses what it was given; `errors` carry the field paths. */
export class TwerkBuildError extends Error {
  override readonly name = 'TwerkBuildError';
  readonly errors: readonly FieldError[];
  constructor(what: string, error: ContractError) {
    const lines = error.errors.map((field) => `  ${field.path === '' ? '(document)' : field.path}: ${field.message}`);
    super(`invalid ${what}:\n${lines.join('\n')}`);
    this.errors = error.errors;
  }
}

/** Block scalars for multi-line text (scripts read as written) and no line folding. */
export function documentToYAML(document: unknown): string {
  return stringify(plain(document), { lineWidth: 0, blockQuote: 'literal', aliasDuplicateObjects: false });
}

/**
 * A deep copy holding only JSON data: what the document is, without the builders' methods (JSON.stringify
 * calls the `toJSON` of nested built parts, which answer their plain data).
 */
function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/**
 * Copies the validated document (so later changes to the caller's objects cannot reach it), freezes it,
 * and attaches the serializers. `toJSON` answers a clone: `structuredClone` copies enumerable data only.
 */
export function seal<Document extends object, Kind extends string>(document: Document): Built<Document, Kind> {
  const data = plain(document) as Document;
  Object.defineProperties(data, {
    toYAML: { value: () => documentToYAML(data), enumerable: false },
    toJSON: { value: () => structuredClone(data), enumerable: false },
  });
  return deepFreeze(data) as Built<Document, Kind>;
}
