/**
 * Contract benchmarks (`npm run bench`): each measurement is reported as a ratio against a baseline
 * measured in the same run on the same input, so the figures travel between machines.
 *   - readDocument (our boundary: limits, duplicate keys, alias-aware budgets) vs yaml.parse / JSON.parse
 *   - parseDocument (read + validate) of Twerk's 100-task example vs reading it alone
 *   - evaluateTemplate vs a regex replace doing plain map lookups
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEnvironment, evaluateTemplate, parseDocument, readDocument } from '@twerk/contract';
import { parse as yamlParse, stringify as yamlStringify } from 'yaml';

function median(run: () => void, rounds: number): number {
  for (let warm = 0; warm < Math.min(rounds, 5); warm += 1) run();
  const times: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const started = performance.now();
    run();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

function must<T>(result: { ok: boolean; value?: T; error?: { message: string } }): void {
  if (!result.ok) throw new Error(result.error?.message);
}

const rows: { name: string; ours: number; baseline: number; unit: string }[] = [];
function measure(name: string, ours: () => void, baseline: () => void, rounds: number, unit = 'ms'): void {
  rows.push({ name, ours: median(ours, rounds), baseline: median(baseline, rounds), unit });
}

// A job document near both limits: about 480 KiB and 9,800 nodes (tasks with env maps and long scripts).
const tasks = [];
const script = Array.from({ length: 9 }, (_, line) => `echo "step ${line}: processing the input and writing results"`).join('\n');
for (let index = 0; index < 690; index += 1) {
  tasks.push({ name: `task ${index}`, image: 'alpine:3.20', run: `${script}\necho ${index} > $TWERK_OUTPUT`, env: { INDEX: String(index), NAME: '{{ inputs.name }}' } });
}
const bigJob = { name: 'big', inputs: { name: 'x' }, tasks };
const bigYaml = yamlStringify(bigJob);
const bigJson = JSON.stringify(bigJob);
const yamlBytes = new TextEncoder().encode(bigYaml);
const jsonBytes = new TextEncoder().encode(bigJson);
console.log(`document: ${tasks.length} tasks, YAML ${yamlBytes.length} bytes, JSON ${jsonBytes.length} bytes`);

measure('readDocument YAML vs yaml.parse', () => must(readDocument(yamlBytes, 'text/yaml')), () => yamlParse(new TextDecoder().decode(yamlBytes)), 15);
measure('readDocument JSON vs JSON.parse', () => must(readDocument(jsonBytes, 'application/json')), () => JSON.parse(new TextDecoder().decode(jsonBytes)), 30);

const noop = readFileSync(join(import.meta.dirname, '..', '..', 'examples', 'twerk-noop-100.yaml'));
measure('parseDocument (read + validate) vs readDocument, 100-task example', () => must(parseDocument(noop, 'text/yaml')), () => must(readDocument(noop, 'text/yaml')), 50);

const laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
for (const [index, name] of ['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'].entries()) laughs.push(`${name}: &${name} [${Array.from({ length: 9 }, () => `*${String.fromCharCode(97 + index)}`).join(',')}]`);
const laughsText = laughs.join('\n');
measure('billion laughs rejected vs yaml.parse of the same text (no expansion)', () => void readDocument(laughsText, 'text/yaml'), () => yamlParse(laughsText, { maxAliasCount: -1 }), 30);

const inputs = { name: 'Ada', city: 'London' };
const env = createEnvironment({ inputs });
const template = 'hello {{ inputs.name }} from {{ inputs.city }}!';
const templates = 2_000;
measure(
  `evaluateTemplate x${templates} vs regex replace with map lookups`,
  () => {
    for (let index = 0; index < templates; index += 1) must(evaluateTemplate(template, env));
  },
  () => {
    for (let index = 0; index < templates; index += 1) template.replace(/\{\{\s*inputs\.(\w+)\s*\}\}/g, (_match, key: string) => inputs[key as keyof typeof inputs] ?? '');
  },
  15,
);
const heavy = '{{ join(map(filter(sequence(0, 100), # % 3 == 0), string(# * 2)), ",") }}';
measure('a 100-element filter/map/join template vs one plain lookup template', () => must(evaluateTemplate(heavy, env)), () => must(evaluateTemplate(template, env)), 50);

console.log('\n| measurement | ours | baseline | ratio |\n|---|---|---|---|');
for (const row of rows) {
  console.log(`| ${row.name} | ${row.ours.toFixed(3)} ${row.unit} | ${row.baseline.toFixed(3)} ${row.unit} | ${(row.ours / row.baseline).toFixed(2)}× |`);
}
const memory = process.memoryUsage();
console.log(`\nheap used ${(memory.heapUsed / 2 ** 20).toFixed(1)} MiB, rss ${(memory.rss / 2 ** 20).toFixed(1)} MiB`);
