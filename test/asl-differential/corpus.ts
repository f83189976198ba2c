/**
 * The differential corpus: one JSON file per machine in `corpus/`, each with the machine (standard AWS
 * ASL, JSONPath mode), the inputs to run it on and, for machines with Task states, the script both
 * interpreters' task stubs follow.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StubScript } from './stubs.ts';

export interface CorpusRun {
  readonly input: unknown;
  /** Replaces the machine's `stubs` for this run (a different failure sequence per input). */
  readonly stubs?: StubScript;
}

export interface CorpusCase {
  readonly name: string;
  /** What the machine exercises, for the coverage table in the README. */
  readonly covers: readonly string[];
  readonly description: string;
  readonly machine: Record<string, unknown>;
  readonly stubs?: StubScript;
  readonly runs: readonly CorpusRun[];
}

export const CORPUS_DIR = join(import.meta.dirname, 'corpus');

export function loadCorpus(directory = CORPUS_DIR): CorpusCase[] {
  return readdirSync(directory)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => {
      const entry = JSON.parse(readFileSync(join(directory, file), 'utf8')) as CorpusCase;
      if (`${entry.name}.json` !== file) throw new Error(`${file}: its name is ${JSON.stringify(entry.name)}; the file should be named after it`);
      if (entry.runs.length === 0) throw new Error(`${file}: no runs`);
      return entry;
    });
}
