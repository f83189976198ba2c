import { createEnvironment, eachBindings, evaluateTemplate, parseDocument, parseMachine, readDocument, runMachine } from '@twerk/contract';
import { describe, expect, it } from 'vitest';
import { cond, each, expr, inputs, item, job, machine, parallel, retrier, scheduledJob, script, secrets, state, subjob, task, tasks, trigger, TwerkBuildError } from '../index.ts';

function buildError(build: () => unknown): TwerkBuildError {
  try {
    build();
  } catch (caught) {
    if (caught instanceof TwerkBuildError) return caught;
    throw caught;
  }
  throw new Error('the builder accepted it');
}

const hello = task({ name: 'say hello', var: 'greeting', env: { NAME: inputs('name') }, run: 'echo -n "hello $NAME" > $TWERK_OUTPUT' });

describe('job builders', () => {
  it('build the document a user would write in YAML', () => {
    const built = job({
      name: 'fan out',
      inputs: { name: 'world' },
      output: tasks('greeting'),
      tasks: [
        hello,
        parallel('both', [task({ name: 'a', run: 'echo a' }), task({ name: 'b', run: 'echo b' })], { description: 'two at once' }),
        each('loop', { list: expr('sequence(1, 3)'), var: 'n', concurrency: 2, task: task({ name: `item ${item('n').value}`, run: 'echo' }) }),
        subjob('child', { name: 'the child', tasks: [task({ name: 'inner', run: 'true' })], detached: true }),
      ],
    });
    const written = parseDocument(
      `name: fan out
inputs: { name: world }
output: "{{ tasks.greeting }}"
tasks:
  - name: say hello
    var: greeting
    env: { NAME: "{{ inputs.name }}" }
    run: echo -n "hello $NAME" > $TWERK_OUTPUT
  - name: both
    description: two at once
    parallel:
      tasks:
        - { name: a, run: echo a }
        - { name: b, run: echo b }
  - name: loop
    each:
      list: "{{ sequence(1, 3) }}"
      var: n
      concurrency: 2
      task: { name: "item {{ n.value }}", run: echo }
  - name: child
    subjob: { name: the child, detached: true, tasks: [{ name: inner, run: "true" }] }
`,
      'text/yaml',
    );
    expect(written.ok && written.value.family === 'job' ? written.value.job : written).toEqual(built);
  });

  it('serialize to YAML and JSON that parse back to the same document', () => {
    const built = job({ name: 'scripts', tasks: [task({ name: 'multi-line', run: 'echo one\necho "two"\n', timeout: '30s', retry: { limit: 2, initialDelay: '1s' } })] });
    const fromYaml = parseDocument(built.toYAML(), 'text/yaml');
    const fromJson = parseDocument(JSON.stringify(built), 'application/json');
    expect(fromYaml.ok && fromYaml.value.family === 'job' && fromYaml.value.job).toEqual(built);
    expect(fromJson.ok && fromJson.value.family === 'job' && fromJson.value.job).toEqual(built);
    expect(built.toYAML()).toContain('run: |\n      echo one\n      echo "two"\n');
    expect(built.toJSON()).toEqual(JSON.parse(JSON.stringify(built)));
  });

  it('keep the serializers out of the document', () => {
    expect(Object.keys(hello)).toEqual(['name', 'run', 'env', 'var']);
    expect(JSON.stringify(hello)).not.toContain('toYAML');
  });

  it('normalize scalars as the server does, and keep the result frozen', () => {
    const built = task({ name: 'port', run: 'echo $PORT', env: { PORT: 8080 as unknown as string } });
    expect(built.env).toEqual({ PORT: '8080' });
    expect(() => {
      (built.env as Record<string, string>)['PORT'] = 'changed';
    }).toThrow(TypeError);
  });

  it('do not see later changes to the objects they were given', () => {
    const env: Record<string, string> = { A: '1' };
    const built = task({ name: 'copy', run: 'env', env });
    env['A'] = '2';
    expect(built.env).toEqual({ A: '1' });
  });

  it('refuse what the contract refuses, with every field path', () => {
    const error = buildError(() =>
      job({
        name: 'broken',
        tasks: [
          { name: 'bad template', run: 'echo', env: { X: '{{ inputs. }}' } },
          { name: 'bad timeout', run: 'echo', timeout: 'soon' },
          { name: 'bad list', each: { list: '{{ ( }}', task: { name: 'inner', run: 'echo' } } },
        ],
      }),
    );
    expect(error.errors.map((field) => field.path)).toEqual(['tasks[0].env.X', 'tasks[1].timeout', 'tasks[2].each.list']);
    expect(error.message).toMatch(/^invalid job "broken":\n {2}tasks\[0\]\.env\.X: has an invalid expression/);
  });

  it('validate each part where it is built, so an error points at the builder call', () => {
    const error = buildError(() => each('bad list', { list: '{{ ( }}', task: { name: 'inner', run: 'echo' } }));
    expect(error.message).toMatch(/^invalid task "bad list":\n {2}each\.list: is not a valid expression/);
  });

  it('refuse unknown keys and misplaced fields that slipped past the types', () => {
    const unknownKey = buildError(() => task({ name: 'typo', run: 'echo', ...({ imagee: 'alpine' } as object) }));
    expect(unknownKey.errors).toEqual([expect.objectContaining({ path: 'imagee' })]);
    const commandOnComposite = buildError(() => task({ name: 'p', parallel: { tasks: [hello] }, ...({ run: 'echo' } as object) }));
    expect(commandOnComposite.errors).toEqual([expect.objectContaining({ path: 'run', message: 'is not allowed on a parallel task, which runs no command of its own' })]);
  });

  it('build scheduled jobs, checking the cron expression', () => {
    const nightly = scheduledJob({ name: 'nightly', schedule: { cron: '0 2 * * *', timezone: 'Europe/Paris' }, tasks: [hello] });
    expect(nightly.schedule).toEqual({ cron: '0 2 * * *', timezone: 'Europe/Paris' });
    expect(buildError(() => scheduledJob({ name: 'never', cron: '61 * * * *', tasks: [hello] })).errors).toEqual([expect.objectContaining({ path: 'cron' })]);
  });
});

