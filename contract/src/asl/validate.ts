/**
 * What a schema cannot say about a machine: transitions name real states, every state is reachable,
 * terminals are terminal, Retry/Catch lists are well-formed (`States.ALL` alone and last), Wait has one
 * duration, heartbeats are shorter than timeouts. Rules apply in every scope (Parallel branches and Map
 * processors are machines of their own). Paths are spelled the way the user wrote the document.
 */
import { fieldError, type FieldError, type PathSegment } from '../errors.ts';
import { ALL_ERRORS, type Catcher, type Machine, type MachineDialect, type MachineState, type Retrier } from './model.ts';

const AWS_SPELLING: Readonly<Record<string, string>> = {
  timeoutSeconds: 'TimeoutSeconds',
  heartbeatSeconds: 'HeartbeatSeconds',
  itemProcessor: 'ItemProcessor',
};
const TWERK_SPELLING: Readonly<Record<string, string>> = {
  timeoutSeconds: 'timeout',
  heartbeatSeconds: 'heartbeat',
  secondsPath: 'seconds_path',
  timestampPath: 'timestamp_path',
};

function spell(dialect: MachineDialect, key: string): string {
  if (dialect === 'twerk') return TWERK_SPELLING[key] ?? key;
  return AWS_SPELLING[key] ?? key[0]!.toUpperCase() + key.slice(1);
}

function targets(state: MachineState): { target: string; path: PathSegment[] }[] {
  const out: { target: string; path: PathSegment[] }[] = [];
  if ('next' in state && state.next !== undefined) out.push({ target: state.next, path: ['next'] });
  if (state.type === 'choice') {
    state.choices.forEach((rule, index) => out.push({ target: rule.next, path: ['choices', index, 'next'] }));
    if (state.default !== undefined) out.push({ target: state.default, path: ['default'] });
  }
  if ('catch' in state) state.catch.forEach((rule, index) => out.push({ target: rule.next, path: ['catch', index, 'next'] }));
  return out;
}

