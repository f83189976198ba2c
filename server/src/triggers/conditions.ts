/**
 * What a firing evaluates, without I/O: the environment a trigger's `condition` and `inputs` see, the
 * condition's verdict, and the inputs a payload gives the job it starts.
 */
import { createEnvironment, evaluateExpression, evaluateTemplate, formatValue, type Environment } from '@twerk/contract';

export interface FiringContext {
  /** The event's data, the webhook's JSON body, or the manual firing's payload. */
  readonly payload: Readonly<Record<string, unknown>>;
  readonly source: string;
  /** The event's name (events only). */
  readonly event?: string;
  readonly trigger: { readonly id: string; readonly name: string };
}

/** `payload.<field>`, `event.name`/`event.source`, `trigger.id`/`trigger.name`. */
export function firingEnvironment(context: FiringContext): Environment {
  return createEnvironment(
    {},
    {
      payload: context.payload,
      event: { name: context.event ?? '', source: context.source },
      trigger: { id: context.trigger.id, name: context.trigger.name },
    },
  );
}

export type Verdict = { readonly fires: true } | { readonly fires: false; readonly reason: string };

/** A trigger fires when it has no condition, or its condition is exactly true. */
export function judgeCondition(condition: string | undefined, environment: Environment): Verdict {
  if (condition === undefined || condition.trim() === '') return { fires: true };
  const value = evaluateExpression(condition, environment);
  if (!value.ok) return { fires: false, reason: `the condition failed: ${value.error.message}` };
  if (value.value === true) return { fires: true };
  if (value.value === false) return { fires: false, reason: 'the condition is false' };
  return { fires: false, reason: `the condition gave ${formatValue(value.value)}, not true or false` };
}

/** A payload's top-level fields as job inputs: strings as they are, anything else as JSON. */
export function payloadInputs(payload: Readonly<Record<string, unknown>>): Record<string, string> {
  const inputs: Record<string, string> = {};
  for (const [key, value] of Object.entries(payload)) {
    if (value === undefined) continue;
    inputs[key] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return inputs;
}

/** The trigger's `inputs` templates rendered against the firing; the first failure names its key. */
export function renderInputs(templates: Readonly<Record<string, string>> | undefined, environment: Environment): { ok: true; inputs: Record<string, string> } | { ok: false; reason: string } {
  const inputs: Record<string, string> = {};
  for (const [key, template] of Object.entries(templates ?? {})) {
    const rendered = evaluateTemplate(template, environment);
    if (!rendered.ok) return { ok: false, reason: `inputs.${key} failed: ${rendered.error.message}` };
    inputs[key] = rendered.value;
  }
  return { ok: true, inputs };
}
