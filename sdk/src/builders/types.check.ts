/**
 * Type-level tests of the builders, checked by `tsc` (npm test runs it) and never executed. Each
 * `@ts-expect-error` line is misuse that must not compile: if a change to the types lets one through,
 * the directive is unused and tsc fails. The `expectTypeOf` lines pin down what correct use produces.
 */
import type { JobDocument, TaskDocument, TriggerInput, TwerkMachine } from '@twerk/contract';
import { expectTypeOf } from 'expect-type';
import { each, inputs, job, machine, parallel, retrier, scheduledJob, state, subjob, task, trigger, type TaskSpec } from '../index.ts';

declare function check(run: () => unknown): void;

const hello = task({ name: 'hello', run: 'echo hello' });

// Correct use compiles, and the results are the contract's document types.
expectTypeOf(hello).toMatchTypeOf<TaskDocument>();
expectTypeOf(job({ name: 'j', tasks: [hello, { name: 'inline', image: 'alpine:3.20' }, parallel('p', [hello])] })).toMatchTypeOf<JobDocument>();
expectTypeOf(machine({ startAt: 'A', states: { A: state.succeed() } })).toMatchTypeOf<TwerkMachine>();
expectTypeOf(hello.toYAML).returns.toBeString();
expectTypeOf<TaskSpec>().toHaveProperty('name');

// Unknown keys.
// @ts-expect-error `rn` is not a task field
check(() => task({ name: 'typo', rn: 'echo' }));
// @ts-expect-error `taks` is not a job field
check(() => job({ name: 'typo', taks: [hello], tasks: [hello] }));
// @ts-expect-error `reslt` is not a pass state field
check(() => state.pass({ next: 'B', reslt: 1 }));

// Wrong types.
// @ts-expect-error retry.limit is a number
check(() => task({ name: 'x', run: 'y', retry: { limit: 'three' } }));
// @ts-expect-error priority is a number
check(() => task({ name: 'x', run: 'y', priority: 'high' }));
// @ts-expect-error a wait of seconds is a number
check(() => state.wait({ seconds: '5', next: 'B' }));
// @ts-expect-error a runtime is one of docker, podman, shell
check(() => task({ name: 'x', run: 'y', runtime: 'lxc' }));

// Missing required fields.
// @ts-expect-error a task needs a name
check(() => task({ run: 'echo' }));
// @ts-expect-error a task needs something to run: run, cmd or image
check(() => task({ name: 'idle' }));
// @ts-expect-error a job needs tasks
check(() => job({ name: 'empty' }));
// @ts-expect-error a scheduled job is still a job: it needs tasks
check(() => scheduledJob({ name: 'nightly', schedule: { cron: '0 2 * * *' } }));
// @ts-expect-error an each block needs its task
check(() => each('loop', { list: inputs('items') }));
// @ts-expect-error a sub-job needs a name of its own
check(() => subjob('child', { tasks: [hello] }));

// Two composites, or a command on a composite.
// @ts-expect-error parallel and each on one task
check(() => task({ name: 'both', parallel: { tasks: [hello] }, each: { list: '{{ [1] }}', task: hello } }));
// @ts-expect-error a parallel task runs no command
check(() => task({ name: 'both', run: 'echo', parallel: { tasks: [hello] } }));
// @ts-expect-error composite options exclude command fields
check(() => parallel('fan out', [hello], { image: 'alpine' }));

// State transitions.
machine({ startAt: 'A', states: { A: state.pass({ next: 'B' }), B: state.succeed() } });
machine({ startAt: 'A', states: { A: { type: 'choice', choices: [{ condition: '$.x > 1', next: 'B' }], default: 'B' }, B: { type: 'succeed' } } });

// Shared constants and `as const` data fit the specs.
const scratchVolume = [{ type: 'volume', target: '/tmp' }] as const;
task({ name: 'shared mounts', run: 'true', mounts: scratchVolume, tags: ['a', 'b'] as const });
// @ts-expect-error a schedule makes it a scheduledJob
check(() => job({ name: 'nightly', schedule: { cron: '0 2 * * *' }, tasks: [hello] }));
// @ts-expect-error next names a state that does not exist
check(() => machine({ startAt: 'A', states: { A: state.pass({ next: 'C' }), B: state.succeed() } }));
// @ts-expect-error startAt names a state that does not exist
check(() => machine({ startAt: 'Z', states: { A: state.pass({ end: true }) } }));
// @ts-expect-error a choice default that does not exist
check(() => machine({ startAt: 'A', states: { A: state.choice({ choices: [{ condition: '$.x', next: 'B' }], default: 'Q' }), B: state.succeed() } }));
// @ts-expect-error a catcher's next that does not exist
check(() => machine({ startAt: 'A', states: { A: state.task({ image: 'alpine', run: 'x', end: true, catch: [{ errorEquals: ['States.ALL'], next: 'Oops' }] }) } }));
// @ts-expect-error an inline state object is checked too
check(() => machine({ startAt: 'A', states: { A: { type: 'pass', next: 'X' } } }));
// @ts-expect-error next and end together
check(() => state.pass({ next: 'B', end: true }));
// @ts-expect-error a wait needs exactly one of seconds, timestamp, seconds_path, timestamp_path
check(() => state.wait({ seconds: 1, timestamp: '2026-12-01T00:00:00Z', next: 'B' }));
// @ts-expect-error a parallel branch is a built machine
check(() => state.parallel({ branches: [{ startAt: 'A' }], end: true }));
// @ts-expect-error a retrier names at least one error
check(() => retrier([]));

// Triggers.
// @ts-expect-error the trigger's job is a job: it needs tasks
check(() => trigger.onEvent('on deploy', 'deploy', { name: 'deploy' }));
const deploy = job({ name: 'deploy', tasks: [hello] });
const greet = machine({ startAt: 'A', states: { A: state.succeed() } });
expectTypeOf(trigger.onEvent('greet', 'hello', greet)).toMatchTypeOf<TriggerInput>();
trigger.onEvent('rerun', 'rerun', { scheduledJobId: 'sj-1' });
trigger.onSchedule('nightly', '0 2 * * *', deploy, { timezone: 'Europe/Berlin' });
trigger.onWebhook('from github', 'github-push', greet, { secret: 'a-shared-secret-of-32-characters' });
// @ts-expect-error a webhook trigger needs its secret
check(() => trigger.onWebhook('from github', 'github-push', deploy));
// @ts-expect-error a webhook trigger's options must carry the secret
check(() => trigger.onWebhook('from github', 'github-push', deploy, { enabled: false }));
// @ts-expect-error an inline machine is not checked by the compiler: build it with machine()
check(() => trigger.onEvent('greet', 'hello', { startAt: 'A', states: { A: { type: 'succeed' } } }));
// @ts-expect-error how it fires is the builder's: onEvent takes no cron
check(() => trigger.onEvent('both', 'deploy', deploy, { cron: '* * * * *' }));
// @ts-expect-error a time zone belongs to a schedule
check(() => trigger.onEvent('zoned', 'deploy', deploy, { timezone: 'UTC' }));
// @ts-expect-error a scheduled job reference is only its id
check(() => trigger.manual('rerun', { scheduledJobId: 1 }));
