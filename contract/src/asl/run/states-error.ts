/** A failure inside an execution: an ASL error name (`States.TaskFailed`, a custom name, …) and a cause. */
export class StatesError extends Error {
  readonly error: string;
  override readonly cause: string;

  constructor(error: string, cause: string) {
    super(`${error}: ${cause}`);
    this.error = error;
    this.cause = cause;
  }
}

/**
 * Whether a Retrier's or Catcher's ErrorEquals covers `error`, as AWS defines the wildcards:
 * States.ALL covers every error but States.Runtime, States.TaskFailed every error but States.Timeout.
 */
export function errorMatches(errorEquals: readonly string[], error: string): boolean {
  return errorEquals.some(
    (name) => name === error || (name === 'States.ALL' && error !== 'States.Runtime') || (name === 'States.TaskFailed' && error !== 'States.Timeout' && error !== 'States.Runtime'),
  );
}
