/**
 * What an HTTP worker runs for a Twerk task: seed 004's workers run `sh -c "$command"`, so the
 * command is a self-contained POSIX sh script that does what the shell runtime does — a fresh
 * directory, the task's files in it, its env and Twerk's variables exported, pre steps, the script,
 * post steps — and at the end prints the task's $TWERK_OUTPUT as a `::set-output` line, which the
 * server reads back from the logs the worker pushes.
 *
 * No value of the user's is spliced into the script as text: env values, file names and contents,
 * step names and scripts travel base64-encoded (an alphabet that cannot break out of single quotes)
 * and are decoded when the script runs; env names are checked to be plain identifiers.
 */
import type { TaskDocument } from '@twerk/contract';

/** The `::set-output` key that carries the task's result (its $TWERK_OUTPUT), base64-encoded. */
export const RESULT_OUTPUT = 'TWERK_RESULT_BASE64';

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const b64 = (text: string) => `'${Buffer.from(text, 'utf8').toString('base64')}'`;
/** Twerk's ids are hex; anything else is dropped rather than quoted. */
const plainId = (id: string) => id.replace(/[^A-Za-z0-9_-]/g, '');

interface Step {
  readonly label: string;
  readonly run?: string;
  readonly cmd?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly files?: Readonly<Record<string, string>>;
}

function exports(env: Readonly<Record<string, string>> | undefined): string[] {
  return Object.entries(env ?? {}).map(([name, value]) => {
    if (!IDENTIFIER.test(name)) throw new Error(`env: "${name}" is not a variable name a shell can export`);
    // The trailing x keeps trailing newlines that $(…) would strip.
    return `${name}=$(twerk_b64 ${b64(value)}; printf x); ${name}=\${${name}%x}; export ${name}`;
  });
}

function files(entries: Readonly<Record<string, string>> | undefined): string[] {
  return Object.entries(entries ?? {}).map(([name, contents]) => {
    const parts = name.split('/');
    if (name === '' || name.startsWith('/') || parts.includes('..') || name.includes('\0')) throw new Error(`files: "${name}" must stay inside the task's working directory`);
    return `twerk_file=$(twerk_b64 ${b64(name)}); mkdir -p "$(dirname "$twerk_work/$twerk_file")" && twerk_b64 ${b64(contents)} > "$twerk_work/$twerk_file" || exit 1`;
  });
}

function invocation(step: Step, timeoutSecs: number | undefined): string {
  const limit = timeoutSecs === undefined ? '' : `twerk_timeout ${timeoutSecs} `;
  if (step.run !== undefined) return `twerk_b64 ${b64(step.run)} > "$twerk_dir/step" && ${limit}"$twerk_shell" "$twerk_dir/step"`;
  const argv = step.cmd ?? [];
  if (argv.length === 0) return 'true';
  return `set --${argv.map((arg) => ` "$(twerk_b64 ${b64(arg)})"`).join('')}; ${limit}"$@"`;
}

/** The script for one task (its templates already evaluated). Throws for env names or file paths no shell could honour. */
export function taskCommand(task: { readonly id: string; readonly jobId: string; readonly spec: TaskDocument; readonly timeoutSecs?: number }): string {
  const { spec } = task;
  const steps: Step[] = [
    ...(spec.pre ?? []).map((step) => ({ ...step, label: `pre task ${step.name}` })),
    { label: '', ...(spec.run !== undefined ? { run: spec.run } : {}), ...(spec.cmd !== undefined ? { cmd: spec.cmd } : {}), ...(spec.env !== undefined ? { env: spec.env } : {}) },
    ...(spec.post ?? []).map((step) => ({ ...step, label: `post task ${step.name}` })),
  ];
  const workdir = spec.workdir?.replace(/^\/+/, '');
  if (workdir !== undefined && workdir.split('/').includes('..')) throw new Error(`workdir: "${spec.workdir}" must stay inside the task's working directory`);
  const lines = [
    '#!/bin/sh',
    '# A Twerk task, as an HTTP worker runs it: sh -c "$command".',
    'twerk_b64() { printf %s "$1" | base64 -d; }',
    'twerk_timeout() { if command -v timeout >/dev/null 2>&1; then timeout -k 2 "$@"; else shift; "$@"; fi; }',
    'twerk_dir=$(mktemp -d "${TMPDIR:-/tmp}/twerk-task-XXXXXX") || exit 1',
    `trap 'rm -rf "$twerk_dir"' EXIT`,
    'twerk_work="$twerk_dir/work"; mkdir "$twerk_work" || exit 1',
    'if command -v bash >/dev/null 2>&1; then twerk_shell=bash; else twerk_shell=sh; fi',
    'export TWERK_OUTPUT="$twerk_dir/output" TORK_OUTPUT="$twerk_dir/output" TWERK_PROGRESS="$twerk_dir/progress" TORK_PROGRESS="$twerk_dir/progress"',
    `export TWERK_TASK_ID='${plainId(task.id)}' TWERK_JOB_ID='${plainId(task.jobId)}'`,
    ': > "$TWERK_OUTPUT"; : > "$TWERK_PROGRESS"',
    ...files(spec.files),
    workdir ? `mkdir -p "$twerk_work/$(twerk_b64 ${b64(workdir)})" && cd "$twerk_work/$(twerk_b64 ${b64(workdir)})" || exit 1` : 'cd "$twerk_work" || exit 1',
    // The result line starts on a line of its own, whatever the task printed last.
    `twerk_emit() { printf '\\n::set-output ${RESULT_OUTPUT}=%s\\n' "$(base64 < "$TWERK_OUTPUT" | tr -d '\\n')"; }`,
    'twerk_end() { twerk_emit; exit "$1"; }',
  ];
  for (const step of steps) {
    const isMain = step.label === '';
    const body = [...(isMain ? [] : files(step.files)), ...exports(step.env), invocation(step, isMain ? task.timeoutSecs : undefined)].join('\n  ');
    const onFailure = isMain ? 'twerk_end $?' : `{ twerk_status=$?; echo "$(twerk_b64 ${b64(step.label)}) failed: exit status $twerk_status" >&2; twerk_end $twerk_status; }`;
    lines.push(`(\n  ${body}\n) || ${onFailure}`);
  }
  lines.push('twerk_end 0');
  return `${lines.join('\n')}\n`;
}

export interface SetOutputs {
  /** `key=value` pairs set by `::set-output` lines (the result's own line excepted). */
  readonly outputs: Record<string, string>;
  /** The task's result, when the text carried its line. */
  readonly result?: string;
  /** The text without the result's line (what is kept as the log). */
  readonly text: string;
}

/** Reads `::set-output key=value` lines from a worker's stdout. */
export function readSetOutputs(text: string): SetOutputs {
  const outputs: Record<string, string> = {};
  let result: string | undefined;
  const kept: string[] = [];
  for (const line of text.split('\n')) {
    const match = /^::set-output ([^=\s]+)=(.*)$/.exec(line.replace(/\r$/, ''));
    if (match?.[1] === RESULT_OUTPUT) {
      result = Buffer.from(match[2]!, 'base64').toString('utf8');
      continue;
    }
    if (match) Object.defineProperty(outputs, match[1]!, { value: match[2]!, enumerable: true, writable: true, configurable: true });
    kept.push(line);
  }
  return { outputs, ...(result !== undefined ? { result } : {}), text: kept.join('\n') };
}
