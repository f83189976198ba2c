/** Evaluation never throws to callers: every failure is one of these, with where it happened. */
export interface ExpressionError {
  readonly message: string;
  /** The expression text the error is about. */
  readonly expression: string;
  /** Offset into `expression` (UTF-16 code units), when the error has a place. */
  readonly position?: number;
  /** `syntax` for malformed text, `budget` for work/size limits, `evaluation` for everything else. */
  readonly kind: 'syntax' | 'evaluation' | 'budget';
}

export function expressionError(message: string, expression: string, position?: number, kind: ExpressionError['kind'] = 'syntax'): ExpressionError {
  return position === undefined ? { message, expression, kind } : { message, expression, position, kind };
}
