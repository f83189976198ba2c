/**
 * The client commands of `twerk` (job, scheduled-job, trigger, event, queue, node): a talk with a server's REST API
 * through @twerk/sdk's client. Exit codes as seed 000 says: 0 done, 2 for a command line that does not
 * parse, 1 when the server says no, cannot be reached, or the job waited for did not complete. With
 * --json, stdout carries JSON only (the server's answer, or `{"error": …}`) and stderr stays empty.
 */
import { readFileSync } from 'node:fs';
import { readDocument as readTree } from '@twerk/contract';
import { createClient, TwerkApiError, TwerkConnectionError, type FieldError, type Fired, type Job, type Trigger, type TriggerInput, type TwerkClient } from '@twerk/sdk';
import { clientCredentials, loadSettings, resolveClientConfig, type Settings } from '../config/config.ts';
import { formatDuration, taskSummary } from './progress.ts';
import { watchJob } from './watch.ts';

export const CLIENT_GROUPS: readonly string[] = ['job', 'scheduled-job', 'trigger', 'event', 'queue', 'node'];

class UsageError extends Error {}

/** A failure already explained: the message is what the user reads. */
class CommandFailure extends Error {
  readonly details: Record<string, unknown>;
  constructor(message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.details = details;
  }
}

interface Parsed {
  readonly positionals: readonly string[];
  readonly flags: ReadonlySet<string>;
  readonly values: ReadonlyMap<string, string>;
}

interface Context {
  readonly client: TwerkClient;
  readonly json: boolean;
  readonly stdout: NodeJS.WriteStream;
  line(text: string): void;
  data(value: unknown): void;
}

interface Command {
  /** Arguments after the group and command, e.g. "FILE [--wait] [--follow]". */
  readonly synopsis: string;
  readonly summary: string;
  readonly args: readonly string[];
  readonly flags?: readonly string[];
  readonly options?: readonly string[];
  run(context: Context, parsed: Parsed): Promise<number>;
}

const ALIASES: Readonly<Record<string, string>> = { '-e': '--endpoint', '--query': '-q' };
const COMMON_FLAGS = ['--json', '--help', '-h'];
const COMMON_OPTIONS = ['--endpoint'];
const PAGE_OPTIONS = ['--page', '--size'];
const FIRING_OPTIONS = ['--payload', '--idempotency-key'];

function positiveInteger(parsed: Parsed, name: string): number | undefined {
  const value = parsed.values.get(name);
  if (value === undefined) return undefined;
  if (!/^[1-9]\d{0,8}$/.test(value)) throw new UsageError(`${name} takes a positive whole number, not "${value}"`);
  return Number(value);
}

function pageOptions(parsed: Parsed): { page?: number; size?: number; q?: string } {
  const page = positiveInteger(parsed, '--page');
  const size = positiveInteger(parsed, '--size');
  const q = parsed.values.get('-q');
  return { ...(page !== undefined ? { page } : {}), ...(size !== undefined ? { size } : {}), ...(q !== undefined ? { q } : {}) };
}

function readDocument(file: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (caught) {
    throw new CommandFailure(`cannot read ${file}: ${(caught as Error).message}`);
  }
}

/** A trigger file (YAML or JSON; - for stdin) as the tree the server validates. */
function readTrigger(file: string): TriggerInput {
  const tree = readTree(readDocument(file));
  if (!tree.ok) throw new CommandFailure(`${file}: ${tree.error.message}`);
  if (tree.value === null || typeof tree.value !== 'object' || Array.isArray(tree.value)) throw new CommandFailure(`${file}: a trigger is a mapping (name, enabled, what fires it, job)`);
  return tree.value as TriggerInput;
}

