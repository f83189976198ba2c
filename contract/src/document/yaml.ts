/**
 * YAML at the boundary, on eemeli/yaml's parser (YAML 1.2 core schema, so `yes` stays a string and
 * dates stay text; merge keys `<<` as Go's yaml.v3 accepts them). We walk the parsed tree ourselves
 * before converting it, to report duplicate keys with their path and to enforce the depth and node
 * budgets with aliases counted at their expanded size — without expanding them, so a billion-laughs
 * document costs one pass over its text.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, parseAllDocuments, type Document, type Node as YamlNode } from 'yaml';
import { documentError, fieldError, type ContractError, type PathSegment } from '../errors.ts';
import { err, ok, type Result } from '../result.ts';
import { DOCUMENT_LIMITS, DOCUMENT_MESSAGES } from './limits.ts';

class YamlFailure {
  readonly error: ContractError;
  constructor(error: ContractError) {
    this.error = error;
  }
}

const tooDeep = (): never => {
  throw new YamlFailure(documentError(DOCUMENT_MESSAGES.tooDeep, 'too_deep'));
};
const tooMany = (): never => {
  throw new YamlFailure(documentError(DOCUMENT_MESSAGES.tooManyNodes, 'too_many_nodes'));
};

/**
 * The yaml library recurses while composing flow collections, so a document of 100,000 `[` would
 * overflow its stack before our depth check runs. Flow brackets outside quotes and comments bound the
 * flow nesting; block nesting needs indentation, which the size limit keeps shallow enough.
 */
function flowNestingExceeds(text: string, limit: number): boolean {
  let depth = 0;
  let quote = '';
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index]!;
    if (quote !== '') {
      if (quote === '"' && char === '\\') index += 1;
      else if (char === quote) quote = '';
      continue;
    }
    if (char === '#' && (index === 0 || /\s/.test(text[index - 1]!))) {
      while (index < text.length && text[index] !== '\n') index += 1;
    } else if ((char === '"' || char === "'") && (index === 0 || /[\s[{,:]/.test(text[index - 1]!))) {
      quote = char;
    } else if (char === '[' || char === '{') {
      depth += 1;
      if (depth > limit) return true;
    } else if ((char === ']' || char === '}') && depth > 0) {
      depth -= 1;
    }
  }
  return false;
}

/**
 * Block collections can also nest on one line: `- - - 1`, `? ? ? x`. Each of those indicators opens a
 * level, so more than `limit` of them at the start of a line is too deep — rejected before the yaml
 * library builds anything for them (a long run of them has been seen to exhaust its memory).
 */
function compactNestingExceeds(text: string, limit: number): boolean {
  let index = 0;
  while (index < text.length) {
    while (text[index] === ' ') index += 1;
    let indicators = 0;
    while ((text[index] === '-' || text[index] === '?' || text[index] === ':') && (text[index + 1] === ' ' || text[index + 1] === '\t')) {
      indicators += 1;
      if (indicators > limit) return true;
      index += 2;
      while (text[index] === ' ' || text[index] === '\t') index += 1;
    }
    const newline = text.indexOf('\n', index);
    if (newline < 0) return false;
    index = newline + 1;
  }
  return false;
}

function keyText(key: unknown, path: readonly PathSegment[]): string {
  if (isScalar(key)) return key.value === null ? 'null' : String(key.value);
  if (key === null || key === undefined) return 'null';
  throw new YamlFailure({ message: `${fieldError(path, 'x').path || 'the document'}: mapping keys must be plain values, not lists or mappings`, errors: [fieldError(path, 'mapping keys must be plain values, not lists or mappings')], code: 'syntax_error' });
}

interface Measure {
  readonly depth: number;
  readonly nodes: number;
}

/** Depth and expanded node count of a node, memoized so repeated aliases cost nothing extra. */
function measure(document: Document): void {
  const root: unknown = document.contents;
  const memo = new Map<unknown, Measure>();
  const active = new Set<unknown>();
  const visit = (node: unknown, path: PathSegment[], level: number): Measure => {
    if (level > DOCUMENT_LIMITS.maxDepth + 1) tooDeep();
    if (isAlias(node)) {
      const target: YamlNode | undefined = node.resolve(document);
      if (target === undefined) return { depth: 0, nodes: 1 };
      if (active.has(target)) throw new YamlFailure(documentError('an alias refers to the node that contains it', 'syntax_error'));
      return visit(target, path, level);
    }
    const known = memo.get(node);
    if (known) return known;
    let result: Measure;
    if (isMap(node) || isSeq(node)) {
      active.add(node);
      let depth = 0;
      let nodes = 1;
      const seen = new Set<string>();
      for (const [index, item] of node.items.entries()) {
        if (isPair(item)) {
          const key = keyText(item.key, path);
          if (key !== '<<') {
            if (seen.has(key)) {
              const at = [...path, key];
              const message = `duplicate key ${JSON.stringify(key)}`;
              throw new YamlFailure({ message: `${fieldError(at, message).path}: ${message}`, errors: [fieldError(at, message)], code: 'duplicate_key' });
            }
            seen.add(key);
          }
          nodes += 1;
          const value = visit(item.value, [...path, key], level + 1);
          depth = Math.max(depth, value.depth);
          nodes += value.nodes;
        } else {
          const value = visit(item, [...path, index], level + 1);
          depth = Math.max(depth, value.depth);
          nodes += value.nodes;
        }
        if (nodes > DOCUMENT_LIMITS.maxNodes) tooMany();
      }
      active.delete(node);
      result = { depth: depth + 1, nodes };
      if (result.depth > DOCUMENT_LIMITS.maxDepth) tooDeep();
    } else {
      result = { depth: 0, nodes: node === null || node === undefined ? 0 : 1 };
    }
    memo.set(node, result);
    return result;
  };
  const total = visit(root, [], 0);
  if (total.nodes > DOCUMENT_LIMITS.maxNodes) tooMany();
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.trim();
}

export function parseYaml(text: string): Result<unknown, ContractError> {
  if (flowNestingExceeds(text, DOCUMENT_LIMITS.maxDepth) || compactNestingExceeds(text, DOCUMENT_LIMITS.maxDepth)) {
    return err(documentError(DOCUMENT_MESSAGES.tooDeep, 'too_deep'));
  }
  try {
    const documents = parseAllDocuments(text, { merge: true, uniqueKeys: false, prettyErrors: true, strict: true });
    if (!Array.isArray(documents)) return ok(null);
    const withContent = documents.filter((document) => document.contents !== null || document.errors.length > 0);
    if (withContent.length > 1) return err(documentError('the body holds more than one YAML document; send one document per request', 'syntax_error'));
    const document = withContent[0] ?? documents[0];
    if (document === undefined) return ok(null);
    const problem = document.errors[0];
    if (problem !== undefined) return err(documentError(`invalid YAML: ${firstLine(problem.message)}`, 'syntax_error'));
    measure(document);
    return ok(document.toJS({ maxAliasCount: -1 }));
  } catch (caught) {
    if (caught instanceof YamlFailure) return err(caught.error);
    if (caught instanceof RangeError) return err(documentError(DOCUMENT_MESSAGES.tooDeep, 'too_deep'));
    if (caught instanceof Error) return err(documentError(`invalid YAML: ${firstLine(caught.message)}`, 'syntax_error'));
    throw caught;
  }
}
