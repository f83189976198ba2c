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

export interface EachItem {
  /** `{{ item.value }}` */
  readonly value: string;
  /** `{{ item.index }}`, from 0 */
  readonly index: string;
  /** A field of an item that is an object: `item().field('start')` → `{{ item.value.start }}`. */
  field(key: string): string;
}

/**
 * The current item of an `each` loop, under the block's `var` name (default `item`):
 * `item().value` → `{{ item.value }}`. (Tork's flat names, `{{ item_value }}`, mean the same.)
 */
export function item(name = 'item'): EachItem {
  return { value: expr(`${name}.value`), index: expr(`${name}.index`), field: (key) => expr(member(`${name}.value`, key)) };
}

/**
 * A shell script written as an indented template literal: the common indentation and the first line
 * break go, the text is taken raw (`\n` stays a backslash and an n, as the shell wants it), and it ends
 * with one line break, as a YAML `|` block does. JavaScript's `${…}` still interpolates, so write the
 * shell's own `${VAR}` as `$VAR` or `\${VAR}`.
 */
export function script(strings: TemplateStringsArray, ...values: readonly unknown[]): string {
  const text = String.raw({ raw: strings.raw }, ...values).replace(/^[ \t]*\n/, '').replace(/\n[ \t]*$/, '');
  const lines = text.split('\n');
  const indent = Math.min(...lines.filter((line) => line.trim() !== '').map((line) => /^[ \t]*/.exec(line)![0].length));
  return `${lines.map((line) => line.slice(Number.isFinite(indent) ? indent : 0)).join('\n')}\n`;
}