/** `--payload JSON` (an object) and `--idempotency-key K`, as the client's fire and publish take them. */
function firingOf(parsed: Parsed): { payload?: Record<string, unknown>; options: { idempotencyKey?: string } } {
  const text = parsed.values.get('--payload');
  const key = parsed.values.get('--idempotency-key');
  let payload: unknown;
  if (text !== undefined) {
    try {
      payload = JSON.parse(text) as unknown;
    } catch {
      throw new UsageError(`--payload takes a JSON object, not ${JSON.stringify(text)}`);
    }
    if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) throw new UsageError(`--payload takes a JSON object, not ${text}`);
  }
  if (key === '') throw new UsageError('--idempotency-key must not be empty');
  return { ...(payload !== undefined ? { payload: payload as Record<string, unknown> } : {}), options: key !== undefined ? { idempotencyKey: key } : {} };
}

/** How a trigger fires, e.g. "event deploy, cron 0 2 * * * (Europe/Paris)"; "by hand" when only POST /triggers/{id}/fire starts it. */
function firesOn(trigger: Trigger): string {
  const ways = [
    trigger.event !== undefined ? `event ${trigger.event}` : undefined,
    trigger.hookPath !== undefined ? `POST /hooks/${trigger.hookPath}` : undefined,
    trigger.cron !== undefined ? `cron ${trigger.cron}${trigger.timezone !== undefined ? ` (${trigger.timezone})` : ''}` : undefined,
  ].filter((way) => way !== undefined);
  return ways.length > 0 ? ways.join(', ') : 'by hand';
}

/** What a trigger starts: a job by name, a state machine, or a stored scheduled job. */
function starts(trigger: Trigger): string {
  if (trigger.scheduledJobId !== undefined) return `scheduled job ${trigger.scheduledJobId}`;
  const job = trigger.job;
  if (job === undefined) return '-';
  if ('startAt' in job || 'StartAt' in job) return 'a state machine';
  return typeof job['name'] === 'string' ? `job "${job['name']}"` : 'a job';
}

/** One line per trigger a firing reached: the job it started (or had started, for a repeated key), or why not. */
function firedLines(fired: Fired): string[] {
  return [
    ...fired.jobs.map((started) => (started.duplicate === true ? `trigger ${started.triggerId} already started job ${started.jobId} with this idempotency key` : `trigger ${started.triggerId} started job ${started.jobId}`)),
    ...(fired.skipped ?? []).map((skipped) => `trigger ${skipped.triggerId} started nothing: ${skipped.reason}`),
  ];
}

/** "2026-12-01T11:15:04.953Z" as "2026-12-01 11:15:04". */
function time(value: string | undefined): string {
  if (value === undefined) return '-';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? value : date.toISOString().slice(0, 19).replace('T', ' ');
}

