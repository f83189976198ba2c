/**
 * The error shape every client sees: Tork's `{message}` plus `errors`, one entry per problem, each with
 * the field path in the submitted document (`tasks[2].each.list`) so a user can find it.
 */
export type PathSegment = string | number;

export interface FieldError {
  readonly path: string;
  readonly message: string;
}

export interface ContractError {
  readonly message: string;
  readonly errors: readonly FieldError[];
  /**
   * What kind of failure this is, for transports that map it to a status (e.g. `unsupported_media_type`
   * → 415); absent means the document itself is invalid.
   */
  readonly code?: string;
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `['tasks', 2, 'each', 'list']` → `tasks[2].each.list`; awkward keys are quoted: `env["a.b"]`. */
export function formatPath(path: readonly PathSegment[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') {
      text += `[${segment}]`;
    } else if (PLAIN_KEY.test(segment)) {
      text += text === '' ? segment : `.${segment}`;
    } else {
      text += `[${JSON.stringify(segment)}]`;
    }
  }
  return text;
}

export function fieldError(path: readonly PathSegment[], message: string): FieldError {
  return { path: formatPath(path), message };
}

/** One error for the whole document (no particular field), e.g. "body is empty". */
export function documentError(message: string, code?: string): ContractError {
  const error = { message, errors: [{ path: '', message }] };
  return code === undefined ? error : { ...error, code };
}

/** Summarises field errors into the top-level message: the first error, plus a count of the rest. */
export function contractError(errors: readonly FieldError[], summary?: string): ContractError {
  const first = errors[0];
  const lead = summary ?? (first ? (first.path ? `${first.path}: ${first.message}` : first.message) : 'invalid document');
  const message = errors.length > 1 && summary === undefined ? `${lead} (and ${errors.length - 1} more)` : lead;
  return { message, errors };
}
