/**
 * Errors are values in this package: every public function that can fail on user input returns a
 * `Result` instead of throwing, so callers (the HTTP boundary, the CLI, the SDK) decide how to present it.
 */
export type Result<T, E> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

export function ok<T>(value: T): { readonly ok: true; readonly value: T } {
  return { ok: true, value };
}

export function err<E>(error: E): { readonly ok: false; readonly error: E } {
  return { ok: false, error };
}
