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