describe('expression helpers', () => {
  const environment = createEnvironment({ inputs: { name: 'world', 'odd-name': 'odd' }, secrets: { token: 's3cret' }, tasks: { greeting: 'hi' } }, { ...eachBindings('n', 2, 'three'), ...eachBindings('point', 0, { x: 3 }) });

  it.each([
    [inputs('name'), '{{ inputs.name }}', 'world'],
    [inputs('odd-name'), '{{ inputs["odd-name"] }}', 'odd'],
    [secrets('token'), '{{ secrets.token }}', 's3cret'],
    [tasks('greeting'), '{{ tasks.greeting }}', 'hi'],
    [item('n').value, '{{ n.value }}', 'three'],
    [item('n').index, '{{ n.index }}', '2'],
    [item('point').field('x'), '{{ point.value.x }}', '3'],
    [expr('upper(inputs.name)'), '{{ upper(inputs.name) }}', 'WORLD'],
  ])('%s is the template %s and evaluates as the engine would', (template, text, value) => {
    expect(template).toBe(text);
    expect(evaluateTemplate(template, environment)).toEqual({ ok: true, value });
  });
});

describe('script', () => {
  it('dedents, keeps backslashes for the shell, and ends with one line break like a YAML block', () => {
    const name = 'world';
    const text = script`
      echo "hello ${name}"
      if [ -n "$X" ]; then
        printf 'a\nb\n'
      fi
    `;
    expect(text).toBe('echo "hello world"\nif [ -n "$X" ]; then\n  printf \'a\\nb\\n\'\nfi\n');
    const yaml = parseDocument(`name: s\ntasks:\n  - name: t\n    run: |\n      echo "hello world"\n      if [ -n "$X" ]; then\n        printf 'a\\nb\\n'\n      fi\n`, 'text/yaml');
    expect(yaml.ok && yaml.value.family === 'job' && yaml.value.job.tasks[0]?.run).toBe(text);
  });
});

