import { describe, expect, it } from 'vitest';
import type { FieldError } from '../errors.ts';
import { parseJobDocument, parseScheduledJobDocument } from './parse.ts';

const hello = { name: 'hello job', tasks: [{ name: 'say hello', run: 'echo hello' }] };

function errorsOf(tree: unknown): FieldError[] {
  const result = parseJobDocument(tree);
  if (result.ok) throw new Error('expected the document to be rejected');
  return [...result.error.errors];
}

function withTask(task: Record<string, unknown>, job: Record<string, unknown> = {}) {
  return { name: 'j', ...job, tasks: [{ name: 't', run: 'true', ...task }] };
}

function expectError(tree: unknown, path: string, message: string) {
  expect(errorsOf(tree)).toContainEqual({ path, message: expect.stringContaining(message) });
}

describe('a valid job document', () => {
  it('parses the minimal job', () => {
    expect(parseJobDocument(hello)).toEqual({ ok: true, value: hello });
  });

  it('accepts every documented job field', () => {
    const job = {
      name: 'my job',
      description: 'everything',
      tags: ['a', 'b'],
      inputs: { key: 'value' },
      secrets: { api_key: 'secret123' },
      defaults: { retry: { limit: 3 }, limits: { cpus: '1', memory: '512m' }, timeout: '10m', queue: 'default', priority: 5 },
      output: '{{ tasks.first }}',
      webhooks: [{ url: 'https://example.com/hook', event: 'job.StateChange', headers: { 'X-Token': '{{ secrets.api_key }}' }, if: "{{ job.state == 'COMPLETED' }}" }],
      permissions: [{ role: 'admin' }, { user: 'someuser' }],
      autoDelete: { after: '24h' },
      schedule: { cron: '0 2 * * *' },
      wait: { timeout: '5s' },
      tasks: [{ name: 'first task', var: 'first', image: 'alpine:latest', run: 'echo hello' }],
    };
    expect(parseJobDocument(job).ok).toBe(true);
  });

  it('accepts every documented task field on a regular task', () => {
    const task = {
      name: 'my task',
      description: 'd',
      image: 'ubuntu:mantic',
      registry: { username: 'user', password: 'pw' },
      cmd: ['/bin/sh', '-c'],
      entrypoint: ['/bin/sh', '-c'],
      run: 'echo hello',
      env: { KEY: 'value', TEMPLATE: '{{ inputs.key }}' },
      files: { 'config.json': '{"key": "{{ inputs.value }}"}' },
      var: 'output_key',
      if: "{{ job.state == 'SCHEDULED' }}",
      queue: 'default',
      priority: 5,
      timeout: '5m',
      retry: { limit: 3, initialDelay: '5s', scalingFactor: 2, maxDelay: '1m' },
      limits: { cpus: '0.5', memory: '256m' },
      gpus: 'all',
      workdir: '/app',
      mounts: [{ type: 'volume', target: '/data' }, { type: 'bind', source: '/host/data', target: '/in' }, { type: 'tmpfs', target: '/scratch' }],
      networks: ['minio'],
      pre: [{ name: 'setup', image: 'alpine:latest', run: 'echo setup' }],
      post: [{ name: 'cleanup', image: 'alpine:latest', run: 'echo cleanup', timeout: '1m' }],
      sidecars: [{ name: 'server', image: 'python:3', run: 'python -m http.server 9000', probe: { path: '/', port: 9000, timeout: '30s' } }],
      tags: ['some-tag'],
      runtime: 'docker',
    };
    expect(parseJobDocument(withTask(task))).toMatchObject({ ok: true });
  });

  it('accepts composite tasks nested in each other', () => {
    const job = {
      name: 'nested',
      tasks: [
        {
          name: 'outer',
          parallel: {
            tasks: [
              { name: 'loop', each: { list: '{{ sequence(1, 5) }}', var: 'num', concurrency: 2, task: { name: 'n {{ num.value }}', env: { N: '{{ num_value }}' }, run: 'echo $N' } } },
              { name: 'sub', subjob: { name: 'child', output: '{{ tasks.x }}', detached: false, tasks: [{ name: 'x', var: 'x', run: 'echo -n x > $TWERK_OUTPUT' }] } },
            ],
          },
        },
      ],
    };
    expect(parseJobDocument(job).ok).toBe(true);
  });

  it('accepts a literal list for each', () => {
    expect(parseJobDocument(withTask({ run: undefined, each: { list: [1, 'two', { three: 3 }], task: { name: 'i', run: 'true' } } })).ok).toBe(true);
  });

  it('keeps numbers and booleans written where text is expected as text', () => {
    const result = parseJobDocument(withTask({ env: { PORT: 8080, DEBUG: true }, if: false }, { inputs: { count: 5 } }));
    expect(result.ok && result.value.tasks[0]).toMatchObject({ env: { PORT: '8080', DEBUG: 'true' }, if: 'false' });
    expect(result.ok && result.value.inputs).toEqual({ count: '5' });
  });

  it('accepts a bind mount source with spaces and equals signs, as Tork does', () => {
    expect(parseJobDocument(withTask({ mounts: [{ type: 'bind', source: 'bucket=some-bucket path=/mnt/some-path', target: '/mnt' }] })).ok).toBe(true);
  });

  it('accepts a custom mount type without further checks', () => {
    expect(parseJobDocument(withTask({ mounts: [{ type: 's3fs', source: 'bucket', opts: { region: 'eu' } }] })).ok).toBe(true);
  });
});

