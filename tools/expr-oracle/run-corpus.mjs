// Checks (or, with --write, fills in) the expected results of the expression conformance corpus by
// running every `expr`/`tork` case through the Go oracle. Usage, from the repository root:
//   (cd tools/expr-oracle && GOFLAGS=-mod=mod GOPROXY=off go build -o /tmp/expr-oracle .)
//   node tools/expr-oracle/run-corpus.mjs /tmp/expr-oracle [--write]
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';

const [oracle, flag] = process.argv.slice(2);
if (!oracle) {
  console.error('usage: node tools/expr-oracle/run-corpus.mjs <oracle binary> [--write]');
  process.exit(2);
}
const write = flag === '--write';
const dir = join(import.meta.dirname, '..', '..', 'contract', 'src', 'expression', 'conformance');
let disagreements = 0;
let checked = 0;

for (const file of readdirSync(dir).filter((name) => name.endsWith('.yaml')).sort()) {
  const path = join(dir, file);
  const cases = parse(readFileSync(path, 'utf8'));
  const oracleCases = cases.filter((item) => item.reference === 'expr' || item.reference === 'tork');
  if (oracleCases.length === 0) continue;
  const input = oracleCases.map((item) => ({ expression: item.expression, template: item.template, env: item.env }));
  const results = JSON.parse(execFileSync(oracle, { input: JSON.stringify(input), maxBuffer: 64 << 20 }).toString());
  oracleCases.forEach((item, index) => {
    const actual = results[index];
    const expected = actual.error
      ? { error: actual.error }
      : item.expression !== undefined
        ? { result: { kind: actual.kind, text: actual.text } }
        : { text: actual.text };
    const recorded = item.error !== undefined ? { error: item.error } : item.result !== undefined ? { result: item.result } : { text: item.text };
    checked += 1;
    if (JSON.stringify(recorded) !== JSON.stringify(expected)) {
      if (write) {
        delete item.error;
        delete item.result;
        delete item.text;
        Object.assign(item, expected);
      } else {
        disagreements += 1;
        console.log(`${file}: ${item.name}: recorded ${JSON.stringify(recorded)}, oracle ${JSON.stringify(expected)} ${actual.message ?? ''}`);
      }
    }
  });
  if (write) writeFileSync(path, stringify(cases, { lineWidth: 0 }));
}
console.log(`${checked} oracle cases, ${disagreements} disagreements${write ? ' (written)' : ''}`);
process.exit(disagreements === 0 ? 0 : 1);