/** Columns padded to their widest cell; the last one is not padded. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const format = (row: readonly string[]): string => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join('  ').trimEnd();
  return [format(header), ...rows.map(format)];
}

function oneLine(text: string | undefined): string {
  return (text ?? '').replace(/\n$/, '').replaceAll('\n', '⏎');
}

function keyValues(pairs: readonly (readonly [string, string | number | undefined])[]): string[] {
  const present = pairs.filter((pair): pair is readonly [string, string | number] => pair[1] !== undefined && pair[1] !== '');
  const width = Math.max(...present.map(([key]) => key.length)) + 1;
  return present.map(([key, value]) => `${`${key}:`.padEnd(width)} ${value}`);
}

export function jobDetails(job: Job): string[] {
  const end = job.completedAt ?? job.failedAt;
  const lines = keyValues([
    ['id', job.id],
    ['name', job.name],
    ['description', job.description],
    ['state', job.state],
    ['created', time(job.createdAt)],
    ['started', job.startedAt && time(job.startedAt)],
    ['ended', end && time(end)],
    ['duration', end !== undefined ? formatDuration(Date.parse(end) - Date.parse(job.startedAt ?? job.createdAt)) : undefined],
    ['tags', job.tags?.join(', ')],
    ['progress', job.progress !== undefined ? `${Math.round(job.progress)}%` : undefined],
    ['tasks', taskSummary(job)],
    ['result', job.result !== undefined ? oneLine(job.result) : undefined],
    ['error', job.error],
  ]);
  if (job.execution.length > 0) {
    lines.push('');
    lines.push(...table(['POS', 'TASK', 'STATE', 'ID', 'RESULT / ERROR'], job.execution.map((task) => [String(task.position ?? ''), task.name ?? '', task.state, task.id, oneLine(task.error ?? task.result)])));
  }
  return lines;
}

const idCommand = (summary: string, act: (client: TwerkClient, id: string) => Promise<void>, done: string): Command => ({
  synopsis: 'ID',
  summary,
  args: ['ID'],
  async run(context, { positionals: [id] }) {
    await act(context.client, id!);
    if (context.json) context.data({ status: 'OK' });
    else context.line(`${done} ${id}`);
    return 0;
  },
});

const GROUPS: Readonly<Record<string, Readonly<Record<string, Command>>>> = {
  job: {
    submit: {
      synopsis: 'FILE [--wait] [--follow]',
      summary: 'submit a job document (YAML or JSON; - for stdin); --wait until it ends, --follow its log too',
      args: ['FILE'],
      flags: ['--wait', '--follow'],
      async run(context, parsed) {
        const summary = await context.client.jobs.submitDocument(readDocument(parsed.positionals[0]!));
        if (!parsed.flags.has('--wait') && !parsed.flags.has('--follow')) {
          if (context.json) context.data(summary);
          else context.line(`submitted job ${summary.id} (${summary.name}, ${summary.state})`);
          return 0;
        }
        const job = context.json ? await context.client.jobs.wait(summary.id) : await watchJob(context.client, summary.id, { follow: parsed.flags.has('--follow'), out: context.stdout });
        if (job.state === 'COMPLETED') {
          if (context.json) context.data(job);
          return 0;
        }
        throw new CommandFailure(`job ${job.id} ${job.state}${job.error !== undefined ? `: ${job.error}` : ''}`, { state: job.state, job });
      },
    },
    list: {
      synopsis: '[--page N] [--size N] [-q QUERY]',
      summary: 'list jobs, newest first (QUERY: words, tag:x, tags:a,b)',
      args: [],
      options: [...PAGE_OPTIONS, '-q'],
      async run(context, parsed) {
        const page = await context.client.jobs.list(pageOptions(parsed));
        if (context.json) {
          context.data(page);
          return 0;
        }
        for (const line of table(['ID', 'NAME', 'STATE', 'CREATED', 'TASKS'], page.items.map((job) => [job.id, job.name, job.state, time(job.createdAt), String(job.taskCount ?? '')]))) context.line(line);
        context.line(`page ${page.number} of ${Math.max(1, page.totalPages)}, ${page.totalItems} job${page.totalItems === 1 ? '' : 's'}`);
        return 0;
      },
    },
    get: {
      synopsis: 'ID',
      summary: 'show a job and its tasks',
      args: ['ID'],
      async run(context, { positionals: [id] }) {
        const job = await context.client.jobs.get(id!);
        if (context.json) context.data(job);
        else for (const line of jobDetails(job)) context.line(line);
        return 0;
      },
    },
    log: {
      synopsis: 'ID [--follow]',
      summary: "print a job's log, oldest first; --follow until the job ends (--json: one part per line)",
      args: ['ID'],
      flags: ['--follow'],
      async run(context, parsed) {
        for await (const part of context.client.jobs.logs(parsed.positionals[0]!, { follow: parsed.flags.has('--follow'), pollMs: 250 })) {
          if (context.json) context.data(part);
          else context.stdout.write(part.contents);
        }
        return 0;
      },
    },
    cancel: idCommand('cancel a running job', (client, id) => client.jobs.cancel(id), 'cancelled job'),
    restart: idCommand('restart a FAILED or CANCELLED job from where it stopped', (client, id) => client.jobs.restart(id), 'restarted job'),
    delete: idCommand('delete a finished job with its tasks and logs', (client, id) => client.jobs.delete(id), 'deleted job'),
  },
  'scheduled-job': {
    create: {
      synopsis: 'FILE',
      summary: 'schedule a job document with a cron (YAML or JSON; - for stdin)',
      args: ['FILE'],
      async run(context, { positionals: [file] }) {
        const scheduled = await context.client.scheduledJobs.createDocument(readDocument(file!));
        if (context.json) context.data(scheduled);
        else context.line(`scheduled job ${scheduled.id} (${scheduled.name}, ${scheduled.cron}, ${scheduled.state})`);
        return 0;
      },
    },
    list: {
      synopsis: '[--page N] [--size N]',
      summary: 'list scheduled jobs, newest first',
      args: [],
      options: PAGE_OPTIONS,
      async run(context, parsed) {
        const page = await context.client.scheduledJobs.list(pageOptions(parsed));
        if (context.json) {
          context.data(page);
          return 0;
        }
        for (const line of table(['ID', 'NAME', 'STATE', 'CRON', 'NEXT RUN'], page.items.map((item) => [item.id, item.name, item.state, item.cron, time(item.nextRunAt)]))) context.line(line);
        context.line(`page ${page.number} of ${Math.max(1, page.totalPages)}, ${page.totalItems} scheduled job${page.totalItems === 1 ? '' : 's'}`);
        return 0;
      },
    },
    get: {
      synopsis: 'ID',
      summary: 'show a scheduled job',
      args: ['ID'],
      async run(context, { positionals: [id] }) {
        const scheduled = await context.client.scheduledJobs.get(id!);
        if (context.json) {
          context.data(scheduled);
          return 0;
        }
        const lines = keyValues([
          ['id', scheduled.id],
          ['name', scheduled.name],
          ['description', scheduled.description],
          ['state', scheduled.state],
          ['cron', scheduled.cron],
          ['timezone', scheduled.timezone],
          ['next run', scheduled.nextRunAt && time(scheduled.nextRunAt)],
          ['created', time(scheduled.createdAt)],
          ['tasks', String(scheduled.tasks.length)],
        ]);
        for (const line of lines) context.line(line);
        return 0;
      },
    },
    pause: idCommand('pause a scheduled job', (client, id) => client.scheduledJobs.pause(id), 'paused scheduled job'),
    resume: idCommand('resume a paused scheduled job', (client, id) => client.scheduledJobs.resume(id), 'resumed scheduled job'),
    delete: idCommand('unschedule a scheduled job (the jobs it started stay)', (client, id) => client.scheduledJobs.delete(id), 'deleted scheduled job'),
  },
  trigger: {
    list: {
      synopsis: '',
      summary: 'list triggers, by id',
      args: [],
      async run(context) {
        const triggers = await context.client.triggers.list();
        if (context.json) {
          context.data(triggers);
          return 0;
        }
        const rows = triggers.map((trigger) => [trigger.id, trigger.name, trigger.enabled ? 'yes' : 'no', firesOn(trigger), starts(trigger), time(trigger.lastFiredAt)]);
        for (const line of table(['ID', 'NAME', 'ENABLED', 'FIRES ON', 'STARTS', 'LAST FIRED'], rows)) context.line(line);
        context.line(`${triggers.length} trigger${triggers.length === 1 ? '' : 's'}`);
        return 0;
      },
    },
    get: {
      synopsis: 'ID',
      summary: 'show a trigger (its hook secret is never shown)',
      args: ['ID'],
      async run(context, { positionals: [id] }) {
        const trigger = await context.client.triggers.get(id!);
        if (context.json) {
          context.data(trigger);
          return 0;
        }
        const lines = keyValues([
          ['id', trigger.id],
          ['name', trigger.name],
          ['enabled', trigger.enabled ? 'yes' : 'no'],
          ['fires on', firesOn(trigger)],
          ['condition', trigger.condition],
          ['starts', starts(trigger)],
          ['inputs', trigger.inputs !== undefined ? Object.entries(trigger.inputs).map(([key, value]) => `${key}=${value}`).join(', ') : undefined],
          ['next run', trigger.nextRunAt && time(trigger.nextRunAt)],
          ['last fired', trigger.lastFiredAt && time(trigger.lastFiredAt)],
          ['version', trigger.version],
          ['created', time(trigger.createdAt)],
          ['updated', time(trigger.updatedAt)],
        ]);
        for (const line of lines) context.line(line);
        return 0;
      },
    },
    create: {
      synopsis: 'FILE',
      summary: 'create a trigger from a YAML or JSON file (- for stdin)',
      args: ['FILE'],
      async run(context, { positionals: [file] }) {
        const trigger = await context.client.triggers.create(readTrigger(file!));
        if (context.json) context.data(trigger);
        else context.line(`created trigger ${trigger.id} (${trigger.name}, ${firesOn(trigger)})`);
        return 0;
      },
    },
    update: {
      synopsis: 'ID FILE',
      summary: "replace a trigger; with `version` in the file, only if it is still the stored one",
      args: ['ID', 'FILE'],
      async run(context, { positionals: [id, file] }) {
        const trigger = await context.client.triggers.update(id!, readTrigger(file!));
        if (context.json) context.data(trigger);
        else context.line(`updated trigger ${trigger.id} (${trigger.name}, version ${trigger.version})`);
        return 0;
      },
    },
    delete: idCommand('delete a trigger: it stops firing at once', (client, id) => client.triggers.delete(id), 'deleted trigger'),
    fire: {
      synopsis: 'ID [--payload JSON] [--idempotency-key K]',
      summary: "start a trigger's job now (its condition is not consulted); a repeated key starts nothing new",
      args: ['ID'],
      options: FIRING_OPTIONS,
      async run(context, parsed) {
        const { payload, options } = firingOf(parsed);
        const fired = await context.client.triggers.fire(parsed.positionals[0]!, payload, options);
        if (fired.jobs.length === 0) throw new CommandFailure(firedLines(fired).join('; ') || 'the trigger started nothing', { skipped: fired.skipped ?? [] });
        if (context.json) context.data(fired);
        else for (const line of firedLines(fired)) context.line(line);
        return 0;
      },
    },
    firings: {
      synopsis: 'ID [--page N] [--size N]',
      summary: "list a trigger's firings, newest first: the job each started, or why none",
      args: ['ID'],
      options: PAGE_OPTIONS,
      async run(context, parsed) {
        const { page, size } = pageOptions(parsed);
        const firings = await context.client.triggers.firings(parsed.positionals[0]!, { ...(page !== undefined ? { page } : {}), ...(size !== undefined ? { size } : {}) });
        if (context.json) {
          context.data(firings);
          return 0;
        }
        const rows = firings.items.map((firing) => [time(firing.firedAt), firing.source, firing.jobId !== undefined ? `job ${firing.jobId}` : (firing.reason ?? ''), firing.idempotencyKey ?? '']);
        for (const line of table(['FIRED', 'SOURCE', 'STARTED', 'IDEMPOTENCY KEY'], rows)) context.line(line);
        context.line(`page ${firings.number} of ${Math.max(1, firings.totalPages)}, ${firings.totalItems} firing${firings.totalItems === 1 ? '' : 's'}`);
        return 0;
      },
    },
  },
  event: {
    publish: {
      synopsis: 'NAME [--payload JSON] [--idempotency-key K]',
      summary: 'publish an event: every enabled trigger listening for NAME whose condition holds starts its job',
      args: ['NAME'],
      options: FIRING_OPTIONS,
      async run(context, parsed) {
        const name = parsed.positionals[0]!;
        const { payload, options } = firingOf(parsed);
        const fired = await context.client.triggers.publish(name, payload, options);
        if (context.json) {
          context.data(fired);
          return 0;
        }
        const lines = firedLines(fired);
        for (const line of lines.length > 0 ? lines : [`no enabled trigger listens for event ${name}`]) context.line(line);
        return 0;
      },
    },
  },
  queue: {
    list: {
      synopsis: '',
      summary: 'list work queues with their backlog',
      args: [],
      async run(context) {
        const queues = await context.client.queues.list();
        if (context.json) {
          context.data(queues);
          return 0;
        }
        for (const line of table(['NAME', 'SIZE', 'SUBSCRIBERS', 'UNACKED'], queues.map((queue) => [queue.name, String(queue.size), String(queue.subscribers), String(queue.unacked)]))) context.line(line);
        return 0;
      },
    },
  },
  node: {
    list: {
      synopsis: '',
      summary: 'list coordinators and workers seen in the last 5 minutes',
      args: [],
      async run(context) {
        const nodes = await context.client.nodes.list();
        if (context.json) {
          context.data(nodes);
          return 0;
        }
        const rows = nodes.map((node) => [node.id, node.name ?? '', node.kind ?? '', node.status, (node.queues ?? (node.queue !== undefined ? [node.queue] : [])).join(','), String(node.taskCount ?? ''), node.cpuPercent !== undefined ? `${node.cpuPercent.toFixed(1)}%` : '', time(node.lastHeartbeatAt)]);
        for (const line of table(['ID', 'NAME', 'KIND', 'STATUS', 'QUEUES', 'TASKS', 'CPU', 'LAST HEARTBEAT'], rows)) context.line(line);
        return 0;
      },
    },
  },
};

export function groupUsage(group: string): string {
  const commands = GROUPS[group] ?? {};
  const lines = Object.entries(commands).map(([name, command]) => [`  twerk ${group} ${name}${command.synopsis !== '' ? ` ${command.synopsis}` : ''}`, command.summary] as const);
  const width = Math.max(...lines.map(([synopsis]) => synopsis.length)) + 2;
  return [`usage:`, ...lines.map(([synopsis, summary]) => `${synopsis.padEnd(width)}${summary}`), `options: -e, --endpoint URL (default: client.endpoint, TWERK_CLIENT_ENDPOINT, else http://localhost:8000); --json`, `credentials: TWERK_CLIENT_APIKEY, or TWERK_CLIENT_USERNAME and TWERK_CLIENT_PASSWORD (client.apikey, client.username, client.password)`].join('\n');
}

function canonical(name: string): string {
  return ALIASES[name] ?? name;
}

/** The first argument that is not an option or an option's value: the command. */
function findCommand(args: readonly string[]): number {
  const valued = new Set([...COMMON_OPTIONS, ...PAGE_OPTIONS, ...FIRING_OPTIONS, '-q']);
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (arg === '--') return index + 1 < args.length ? index + 1 : -1;
    if (!arg.startsWith('-') || arg === '-') return index;
    if (!arg.includes('=') && valued.has(canonical(arg))) index += 1;
  }
  return -1;
}