describe('job validation (research/tork.md §4.3, §11.2 items 6–8)', () => {
  it('requires tasks', () => {
    expectError({ name: 'j', tasks: [] }, 'tasks', 'must not be empty');
    expectError({ name: 'j' }, 'tasks', 'is required');
  });

  it('requires the job name and every task name', () => {
    expectError({ tasks: [{ name: 't', run: 'true' }] }, 'name', 'is required');
    expectError({ name: '  ', tasks: [{ name: 't', run: 'true' }] }, 'name', 'must not be blank');
    expectError({ name: 'j', tasks: [{ run: 'true' }] }, 'tasks[0].name', 'is required');
  });

  it('requires names on nested tasks too', () => {
    expectError(withTask({ run: undefined, parallel: { tasks: [{ run: 'true' }] } }), 'tasks[0].parallel.tasks[0].name', 'is required');
    expectError(withTask({ run: undefined, each: { list: '{{ [1] }}', task: { run: 'true' } } }), 'tasks[0].each.task.name', 'is required');
    expectError(withTask({ run: undefined, subjob: { name: 's', tasks: [{ run: 'true' }] } }), 'tasks[0].subjob.tasks[0].name', 'is required');
  });

  it('bounds the retry limit', () => {
    expectError(withTask({ retry: { limit: 50 } }), 'tasks[0].retry.limit', 'must be at most 10');
    expectError(withTask({ retry: { limit: 0 } }), 'tasks[0].retry.limit', 'must be at least 1');
    expectError(withTask({ retry: { limit: 1.5 } }), 'tasks[0].retry.limit', 'must be a whole number');
  });

  it('checks retry delays', () => {
    expectError(withTask({ retry: { limit: 2, initialDelay: 'soon' } }), 'tasks[0].retry.initialDelay', 'is not a duration');
    expectError(withTask({ retry: { limit: 2, initialDelay: '1m', maxDelay: '5s' } }), 'tasks[0].retry.maxDelay', 'must not be shorter than initialDelay');
    expectError(withTask({ retry: { limit: 2, scalingFactor: 0.5 } }), 'tasks[0].retry.scalingFactor', 'must be at least 1');
  });

  it('checks durations', () => {
    expectError({ ...hello, defaults: { timeout: '1234' } }, 'defaults.timeout', 'is missing a unit');
    expectError(withTask({ timeout: '0s' }), 'tasks[0].timeout', 'must be more than zero');
    expectError({ ...hello, autoDelete: { after: '3 days' } }, 'autoDelete.after', 'is not a duration');
  });

  it('refuses reserved queue names', () => {
    expectError(withTask({ queue: 'x-foo' }), 'tasks[0].queue', 'reserved');
    expectError(withTask({ queue: 'jobs' }), 'tasks[0].queue', 'reserved for the coordinator');
    expectError({ ...hello, defaults: { queue: 'x-private' } }, 'defaults.queue', 'reserved');
    expectError(withTask({ queue: 'has space' }), 'tasks[0].queue', 'not a valid queue name');
  });

  it('limits var to 64 characters', () => {
    expect(parseJobDocument(withTask({ var: 'v'.repeat(64) })).ok).toBe(true);
    expectError(withTask({ var: 'v'.repeat(65) }), 'tasks[0].var', 'at most 64 characters');
  });

  it('allows only one composite per task', () => {
    expectError(
      withTask({ run: undefined, each: { list: '{{ [1] }}', task: { name: 'e', run: 'true' } }, parallel: { tasks: [{ name: 'p', run: 'true' }] } }),
      'tasks[0]',
      'sets parallel and each',
    );
    expectError(
      withTask({ run: undefined, parallel: { tasks: [{ name: 'p', run: 'true' }] }, subjob: { name: 's', tasks: [{ name: 'x', run: 'true' }] } }),
      'tasks[0]',
      'sets parallel and subjob',
    );
  });

  it('refuses command fields on a composite task', () => {
    expectError(withTask({ image: 'alpine', parallel: { tasks: [{ name: 'p', run: 'true' }] } }), 'tasks[0].image', 'not allowed on a parallel task');
    expectError(withTask({ retry: { limit: 1 }, each: { list: '{{ [1] }}', task: { name: 'e', run: 'true' } } }), 'tasks[0].run', 'not allowed on a each task');
    expectError(withTask({ run: undefined, timeout: '5s', subjob: { name: 's', tasks: [{ name: 'x', run: 'true' }] } }), 'tasks[0].timeout', 'not allowed on a subjob task');
  });

  it('refuses a task with nothing to run', () => {
    expectError({ name: 'j', tasks: [{ name: 'idle' }] }, 'tasks[0]', 'has nothing to run');
  });

  it('checks expressions where they are evaluated', () => {
    expectError(withTask({ run: undefined, each: { list: '{1+1', task: { name: 'e', run: 'true' } } }), 'tasks[0].each.list', 'is not a valid expression');
    expectError(withTask({ if: '{{ 1 + }}' }), 'tasks[0].if', 'is not a valid expression');
    expectError({ ...hello, output: '{{ tasks.a + }}' }, 'output', 'has an invalid expression');
    expectError(withTask({ env: { X: 'a {{ inputs.x + }} b' } }), 'tasks[0].env.X', 'has an invalid expression');
  });

  it('refuses an if written without braces, which would always run', () => {
    expectError(withTask({ if: "inputs.run == 'true'" }), 'tasks[0].if', 'is plain text, so the task would always run');
    expect(parseJobDocument(withTask({ if: 'false' })).ok).toBe(true);
  });

  it('checks subjob webhooks', () => {
    const subjob = { name: 's', tasks: [{ name: 'x', run: 'true' }], webhooks: [{ url: '' }] };
    expectError(withTask({ run: undefined, subjob }), 'tasks[0].subjob.webhooks[0].url', 'is not a URL');
    expectError({ ...hello, webhooks: [{ url: 'ftp://example.com' }] }, 'webhooks[0].url', 'must be an http or https URL');
    expectError({ ...hello, webhooks: [{ url: 'https://example.com', event: 'job.Done' }] }, 'webhooks[0].event', 'must be one of');
  });

  it('checks mounts', () => {
    expectError(withTask({ mounts: [{ type: 'volume', source: '/x', target: '/data' }] }), 'tasks[0].mounts[0].source', 'must not be set for a volume mount');
    expectError(withTask({ mounts: [{ type: 'volume' }] }), 'tasks[0].mounts[0].target', 'is required for a volume mount');
    expectError(withTask({ mounts: [{ type: 'bind', target: '/in' }] }), 'tasks[0].mounts[0].source', 'is required for a bind mount');
    expectError(withTask({ mounts: [{ type: 'volume', target: '/tork' }] }), 'tasks[0].mounts[0].target', 'reserved');
    expectError(withTask({ mounts: [{ type: 'bind', source: '/a;rm -rf', target: '/in' }] }), 'tasks[0].mounts[0].source', 'not allowed in a mount path');
    expectError(withTask({ mounts: [{ target: '/in' }] }), 'tasks[0].mounts[0].type', 'is required');
  });

  it('checks priorities, concurrency, permissions and limits', () => {
    expectError(withTask({ priority: 10 }), 'tasks[0].priority', 'must be at most 9');
    expectError(withTask({ run: undefined, each: { list: '{{ [1] }}', concurrency: 100000, task: { name: 'e', run: 'true' } } }), 'tasks[0].each.concurrency', 'must be at most 99999');
    expectError(withTask({ run: undefined, each: { list: '{{ [1] }}', var: 'my-item', task: { name: 'e', run: 'true' } } }), 'tasks[0].each.var', 'letters, digits');
    expectError({ ...hello, permissions: [{ role: 'a', user: 'b' }] }, 'permissions[0]', 'exactly one of role or user');
    expectError({ ...hello, permissions: [{}] }, 'permissions[0]', 'exactly one of role or user');
    expectError(withTask({ limits: { memory: 'lots' } }), 'tasks[0].limits.memory', 'is not a memory size');
    expectError(withTask({ limits: { cpus: '0.0000000001' } }), 'tasks[0].limits.cpus', 'too precise');
    expectError(withTask({ runtime: 'kubernetes' }), 'tasks[0].runtime', 'must be one of "docker", "podman", "shell"');
  });

  it('names unknown keys by their path, with a suggestion for misspellings', () => {
    expectError(withTask({ nosuch: 1 }), 'tasks[0].nosuch', 'is not a known field');
    expectError(withTask({ retires: { limit: 1 } }), 'tasks[0].retires', 'did you mean "retry"');
    expectError({ ...hello, defaults: { limits: { cpu: 1 } } }, 'defaults.limits.cpu', 'did you mean "cpus"');
    expectError(withTask({ retry: { limit: 2, attempts: 1 } }), 'tasks[0].retry.attempts', 'is not a known field');
    expectError({ ...hello, id: 'abc' }, 'id', 'is not a known field');
  });

  it('names wrong types', () => {
    expectError({ name: 'j', tasks: { name: 't' } }, 'tasks', 'must be a list, not a mapping');
    expectError(withTask({ env: ['A=1'] }), 'tasks[0].env', 'must be a mapping, not a list');
    expectError(withTask({ cmd: 'echo hi' }), 'tasks[0].cmd', 'must be a list, not a string');
    expectError(withTask({ name: { a: 1 } }), 'tasks[0].name', 'must be a string');
  });

  it('reports every problem, deep in the tree, not just the first', () => {
    const job = {
      tasks: [
        { name: 'a', run: 'true', priority: 12 },
        { name: 'b', parallel: { tasks: [{ name: 'c', each: { list: '{{ [1] }}', task: { name: 'd', run: 'true', retry: { limit: 11 } } } }] } },
      ],
    };
    const paths = errorsOf(job).map((error) => error.path);
    expect(paths).toEqual(expect.arrayContaining(['name', 'tasks[0].priority', 'tasks[1].parallel.tasks[0].each.task.retry.limit']));
  });

  it('summarises the first problem and the count in the message', () => {
    const result = parseJobDocument({ tasks: [] });
    expect(!result.ok && result.error.message).toBe('name: is required (and 1 more)');
  });

  it('refuses a document that is not a mapping', () => {
    for (const tree of [null, 'hello', 42, [hello]]) {
      expect(errorsOf(tree)).toEqual([{ path: '', message: 'a job must be a mapping of fields' }]);
    }
  });
});

