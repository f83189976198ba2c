/** What the client throws: the server's answer when it said no, and the two ways of getting no answer. */

export interface FieldError {
  readonly path: string;
  readonly message: string;
}

/** A non-2xx answer. `errors` are the server's field errors (empty when it gave none). */
export class TwerkApiError extends Error {
  override readonly name = 'TwerkApiError';
  readonly status: number;
  readonly errors: readonly FieldError[];
  /** The server's machine-readable kind, e.g. `duplicate_key`, when it gave one. */
  readonly code: string | undefined;
  readonly body: unknown;

  constructor(status: number, body: unknown) {
    const error = errorBody(body);
    super(error?.message ?? `the server answered ${status}${typeof body === 'string' && body !== '' ? `: ${body.slice(0, 200)}` : ''}`);
    this.status = status;
    this.errors = error?.errors ?? [];
    this.code = error?.code;
    this.body = body;
  }
}

/** No answer: the server could not be reached, the connection broke, or a request timed out. */
export class TwerkConnectionError extends Error {
  override readonly name = 'TwerkConnectionError';
  /** The network error's code, e.g. ECONNREFUSED or ETIMEDOUT. */
  readonly code: string | undefined;

  constructor(message: string, options: { cause?: unknown; code?: string | undefined } = {}) {
    super(message, { cause: options.cause });
    this.code = options.code;
  }
}

/** A wait that ran out of time; the job is still running. */
export class TwerkTimeoutError extends Error {
  override readonly name = 'TwerkTimeoutError';
  readonly jobId: string;
  /** The state the job was last seen in. */
  readonly lastState: string | undefined;

  constructor(jobId: string, timeoutMs: number, lastState?: string) {
    super(`job ${jobId} did not finish within ${timeoutMs} ms${lastState !== undefined ? ` (it is ${lastState})` : ''}`);
    this.jobId = jobId;
    this.lastState = lastState;
  }
}

function errorBody(body: unknown): { message: string; errors?: FieldError[]; code?: string } | undefined {
  if (body === null || typeof body !== 'object' || typeof (body as { message?: unknown }).message !== 'string') return undefined;
  const { message, errors, code } = body as { message: string; errors?: unknown; code?: unknown };
  const fieldErrors = Array.isArray(errors)
    ? errors.filter((item): item is FieldError => item !== null && typeof item === 'object' && typeof item.path === 'string' && typeof item.message === 'string')
    : undefined;
  return { message, ...(fieldErrors !== undefined ? { errors: fieldErrors } : {}), ...(typeof code === 'string' ? { code } : {}) };
}