describe('machine builders', () => {
  const pipeline = machine({
    comment: 'build, then test',
    startAt: 'Build',
    states: {
      Build: state.task({ image: 'alpine:3.20', run: 'make', retry: [retrier(['TaskFailed'])], catch: [{ errorEquals: ['States.ALL'], next: 'Broken' }], next: 'Check' }),
      Check: state.choice({ choices: [{ condition: '$.ok == true', next: 'Done' }], default: 'Broken' }),
      Done: state.succeed(),
      Broken: state.fail({ error: 'BuildFailed', cause: 'see the logs' }),
    },
  });

  it('build the camelCase dialect, with AWS defaults filled into retriers', () => {
    expect(pipeline.states['Build']).toEqual({
      type: 'task',
      image: 'alpine:3.20',
      run: 'make',
      retry: [{ errorEquals: ['TaskFailed'], intervalSeconds: 1, maxAttempts: 3, backoffRate: 2 }],
      catch: [{ errorEquals: ['States.ALL'], next: 'Broken' }],
      next: 'Check',
    });
    const reread = readDocument(pipeline.toYAML(), 'text/yaml');
    expect(reread.ok && reread.value).toEqual(pipeline);
    expect(parseMachine(reread.ok ? reread.value : undefined).ok).toBe(true);
  });

  it('nest machines as parallel branches and map item processors', () => {
    const branch = machine({ startAt: 'Say', states: { Say: state.pass({ result: 'hi', end: true }) } });
    const built = machine({
      startAt: 'Both',
      states: {
        Both: state.parallel({ branches: [branch, branch], next: 'Each' }),
        Each: state.map({ itemsPath: '$.items', maxConcurrency: 2, itemProcessor: branch, next: 'Later' }),
        Later: state.wait({ seconds: 1, end: true }),
      },
    });
    expect(built.states['Both']).toEqual({ type: 'parallel', branches: [branch, branch], next: 'Each' });
  });

  it('refuse what the compiler cannot see: unreachable states, rules of the dialect', () => {
    const error = buildError(() =>
      machine({
        startAt: 'A',
        states: { A: state.pass({ end: true }), Orphan: state.succeed(), Retried: state.task({ image: 'alpine', run: 'x', retry: [retrier(['States.ALL'], { maxAttempts: 0 })], end: true }) },
      }),
    );
    expect(error.errors.map((field) => field.path)).toEqual(expect.arrayContaining(['states.Orphan', 'states.Retried.retry[0].maxAttempts']));
  });
});

describe('choice conditions', () => {
  const classify = machine({
    startAt: 'Classify',
    states: {
      Classify: state.choice({
        choices: [
          { condition: cond.and(cond.present('$.size'), cond.gte('$.size', 100)), next: 'Large' },
          { condition: cond.or(cond.eq('$.kind', 'tiny'), cond.lt('$.size', 1)), next: 'Tiny' },
          { condition: cond.not(cond.matches('$.name', '^[a-z]+$')), next: 'Odd' },
          { condition: cond.samePath('$.size', '$.limit'), next: 'AtLimit' },
        ],
        default: 'Normal',
      }),
      Large: state.pass({ result: 'large', end: true }),
      Tiny: state.pass({ result: 'tiny', end: true }),
      Odd: state.pass({ result: 'odd', end: true }),
      AtLimit: state.pass({ result: 'at limit', end: true }),
      Normal: state.pass({ result: 'normal', end: true }),
    },
  });
  const run = async (input: unknown) => {
    const parsed = parseMachine(classify);
    if (!parsed.ok) throw new Error(parsed.error.message);
    return runMachine(parsed.value, input);
  };

  it('write the expressions the interpreter evaluates', () => {
    expect(classify.states['Classify']).toMatchObject({ choices: [{ condition: '($.size != nil) and ($.size >= 100)' }, { condition: '($.kind == "tiny") or ($.size < 1)' }, { condition: 'not ($.name matches "^[a-z]+$")' }, { condition: '$.size == $.limit' }] });
  });

  it.each([
    [{ size: 150, name: 'a' }, 'large'],
    [{ size: 5, kind: 'tiny', name: 'a' }, 'tiny'],
    [{ size: 0, name: 'a' }, 'tiny'],
    [{ size: 5, name: 'Odd Name' }, 'odd'],
    [{ size: 7, limit: 7, name: 'a' }, 'at limit'],
    [{ size: 5, limit: 7, name: 'a' }, 'normal'],
  ])('route %j to %s when run', async (input, result) => {
    expect(await run(input)).toEqual({ status: 'SUCCEEDED', output: result });
  });

  it('refuse what is not a path', () => {
    expect(() => cond.gt('size', 1)).toThrow('"size" is not a path like $.field or $.list[0] that a condition can compare');
  });
});

