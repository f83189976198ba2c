/** What one run of one machine came to, in a form both interpreters' results are mapped onto. */
export type Outcome =
  | { readonly status: 'SUCCEEDED'; readonly output: unknown }
  | {
      readonly status: 'FAILED';
      readonly error: string;
      readonly cause?: string;
      /**
       * The cause is text the corpus wrote (a Fail state's Cause or CausePath value, a stub's cause) rather
       * than a message the interpreter made up. Only authored causes are compared: an interpreter's own
       * wording ("Path expression '$.x' does not point to a value") is not part of ASL's contract.
       */
      readonly causeAuthored?: boolean;
    }
  /** The interpreter refused the machine before running it (the corpus only holds machines both accept). */
  | { readonly status: 'REJECTED'; readonly reason: string }
  /** The interpreter threw instead of returning an outcome. */
  | { readonly status: 'THREW'; readonly reason: string };

/** Outputs are JSON documents: compare them as JSON (no undefined members, no -0). */
export function asJson(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}
