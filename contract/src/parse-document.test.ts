import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classifyDocument, parseDocument } from './parse-document.ts';

describe('parseDocument', () => {
  it('returns a native job for a job document', () => {
    const result = parseDocument('name: hi\ntasks:\n  - name: t\n    image: alpine\n    run: echo hi\n', 'text/yaml');
    expect(result.ok && result.value.family).toBe('job');
  });

  it('returns a machine for a state machine in either dialect', () => {
    const twerk = parseDocument('{"startAt":"A","states":{"A":{"type":"succeed"}}}', 'application/json');
    expect(twerk.ok && twerk.value.family).toBe('machine');
    const aws = parseDocument('StartAt: A\nStates:\n  A: {Type: Succeed}\n', 'application/yaml; charset=utf-8');
    expect(aws.ok && aws.value.family === 'machine' && aws.value.machine.dialect).toBe('aws');
  });

  it('passes boundary errors through with their codes', () => {
    const result = parseDocument('', 'text/yaml');
    expect(!result.ok && result.error.code).toBe('empty_document');
  });

  it('reports validation errors with paths', () => {
    const result = parseDocument('name: x\ntasks:\n  - name: t\n    image: alpine\n    retry: {limit: 50}\n', 'text/yaml');
    expect(!result.ok && result.error.errors[0]?.path).toBe('tasks[0].retry.limit');
  });

  it('rejects documents that are not mappings', () => {
    for (const tree of [null, 'text', [1], 3]) {
      const result = classifyDocument(tree);
      expect(!result.ok && result.error.errors[0]?.path).toBe('');
    }
  });
});

describe('parseDocument on arbitrary input (property tests)', () => {
  const outcome = (result: ReturnType<typeof parseDocument>): void => {
    if (result.ok) expect(['job', 'machine']).toContain(result.value.family);
    else {
      expect(result.error.message.length).toBeGreaterThan(0);
      expect(Array.isArray(result.error.errors)).toBe(true);
    }
  };

  it('answers arbitrary bytes with a document or a structured error', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), fc.constantFrom('text/yaml', 'application/json', undefined), (bytes, type) => outcome(parseDocument(bytes, type))), { numRuns: 1000 });
  });

  it('answers arbitrary YAML-ish text with a document or a structured error', () => {
    const line = fc.tuple(fc.constantFrom('', '  ', '    '), fc.constantFrom('name', 'tasks', '- name', 'image', 'run', 'each', 'list', 'startAt', 'states', 'type', '&a', '*a', '<<'), fc.constantFrom(': ', ':', ' '), fc.string({ maxLength: 12 }));
    fc.assert(
      fc.property(fc.array(line, { maxLength: 30 }), (lines) => outcome(parseDocument(lines.map((parts) => parts.join('')).join('\n'), 'text/yaml'))),
      { numRuns: 1000 },
    );
  });

  it('answers arbitrary JSON values with a document or a structured error', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 5 }), (value) => outcome(classifyDocument(value))), { numRuns: 1000 });
    fc.assert(
      fc.property(fc.record({ name: fc.string(), tasks: fc.array(fc.dictionary(fc.constantFrom('name', 'image', 'run', 'each', 'parallel', 'retry', 'if'), fc.jsonValue({ maxDepth: 3 })), { maxLength: 4 }) }), (job) => outcome(classifyDocument(job))),
      { numRuns: 1000 },
    );
  });
});
