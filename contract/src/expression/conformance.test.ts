/**
 * The conformance corpus (conformance/*.yaml): expr and tork cases carry results produced by the real
 * expr-lang v1.17.7 through tools/expr-oracle; twerk and budget cases are hand-written. Every case must
 * give the recorded kind and %v text, the rendered template, or an error of the recorded kind.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { checkExpression, createEnvironment, evaluateExpression, evaluateTemplate, formatValue, kindOf, type JobContext } from './index.ts';

interface ConformanceCase {
  readonly name: string;
  readonly expression?: string;
  readonly template?: string;
  readonly env?: Record<string, unknown>;
  readonly reference: 'expr' | 'tork' | 'twerk' | 'budget';
  readonly result?: { readonly kind: string; readonly text: string };
  readonly text?: string;
  readonly error?: 'syntax' | 'compile' | 'run' | 'budget';
  readonly staticOnly?: boolean;
}

const dir = join(import.meta.dirname, 'conformance');
const files = readdirSync(dir).filter((name) => name.endsWith('.yaml')).sort();
const corpus = files.flatMap((file) => (parse(readFileSync(join(dir, file), 'utf8')) as ConformanceCase[]).map((entry) => ({ file, entry })));

function environment(env: Record<string, unknown> = {}) {
  const { inputs, secrets, tasks, job, ...rest } = env as JobContext & Record<string, unknown>;
  const context: JobContext = { inputs, secrets, tasks, job } as JobContext;
  return createEnvironment(context, rest);
}

describe('the conformance corpus', () => {
  it('has at least 200 cases, most checked against expr itself', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(200);
    expect(corpus.filter(({ entry }) => entry.reference === 'expr' || entry.reference === 'tork').length).toBeGreaterThanOrEqual(150);
  });

  it.each(corpus.map(({ file, entry }) => [`${file}: ${entry.name}`, entry] as const))('%s', (_label, entry) => {
    const env = environment(entry.env);
    const outcome = entry.expression !== undefined ? evaluateExpression(entry.expression, env) : evaluateTemplate(entry.template ?? '', env);
    if (entry.error !== undefined) {
      if (entry.staticOnly && outcome.ok) return;
      expect(outcome.ok ? `no error, got ${JSON.stringify(entry.expression !== undefined ? formatValue(outcome.value as never) : outcome.value)}` : 'error').toBe('error');
      if (!outcome.ok && entry.error === 'budget') expect(outcome.error.kind).toBe('budget');
      if (entry.error === 'syntax' && entry.expression !== undefined) expect(checkExpression(entry.expression).ok).toBe(false);
      return;
    }
    if (!outcome.ok) throw new Error(`unexpected error: ${outcome.error.message}`);
    if (entry.expression !== undefined) {
      const value = outcome.value as Parameters<typeof formatValue>[0];
      expect({ kind: kindOf(value), text: formatValue(value) }).toEqual(entry.result);
      expect(checkExpression(entry.expression).ok).toBe(true);
    } else {
      expect(outcome.value).toBe(entry.text);
    }
  });
});