export function validateMachine(machine: Machine, base: readonly PathSegment[] = []): FieldError[] {
  const errors: FieldError[] = [];
  const { dialect } = machine;
  const at = (...segments: PathSegment[]): PathSegment[] => [...base, ...segments.map((segment) => (typeof segment === 'string' ? spell(dialect, segment) : segment))];
  const report = (path: PathSegment[], message: string): void => void errors.push(fieldError(path, message));
  const names = Object.keys(machine.states);

  if (names.length === 0) {
    report(at('states'), 'must have at least one state');
    return errors;
  }
  if (!(machine.startAt in machine.states)) report(at('startAt'), `names no state: "${machine.startAt}" is not one of ${names.map((name) => `"${name}"`).join(', ')}`);

  for (const [name, state] of Object.entries(machine.states)) {
    const statePath = (...segments: PathSegment[]): PathSegment[] => [...at('states'), name, ...segments.map((segment) => (typeof segment === 'string' ? spell(dialect, segment) : segment))];
    if (state.type === 'switch') {
      report(statePath('type'), 'switch states are not supported: use a choice state with conditions');
      continue;
    }
    if ('end' in state || 'next' in state || ['task', 'pass', 'wait', 'parallel', 'map'].includes(state.type)) {
      const hasNext = 'next' in state && state.next !== undefined;
      const hasEnd = 'end' in state && state.end === true;
      if (hasNext && hasEnd) report(statePath('next'), `cannot be combined with ${spell(dialect, 'end')}: a state either moves on or ends`);
      else if (!hasNext && !hasEnd) report(statePath(), `needs ${spell(dialect, 'next')} or ${spell(dialect, 'end')}: true`);
    }
    for (const { target, path } of targets(state)) {
      if (!(target in machine.states)) report(statePath(...path), `names no state: "${target}"`);
    }
    if ('retry' in state) validateRetry(state.retry, (...segments) => statePath('retry', ...segments), report, dialect);
    if ('catch' in state) validateCatch(state.catch, (...segments) => statePath('catch', ...segments), report, dialect);
    if (state.type === 'task' && state.heartbeatSeconds !== undefined && state.timeoutSeconds !== undefined && state.heartbeatSeconds >= state.timeoutSeconds) {
      report(statePath('heartbeatSeconds'), `must be less than ${spell(dialect, 'timeoutSeconds')} (${state.timeoutSeconds})`);
    }
    if (state.type === 'wait') {
      const given = (['seconds', 'timestamp', 'secondsPath', 'timestampPath'] as const).filter((key) => state[key] !== undefined).map((key) => spell(dialect, key));
      if (given.length !== 1) {
        report(statePath(), given.length === 0 ? `needs one of ${['seconds', 'timestamp', 'secondsPath', 'timestampPath'].map((key) => spell(dialect, key)).join(', ')}` : `takes only one of ${given.join(', ')}`);
      }
    }
    if (state.type === 'parallel') state.branches.forEach((branch, index) => errors.push(...validateMachine(branch, statePath('branches', index))));
    if (state.type === 'map') {
      if (state.itemProcessor === undefined) report(statePath('itemProcessor'), 'is required');
      else errors.push(...validateMachine(state.itemProcessor, statePath('itemProcessor')));
    }
  }

  if (machine.startAt in machine.states) {
    const reached = new Set<string>([machine.startAt]);
    const queue = [machine.startAt];
    while (queue.length > 0) {
      const state = machine.states[queue.shift()!]!;
      for (const { target } of targets(state)) {
        if (target in machine.states && !reached.has(target)) {
          reached.add(target);
          queue.push(target);
        }
      }
    }
    for (const name of names) if (!reached.has(name)) report([...at('states'), name], `is unreachable from ${spell(dialect, 'startAt')} "${machine.startAt}"`);
    const terminal = [...reached].some((name) => {
      const state = machine.states[name]!;
      return state.type === 'succeed' || state.type === 'fail' || ('end' in state && state.end === true);
    });
    if (!terminal) report(at('states'), 'no reachable state ends the execution: add a succeed or fail state, or end: true');
  }
  return errors;
}

type Report = (path: PathSegment[], message: string) => void;

function validateErrorList(list: readonly string[], path: (...segments: PathSegment[]) => PathSegment[], report: Report, dialect: MachineDialect): void {
  const all = list.indexOf(ALL_ERRORS);
  if (all >= 0 && list.length > 1) report(path('errorEquals'), `${dialect === 'aws' ? ALL_ERRORS : 'all'} must appear alone`);
}

function validateRetry(retry: readonly Retrier[], path: (...segments: PathSegment[]) => PathSegment[], report: Report, dialect: MachineDialect): void {
  retry.forEach((rule, index) => {
    validateErrorList(rule.errorEquals, (...segments) => path(index, ...segments), report, dialect);
    if (rule.errorEquals.includes(ALL_ERRORS) && index !== retry.length - 1) report(path(index, 'errorEquals'), `a retrier for ${dialect === 'aws' ? ALL_ERRORS : 'all'} must be the last one`);
    if (rule.maxDelaySeconds !== undefined && rule.maxDelaySeconds <= rule.intervalSeconds) report(path(index, 'maxDelaySeconds'), `must be greater than ${spell(dialect, 'intervalSeconds')} (${rule.intervalSeconds})`);
  });
}

function validateCatch(catchers: readonly Catcher[], path: (...segments: PathSegment[]) => PathSegment[], report: Report, dialect: MachineDialect): void {
  catchers.forEach((rule, index) => {
    validateErrorList(rule.errorEquals, (...segments) => path(index, ...segments), report, dialect);
    if (rule.errorEquals.includes(ALL_ERRORS) && index !== catchers.length - 1) report(path(index, 'errorEquals'), `a catcher for ${dialect === 'aws' ? ALL_ERRORS : 'all'} must be the last one`);
  });
}
