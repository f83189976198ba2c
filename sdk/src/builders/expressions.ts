/**
 * Helpers that write `{{ … }}` templates. They produce exactly the strings a YAML author writes, so a
 * built job reads the same as a hand-written one; they only save typing and quoting mistakes.
 */

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `inputs.name`, or `inputs["odd-name"]` when the key is not an identifier. */
function member(root: string, key: string): string {
  return IDENTIFIER.test(key) ? `${root}.${key}` : `${root}[${JSON.stringify(key)}]`;
}

/** Wraps an expression in template braces: `expr('fromJSON(inputs.items)')` → `{{ fromJSON(inputs.items) }}`. */
export function expr(expression: string): string {
  return `{{ ${expression} }}`;
}

/** A job input: `inputs('source')` → `{{ inputs.source }}`. */
export function inputs(key: string): string {
  return expr(member('inputs', key));
}

/** A job secret: `secrets('token')` → `{{ secrets.token }}`. The value is redacted wherever the job is shown. */
export function secrets(key: string): string {
  return expr(member('secrets', key));
}

/** The result of an earlier task stored with `var`: `tasks('greeting')` → `{{ tasks.greeting }}`. */
export function tasks(variable: string): string {
  return expr(member('tasks', variable));
}

/** The current item of an `each` loop, under its `var` name (default `item`): `item().value` → `{{ item.value }}`. */
export function item(name = 'item'): { readonly value: string; readonly index: string } {
  return { value: expr(`${name}.value`), index: expr(`${name}.index`) };
}
