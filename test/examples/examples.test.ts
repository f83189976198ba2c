/**
 * Every document in examples/ is data the product must accept: each is read through the same boundary
 * as an HTTP body and lands in the right family, with the shape research/twerk.md §9 records.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument, parseScheduledJobDocument, readDocument, type ParsedDocument } from '@twerk/contract';
import { describe, expect, it } from 'vitest';

const examplesDir = join(import.meta.dirname, '..', '..', 'examples');

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => (entry.isDirectory() ? yamlFiles(join(dir, entry.name)) : entry.name.endsWith('.yaml') ? [join(dir, entry.name)] : []))
    .sort();
}

const relative = (file: string): string => file.slice(examplesDir.length + 1);
const files = yamlFiles(examplesDir);

function parsed(name: string): ParsedDocument {
  const result = parseDocument(readFileSync(join(examplesDir, name)), 'text/yaml');
  if (!result.ok) throw new Error(`${name}: ${result.error.message}`);
  return result.value;
}

/** Top-level task counts of Twerk's examples (research/twerk.md §9). */
const TWERK_JOBS: Readonly<Record<string, { name: string; tasks: number }>> = {
  'hello-shell.yaml': { name: 'hello shell', tasks: 1 },
  'hello.yaml': { name: 'hello world', tasks: 1 },
  'timeout.yaml': { name: '', tasks: 1 },
  'retry.yaml': { name: '', tasks: 1 },
  'bash-quick.yaml': { name: '', tasks: 1 },
  'bash-retry.yaml': { name: '', tasks: 2 },
  'bash-each.yaml': { name: '', tasks: 1 },
  'each.yaml': { name: 'sample each job', tasks: 4 },
  'parallel.yaml': { name: '', tasks: 3 },
  'subjob.yaml': { name: '', tasks: 4 },
  'bash-ci-demo.yaml': { name: '', tasks: 4 },
  'bash-pipeline.yaml': { name: '', tasks: 5 },
  'bash-ci-pipeline.yaml': { name: '', tasks: 5 },
  'bash-subjob.yaml': { name: '', tasks: 4 },
  'split_and_stitch.yaml': { name: '', tasks: 10 },
  'pokemon-benchmark.yaml': { name: '', tasks: 5 },
  'twerk-chaos-engineering.yaml': { name: '', tasks: 13 },
  'twerk-massive-parallel.yaml': { name: '', tasks: 2 },
  'twerk-noop-100.yaml': { name: '', tasks: 100 },
  'twerk-pokemon-shell-100.yaml': { name: '', tasks: 100 },
};

describe('the examples folder', () => {
  it('holds the Twerk examples and the seed documents', () => {
    expect(files.map(relative)).toEqual(expect.arrayContaining([...Object.keys(TWERK_JOBS), 'asl-hello.yaml', 'asl-task-retry.yaml']));
    expect(files.filter((file) => relative(file).startsWith('docs/')).length).toBe(21);
  });

  it.each(Object.entries(TWERK_JOBS))('%s is a job with its top-level tasks', (file, expected) => {
    const document = parsed(file);
    expect(document.family).toBe('job');
    if (document.family !== 'job') return;
    expect(document.job.tasks).toHaveLength(expected.tasks);
    if (expected.name !== '') expect(document.job.name).toBe(expected.name);
  });

  it('twerk-massive-parallel.yaml fans out to 151 parallel children', () => {
    const document = parsed('twerk-massive-parallel.yaml');
    const children = document.family === 'job' ? document.job.tasks.reduce((sum, task) => sum + (task.parallel?.tasks.length ?? 0), 0) : 0;
    expect(children).toBe(151);
  });

  it.each([
    ['asl-hello.yaml', 'Hello', 2],
    ['asl-task-retry.yaml', 'Build', 3],
  ] as const)('%s is a state machine starting at %s with %i states', (file, startAt, states) => {
    const document = parsed(file);
    expect(document.family).toBe('machine');
    if (document.family !== 'machine') return;
    expect(document.machine.startAt).toBe(startAt);
    expect(Object.keys(document.machine.states)).toHaveLength(states);
  });

  const docs = files.map(relative).filter((name) => name.startsWith('docs/'));
  it.each(docs)('%s is a valid job document', (name) => {
    const document = parsed(name);
    expect(document.family).toBe('job');
    if (name.includes('scheduled-job')) {
      const tree = readDocument(readFileSync(join(examplesDir, name)), 'text/yaml');
      const scheduled = tree.ok ? parseScheduledJobDocument(tree.value) : tree;
      expect(scheduled.ok).toBe(true);
    }
  });
});
