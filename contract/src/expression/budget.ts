/**
 * Bounded work: every evaluation gets a step allowance and size caps, so an expression from a
 * document (which anyone with API access can submit) cannot hang the coordinator or exhaust memory.
 */
import { EvaluationFailure } from './runtime.ts';

export const EVALUATION_LIMITS = {
  /** Nodes visited plus elements touched by builtins. */
  maxSteps: 1_000_000,
  /** Elements in any one list or map an expression builds (`sequence`, `..`, `split`, `repeat`…). */
  maxItems: 100_000,
  /** Characters in any one string an expression builds. */
  maxStringLength: 1_048_576,
} as const;

export class Budget {
  private steps = 0;
  private readonly limits: typeof EVALUATION_LIMITS;

  constructor(limits: typeof EVALUATION_LIMITS = EVALUATION_LIMITS) {
    this.limits = limits;
  }

  charge(steps = 1): void {
    this.steps += steps;
    if (this.steps > this.limits.maxSteps) throw new EvaluationFailure(`expression exceeds its budget of ${this.limits.maxSteps} steps`, 'budget');
  }

  items(count: number | bigint, what: string): void {
    if (count > this.limits.maxItems) throw new EvaluationFailure(`${what} would hold ${count} items, more than the limit of ${this.limits.maxItems}`, 'budget');
    this.charge(Number(count));
  }

  text(length: number, what: string): void {
    if (length > this.limits.maxStringLength) throw new EvaluationFailure(`${what} would be ${length} characters long, more than the limit of ${this.limits.maxStringLength}`, 'budget');
  }
}