describe('scheduled job documents', () => {
  it('take the cron as schedule.cron (Tork) or cron (Twerk)', () => {
    expect(parseScheduledJobDocument({ ...hello, schedule: { cron: '0/5 * * * *' } }).ok).toBe(true);
    expect(parseScheduledJobDocument({ ...hello, cron: '*/10 * * * * *' }).ok).toBe(true);
    expect(parseScheduledJobDocument({ ...hello, schedule: { cron: '0 9 * * MON-FRI', timezone: 'Europe/Paris' } }).ok).toBe(true);
  });

  it('need exactly one valid cron expression', () => {
    const missing = parseScheduledJobDocument(hello);
    expect(!missing.ok && missing.error.errors).toEqual([{ path: 'schedule', message: 'is required: a scheduled job needs schedule.cron' }]);
    const both = parseScheduledJobDocument({ ...hello, cron: '* * * * *', schedule: { cron: '* * * * *' } });
    expect(!both.ok && both.error.errors[0]?.path).toBe('cron');
    const invalid = parseScheduledJobDocument({ ...hello, schedule: { cron: 'invalid-cron' } });
    expect(!invalid.ok && invalid.error.errors[0]).toEqual({ path: 'schedule.cron', message: 'has 1 field: expected 5 (minute hour day-of-month month day-of-week) or 6 (with seconds first)' });
    const zone = parseScheduledJobDocument({ ...hello, schedule: { cron: '* * * * *', timezone: 'Nowhere/Land' } });
    expect(!zone.ok && zone.error.errors[0]?.path).toBe('schedule.cron');
  });

  it('do not accept wait', () => {
    expect(parseScheduledJobDocument({ ...hello, cron: '* * * * *', wait: { timeout: '1s' } }).ok).toBe(false);
  });
});

