/**
 * Resolves the templates of a task against the job context when its record is created (research/
 * tork.md §3.5–3.6). The fields are Tork's list plus `files` (Twerk evaluates them; with `env` they are
 * how data reaches a script). `run` is never evaluated: inputs must not become shell source. Composite
 * children that get their own context later (`each.task`, `subjob.tasks`, `subjob.output`) are left
 * as written. Unlike Tork, a parallel child is evaluated once, at expansion, so a value that itself
 * contains braces is never evaluated twice (Tork's template-injection quirk).
 */
import { evaluateTemplate, type Environment, type ExpressionError } from '../expression/index.ts';
import { err, ok, type Result } from '../result.ts';
import type { TaskDocument } from './task.ts';

export interface TaskEvaluationError extends ExpressionError {
  /** Where in the task the failing template sits, e.g. `env.GREETING` or `pre[0].image`. */
  readonly field: string;
}

class Failed {
  readonly error: TaskEvaluationError;
  constructor(error: TaskEvaluationError) {
    this.error = error;
  }
}

interface AuxLike {
  readonly name: string;
  readonly image?: string;
  readonly cmd?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly files?: Readonly<Record<string, string>>;
}

function render(text: string, environment: Environment, field: string): string {
  const result = evaluateTemplate(text, environment);
  if (!result.ok) throw new Failed({ ...result.error, field });
  return result.value;
}

function renderOptional(text: string | undefined, environment: Environment, field: string): string | undefined {
  return text === undefined ? undefined : render(text, environment, field);
}

function renderMap(map: Readonly<Record<string, string>> | undefined, environment: Environment, field: string): Record<string, string> | undefined {
  if (map === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(map)) {
    Object.defineProperty(out, key, { value: render(value, environment, `${field}.${key}`), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function withDefined<T extends object>(base: T, changes: Record<string, unknown>): T {
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(changes)) if (value !== undefined) out[key] = value;
  return out as T;
}

function evaluateCommand<T extends AuxLike>(task: T, environment: Environment, path: string): T {
  return withDefined(task, {
    name: render(task.name, environment, `${path}name`),
    image: renderOptional(task.image, environment, `${path}image`),
    cmd: task.cmd?.map((item, index) => render(item, environment, `${path}cmd[${index}]`)),
    env: renderMap(task.env, environment, `${path}env`),
    files: renderMap(task.files, environment, `${path}files`),
  });
}

function evaluateInto(task: TaskDocument, environment: Environment, path: string): TaskDocument {
  const evaluated = withDefined(evaluateCommand(task, environment, path), {
    var: renderOptional(task.var, environment, `${path}var`),
    queue: renderOptional(task.queue, environment, `${path}queue`),
    if: renderOptional(task.if, environment, `${path}if`),
    pre: task.pre?.map((aux, index) => evaluateCommand(aux, environment, `${path}pre[${index}].`)),
    post: task.post?.map((aux, index) => evaluateCommand(aux, environment, `${path}post[${index}].`)),
    parallel: task.parallel && { ...task.parallel, tasks: task.parallel.tasks.map((child, index) => evaluateInto(child, environment, `${path}parallel.tasks[${index}].`)) },
  });
  if (task.subjob === undefined) return evaluated;
  const { subjob } = task;
  return {
    ...evaluated,
    subjob: withDefined(subjob, {
      name: render(subjob.name, environment, `${path}subjob.name`),
      inputs: renderMap(subjob.inputs, environment, `${path}subjob.inputs`),
      secrets: renderMap(subjob.secrets, environment, `${path}subjob.secrets`),
      webhooks: subjob.webhooks?.map((webhook, index) =>
        withDefined(webhook, {
          url: render(webhook.url, environment, `${path}subjob.webhooks[${index}].url`),
          headers: renderMap(webhook.headers, environment, `${path}subjob.webhooks[${index}].headers`),
        }),
      ),
    }),
  };
}

/** The task with its templates resolved, or the first template that failed and where it is. */
export function evaluateTask(task: TaskDocument, environment: Environment): Result<TaskDocument, TaskEvaluationError> {
  try {
    return ok(evaluateInto(task, environment, ''));
  } catch (caught) {
    if (caught instanceof Failed) return err(caught.error);
    throw caught;
  }
}

/** Tork skips a task whose evaluated `if` is the text "false" (after trimming); anything else runs. */
export function isSkipped(evaluatedIf: string | undefined): boolean {
  return evaluatedIf !== undefined && evaluatedIf.trim() === 'false';
}
