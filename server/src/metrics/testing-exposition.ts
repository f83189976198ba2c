/**
 * A strict reader of the Prometheus text exposition format (0.0.4), for tests: every line is
 * `# HELP name text`, `# TYPE name type`, a sample `name{label="value",…} value` or empty (the format
 * ignores empty lines; prom-client puts one between families); every sample
 * belongs to a family declared once with both HELP and TYPE (a histogram's through its `_bucket`,
 * `_sum` and `_count`); names, label names, escapes and values are as the format allows. Anything else
 * throws, naming the line.
 */
const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*';
const LABEL_VALUE = '"(?:[^"\\\\\\n]|\\\\[\\\\"n])*"';
/** As Go's strconv.ParseFloat reads values: special values in any case (prom-client writes `Nan`). */
const VALUE = '(?:[+-]?(?:[iI][nN][fF](?:[iI][nN][iI][tT][yY])?)|[nN][aA][nN]|[+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?)';
const HELP = new RegExp(`^# HELP (${NAME}) (.*)$`);
const TYPE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`);
const SAMPLE = new RegExp(`^(${NAME})(?:\\{((?:${LABEL}=${LABEL_VALUE})(?:,${LABEL}=${LABEL_VALUE})*,?)?\\})? (${VALUE})(?: -?\\d+)?$`);
const PAIR = new RegExp(`(${LABEL})=(${LABEL_VALUE})`, 'g');

export interface Family {
  readonly help: string;
  readonly type: string;
}

export interface Exposition {
  readonly families: ReadonlyMap<string, Family>;
  /** Samples by `name{a="x",b="y"}`, labels sorted by name. */
  readonly samples: ReadonlyMap<string, number>;
}

export function seriesKey(name: string, labels: Readonly<Record<string, string>> = {}): string {
  const pairs = Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)).map(([label, value]) => `${label}=${JSON.stringify(value)}`);
  return pairs.length === 0 ? name : `${name}{${pairs.join(',')}}`;
}

function unescape(quoted: string): string {
  return quoted.slice(1, -1).replace(/\\(.)/g, (_match, char: string) => (char === 'n' ? '\n' : char));
}

function familyOf(name: string, families: ReadonlyMap<string, Partial<Family>>): string | undefined {
  if (families.has(name)) return name;
  const base = /^(.*)_(bucket|sum|count)$/.exec(name)?.[1];
  return base !== undefined && ['histogram', 'summary'].includes(families.get(base)?.type ?? '') ? base : undefined;
}

export function parseExposition(text: string): Exposition {
  if (!text.endsWith('\n')) throw new Error('the exposition does not end with a newline');
  const families = new Map<string, { help?: string; type?: string; sampled?: boolean }>();
  const samples = new Map<string, number>();
  const lines = text.slice(0, -1).split('\n');
  lines.forEach((line, index) => {
    const where = `line ${index + 1} (${JSON.stringify(line)})`;
    if (line === '') return;
    const help = HELP.exec(line);
    const type = TYPE.exec(line);
    if (help !== null || type !== null) {
      const name = (help ?? type)![1]!;
      const family = families.get(name) ?? {};
      if (family.sampled) throw new Error(`${where}: ${name} is declared after its samples`);
      if (help !== null) {
        if (family.help !== undefined) throw new Error(`${where}: a second HELP for ${name}`);
        family.help = help[2]!;
      } else {
        if (family.type !== undefined) throw new Error(`${where}: a second TYPE for ${name}`);
        family.type = type![2]!;
      }
      families.set(name, family);
      return;
    }
    const sample = SAMPLE.exec(line);
    if (sample === null) throw new Error(`${where}: neither # HELP, # TYPE nor a sample`);
    const [, name, labelText, value] = sample as unknown as [string, string, string | undefined, string];
    const familyName = familyOf(name, families);
    const family = familyName === undefined ? undefined : families.get(familyName);
    if (family?.help === undefined || family.type === undefined) throw new Error(`${where}: ${name} has no HELP and TYPE before it`);
    family.sampled = true;
    const labels: Record<string, string> = {};
    for (const [, label, quoted] of (labelText ?? '').matchAll(PAIR)) {
      if (label! in labels) throw new Error(`${where}: label ${label} twice`);
      labels[label!] = unescape(quoted!);
    }
    const key = seriesKey(name, labels);
    if (samples.has(key)) throw new Error(`${where}: ${key} twice`);
    samples.set(key, /inf/i.test(value) ? (value.startsWith('-') ? -Infinity : Infinity) : /nan/i.test(value) ? NaN : Number(value));
  });
  for (const [name, family] of families) {
    if (family.help === undefined || family.type === undefined) throw new Error(`${name} lacks ${family.help === undefined ? 'HELP' : 'TYPE'}`);
  }
  return { families: families as ReadonlyMap<string, Family>, samples };
}