function parseArgs(args: readonly string[], command: Command): Parsed {
  const flags = new Set<string>();
  const values = new Map<string, string>();
  const positionals: string[] = [];
  const knownFlags = [...COMMON_FLAGS, ...(command.flags ?? [])];
  const knownOptions = [...COMMON_OPTIONS, ...(command.options ?? [])];
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (arg === '--') {
      positionals.push(...args.slice(index + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const equals = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = canonical(equals >= 0 ? arg.slice(0, equals) : arg);
    if (knownOptions.includes(name)) {
      const value = equals >= 0 ? arg.slice(equals + 1) : args[++index];
      if (value === undefined) throw new UsageError(`${arg} needs a value`);
      values.set(name, value);
    } else if (knownFlags.includes(name) && equals < 0) flags.add(name);
    else throw new UsageError(`unknown option ${arg}`);
  }
  if (positionals.length < command.args.length) throw new UsageError(`missing ${command.args.slice(positionals.length).join(' ')}`);
  if (positionals.length > command.args.length) throw new UsageError(`unexpected argument ${positionals[command.args.length]}`);
  return { positionals, flags, values };
}

function endpointOf(parsed: Parsed, settings: Settings): string {
  const given = parsed.values.get('--endpoint');
  if (given !== undefined) {
    if (!/^https?:\/\//.test(given) || !URL.canParse(given)) throw new CommandFailure(`--endpoint: "${given}" is not an http(s) URL`);
    return given;
  }
  const resolved = resolveClientConfig(settings);
  if (resolved.error !== undefined) throw new CommandFailure(resolved.error);
  return resolved.endpoint;
}

interface Failure {
  readonly message: string;
  readonly status?: number;
  readonly errors?: readonly FieldError[];
  readonly details?: Record<string, unknown>;
}

function describeFailure(caught: unknown, endpoint: string | undefined): Failure {
  // fastify's answer for a path it has no route for: say so rather than echo "Not Found".
  if (caught instanceof TwerkApiError && caught.status === 404 && caught.message === 'Not Found') return { message: `the server at ${endpoint ?? 'the endpoint'} does not serve this request (404 Not Found)`, status: 404 };
  if (caught instanceof TwerkApiError) return { message: caught.message, status: caught.status, ...(caught.errors.length > 0 ? { errors: caught.errors } : {}) };
  if (caught instanceof TwerkConnectionError) {
    const reason = caught.cause instanceof Error ? caught.cause.message : caught.message;
    return { message: `cannot reach the server at ${endpoint ?? 'the endpoint'}: ${reason}` };
  }
  if (caught instanceof CommandFailure) return { message: caught.message, details: caught.details };
  return { message: caught instanceof Error ? caught.message : String(caught) };
}

/** Runs `twerk <group> …`; answers the exit code. */
export async function runClientCommand(group: string, args: readonly string[], io: { stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream } = process): Promise<number> {
  const json = args.includes('--json');
  const writeJson = (value: unknown): void => void io.stdout.write(`${JSON.stringify(value)}\n`);
  const usage = groupUsage(group);
  const index = findCommand(args);
  const name = index >= 0 ? args[index]! : undefined;
  if (name === 'help' || args.includes('--help') || args.includes('-h')) {
    if (json) writeJson({ content: usage });
    else io.stdout.write(`${usage}\n`);
    return 0;
  }
  let endpoint: string | undefined;
  let parsed: Parsed;
  let command: Command;
  try {
    if (name === undefined) throw new UsageError(`twerk ${group} needs a command`);
    const found = GROUPS[group]?.[name];
    if (found === undefined) throw new UsageError(`unknown command "${group} ${name}"`);
    command = found;
    parsed = parseArgs([...args.slice(0, index), ...args.slice(index + 1)], command);
  } catch (caught) {
    if (!(caught instanceof UsageError)) throw caught;
    if (json) writeJson({ error: { message: caught.message, usage } });
    else io.stderr.write(`twerk: ${caught.message}\n${usage}\n`);
    return 2;
  }
  let client: TwerkClient | undefined;
  try {
    const { settings } = loadSettings();
    endpoint = endpointOf(parsed, settings);
    const auth = clientCredentials(settings);
    client = createClient({ baseUrl: endpoint, ...(auth !== undefined ? { auth } : {}) });
    const context: Context = {
      client,
      json,
      stdout: io.stdout,
      line: (text) => void io.stdout.write(`${text}\n`),
      data: writeJson,
    };
    return await command.run(context, parsed);
  } catch (caught) {
    if (caught instanceof UsageError) {
      if (json) writeJson({ error: { message: caught.message, usage } });
      else io.stderr.write(`twerk: ${caught.message}\n${usage}\n`);
      return 2;
    }
    const failure = describeFailure(caught, endpoint);
    if (json) {
      const { details, ...error } = failure;
      const { job, ...rest } = details ?? {};
      writeJson({ error: { ...error, ...rest }, ...(job !== undefined ? { job } : {}) });
    } else {
      io.stderr.write(`twerk: ${failure.message}\n${(failure.errors ?? []).map((error) => `  ${error.path === '' ? '(document)' : error.path}: ${error.message}\n`).join('')}`);
    }
    return 1;
  } finally {
    client?.close();
  }
}