describe('trigger builders', () => {
  const deploy = job({ name: 'deploy', inputs: { version: 'latest' }, tasks: [task({ name: 'roll out', run: 'echo $VERSION', env: { VERSION: inputs('version') } })] });
  const greet = machine({ startAt: 'Greet', states: { Greet: state.pass({ result: 'hi', end: true }) } });
  const secret = 'a-shared-secret-of-32-characters';

  it('build every kind of trigger the contract defines', () => {
    expect(trigger.onEvent('on deploy', 'deploy', deploy, { condition: "payload.env == 'prod'", inputs: { version: '{{ payload.version }}' } })).toEqual({
      name: 'on deploy',
      enabled: true,
      event: 'deploy',
      condition: "payload.env == 'prod'",
      inputs: { version: '{{ payload.version }}' },
      job: JSON.parse(JSON.stringify(deploy)),
    });
    expect(trigger.onWebhook('from github', 'github-push', deploy, { secret, enabled: false })).toEqual({ name: 'from github', enabled: false, hookPath: 'github-push', secret, job: JSON.parse(JSON.stringify(deploy)) });
    expect(trigger.onSchedule('nightly', '0 2 * * *', deploy, { timezone: 'Europe/Berlin' })).toEqual({ name: 'nightly', enabled: true, cron: '0 2 * * *', timezone: 'Europe/Berlin', job: JSON.parse(JSON.stringify(deploy)) });
    expect(trigger.onSchedule('every minute', '* * * * *', deploy)).not.toHaveProperty('timezone');
    expect(trigger.manual('by hand', deploy, { id: 'by-hand' })).toMatchObject({ id: 'by-hand', name: 'by hand', enabled: true });
  });

  it('start a state machine, or a stored scheduled job instead of a document', () => {
    expect(trigger.onEvent('greet', 'hello', greet)).toEqual({ name: 'greet', enabled: true, event: 'hello', job: { startAt: 'Greet', states: { Greet: { type: 'pass', result: 'hi', end: true } } } });
    const byReference = trigger.onEvent('run nightly now', 'rerun', { scheduledJobId: 'sj-nightly' });
    expect(byReference).toEqual({ name: 'run nightly now', enabled: true, event: 'rerun', scheduledJobId: 'sj-nightly' });
    expect(byReference).not.toHaveProperty('job');
    expect(trigger.onSchedule('later', '0 * * * *', { scheduledJobId: 'sj-nightly' })).toMatchObject({ cron: '0 * * * *', scheduledJobId: 'sj-nightly' });
  });

  it('serialize to the YAML the CLI reads back', () => {
    const built = trigger.onWebhook('from github', 'github-push', greet, { secret });
    expect(readDocument(built.toYAML())).toEqual({ ok: true, value: JSON.parse(JSON.stringify(built)) });
  });

  it('validate the job a trigger starts, with paths under job', () => {
    const error = buildError(() => trigger.manual('broken', { name: 'broken', tasks: [{ name: 'no timeout', run: 'x', timeout: 'never' }] }));
    expect(error.errors).toEqual([expect.objectContaining({ path: 'job.tasks[0].timeout' })]);
    expect(buildError(() => trigger.onWebhook('bad path', '/not allowed', deploy, { secret })).errors).toEqual([expect.objectContaining({ path: 'hookPath' })]);
  });

  it('validate a machine a trigger starts with the ASL rules, with paths under job', () => {
    const unreachable = { startAt: 'A', states: { A: { type: 'pass', end: true }, Orphan: { type: 'succeed' } } } as unknown as ReturnType<typeof machine>;
    const error = buildError(() => trigger.onEvent('orphaned', 'x', unreachable));
    expect(error.errors).toEqual([expect.objectContaining({ path: 'job.states.Orphan' })]);
    expect(error.message).toContain('invalid trigger "orphaned"');
  });

  it('refuse a webhook secret the contract refuses, a bad cron and an unknown time zone', () => {
    expect(buildError(() => trigger.onWebhook('short', 'short-secret', deploy, { secret: 'too short' })).errors).toEqual([expect.objectContaining({ path: 'secret', message: 'must be at least 16 characters long' })]);
    expect(buildError(() => trigger.onWebhook('no secret', 'no-secret', deploy, {} as { secret: string })).errors).toEqual([expect.objectContaining({ path: 'secret' })]);
    expect(buildError(() => trigger.onSchedule('bad cron', '61 * * * *', deploy)).errors).toEqual([expect.objectContaining({ path: 'cron' })]);
    expect(buildError(() => trigger.onSchedule('bad zone', '0 2 * * *', deploy, { timezone: 'Mars/Olympus' })).errors).toEqual([expect.objectContaining({ path: 'cron' })]);
  });
});