describe('reporting every problem at once', () => {
  it('reports composite conflicts even when a nested field is invalid too', () => {
    const result = parseJobDocument({
      name: 'j',
      tasks: [{ name: 't', image: 'alpine', parallel: { tasks: [{ name: 'p', run: 'true' }] }, each: { list: '{{ [1] }}', task: { image: 'alpine' } } }],
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const paths = result.error.errors.map((error) => error.path);
    expect(paths).toEqual(expect.arrayContaining(['tasks[0]', 'tasks[0].image', 'tasks[0].each.task.name']));
    expect(new Set(result.error.errors.map((error) => `${error.path} ${error.message}`)).size).toBe(result.error.errors.length);
  });
});

describe('secrets', () => {
  it('refuses the redaction placeholder, so a job copied from the API cannot lose its real secrets', () => {
    const result = parseJobDocument({ name: 'copy', secrets: { token: '[REDACTED]' }, tasks: [{ name: 't', run: 'true', subjob: undefined }] });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.errors).toContainEqual({ path: 'secrets.token', message: 'is the redaction placeholder "[REDACTED]": send the real secret' });
    expect(parseJobDocument({ name: 'ok', secrets: { token: 'real' }, tasks: [{ name: 't', run: 'true' }] }).ok).toBe(true);
  });
});
