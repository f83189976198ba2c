import { describe, expect, it } from 'vitest';
import { createEnvironment } from '../expression/index.ts';
import { evaluateTask, isSkipped } from './evaluate.ts';
import { parseTaskDocument } from './parse.ts';
import type { TaskDocument } from './task.ts';

const environment = createEnvironment({ inputs: { SOMENAME: 'John Smith', IMAGE: 'ubuntu:24.04', Q: 'gpu' }, secrets: { KEY: 'k' } });

function task(document: unknown): TaskDocument {
  const parsed = parseTaskDocument(document);
  if (!parsed.ok) throw new Error(parsed.error.message);
  return parsed.value;
}

function evaluated(document: unknown): TaskDocument {
  const result = evaluateTask(task(document), environment);
  if (!result.ok) throw new Error(result.error.message);
  return result.value;
}

describe('evaluating a task (research/tork.md §3.5, §11.2 items 1–3)', () => {
  it('leaves a task without expressions unchanged, literal env values included', () => {
    const document = { name: 'plain', image: 'alpine', run: 'echo hi', env: { A: 'literal' } };
    expect(evaluated(document)).toEqual(task(document));
  });

  it('evaluates name, image, queue, var, env, cmd, files and if', () => {
    const result = evaluated({
      name: '{{ inputs.SOMENAME }}y',
      image: '{{ inputs.IMAGE }}',
      queue: '{{ inputs.Q }}',
      var: 'out{{ 1 + 1 }}',
      cmd: ['echo', '{{ inputs.SOMENAME }}'],
      env: { WHO: '{{ inputs.SOMENAME }}', KEY: '{{ secrets.KEY }}' },
      files: { 'in.txt': '{{ upper(inputs.SOMENAME) }}' },
      if: '{{ 1 == 2 }}',
    });
    expect(result).toMatchObject({
      name: 'John Smithy',
      image: 'ubuntu:24.04',
      queue: 'gpu',
      var: 'out2',
      cmd: ['echo', 'John Smith'],
      env: { WHO: 'John Smith', KEY: 'k' },
      files: { 'in.txt': 'JOHN SMITH' },
      if: 'false',
    });
    expect(isSkipped(result.if)).toBe(true);
    expect(isSkipped('true')).toBe(false);
    expect(isSkipped(undefined)).toBe(false);
  });

  it('never evaluates run', () => {
    expect(evaluated({ name: 'x', image: 'alpine', run: 'echo Hello {{ inputs.SOMENAME }}' }).run).toBe('echo Hello {{ inputs.SOMENAME }}');
  });

  it('evaluates pre, post and parallel children', () => {
    const result = evaluated({
      name: 'p',
      parallel: { tasks: [{ name: 'child {{ inputs.SOMENAME }}', image: 'alpine', run: 'true', pre: [{ name: 'pre', image: '{{ inputs.IMAGE }}' }] }] },
    });
    expect(result.parallel?.tasks[0]?.name).toBe('child John Smith');
    expect(result.parallel?.tasks[0]?.pre?.[0]?.image).toBe('ubuntu:24.04');
  });

  it('evaluates a subjob\'s name, inputs, secrets and webhooks but not its tasks', () => {
    const result = evaluated({
      name: 's',
      subjob: {
        name: 'sub {{ inputs.SOMENAME }}',
        inputs: { who: '{{ inputs.SOMENAME }}' },
        secrets: { key: '{{ secrets.KEY }}' },
        webhooks: [{ url: 'http://example.com/{{ inputs.Q }}', headers: { 'X-Who': '{{ inputs.SOMENAME }}' } }],
        tasks: [{ name: 'inner {{ inputs.who }}', image: 'alpine', run: 'true' }],
      },
    });
    expect(result.subjob).toMatchObject({
      name: 'sub John Smith',
      inputs: { who: 'John Smith' },
      secrets: { key: 'k' },
      webhooks: [{ url: 'http://example.com/gpu', headers: { 'X-Who': 'John Smith' } }],
    });
    expect(result.subjob?.tasks[0]?.name).toBe('inner {{ inputs.who }}');
  });

  it('leaves each.task for expansion, where the item is known', () => {
    const result = evaluated({ name: 'e', each: { list: '{{ sequence(1, 3) }}', task: { name: 'item {{ item.value }}', image: 'alpine', run: 'true' } } });
    expect(result.each?.task.name).toBe('item {{ item.value }}');
  });

  it('reports the failing field', () => {
    const result = evaluateTask(task({ name: 'x', image: 'alpine', env: { BAD: '{{ nope }}' } }), environment);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatchObject({ field: 'env.BAD', message: 'unknown name nope' });
  });
});
