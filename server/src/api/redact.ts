/**
 * Secrets never leave the server: job secrets become "[REDACTED]" wherever their values appear (env,
 * inputs, results, errors, log text), and values under keys that look secret are hidden too.
 */
export const REDACTED = '[REDACTED]';
const SECRET_KEY = /SECRET|PASSWORD|TOKEN|API_KEY|ACCESS_KEY|PRIVATE_KEY/i;

export class Redactor {
  private readonly values: string[];

  constructor(secrets: Readonly<Record<string, string>>) {
    // Longest first, so a secret containing another is replaced whole. Empty values would match everywhere.
    this.values = Object.values(secrets).filter((value) => value !== '').sort((a, b) => b.length - a.length);
  }

  text(value: string): string;
  text(value: string | null | undefined): string | undefined;
  text(value: string | null | undefined): string | undefined {
    if (value === null || value === undefined) return undefined;
    let out = value;
    for (const secret of this.values) out = out.split(secret).join(REDACTED);
    return out;
  }

  map(map: Readonly<Record<string, string>> | undefined): Record<string, string> | undefined {
    if (map === undefined) return undefined;
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(map)) out[key] = SECRET_KEY.test(key) ? REDACTED : this.text(value);
    return out;
  }

  /**
   * A JSON tree with every string redacted (task definitions, context). Under a key that looks secret —
   * a `secrets` map of a sub-job, a `password` — every string is hidden, whatever its value.
   */
  tree(value: unknown, hidden = false): unknown {
    if (typeof value === 'string') return hidden ? REDACTED : this.text(value);
    if (Array.isArray(value)) return value.map((item) => this.tree(item, hidden));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.tree(item, hidden || SECRET_KEY.test(key))]));
    }
    return value;
  }
}
