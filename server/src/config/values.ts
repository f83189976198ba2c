/**
 * Reading typed values out of the flattened settings (config.ts): each reader answers undefined (or
 * the fallback) when the key is absent, and pushes an error naming the key when the value is wrong.
 */
export type Settings = ReadonlyMap<string, unknown>;

export function text(settings: Settings, key: string): string | undefined {
  const value = settings.get(key);
  return value === undefined || value === '' ? undefined : String(value);
}

export function list(settings: Settings, key: string): string[] | undefined {
  const value = settings.get(key);
  if (value === undefined || value === '') return undefined;
  return Array.isArray(value) ? value.map(String) : String(value).split(',').map((item) => item.trim()).filter(Boolean);
}

export function flag(settings: Settings, key: string, fallback: boolean, errors: string[]): boolean {
  const value = text(settings, key)?.toLowerCase();
  if (value === undefined) return fallback;
  if (value !== 'true' && value !== 'false') {
    errors.push(`${key}: "${value}" is not true or false`);
    return fallback;
  }
  return value === 'true';
}

export function positiveNumber(settings: Settings, key: string, errors: string[]): number | undefined {
  const value = text(settings, key);
  if (value === undefined) return undefined;
  if (!/^\d+(\.\d+)?$/.test(value) || !(Number(value) > 0)) {
    errors.push(`${key}: "${value}" is not a positive number`);
    return undefined;
  }
  return Number(value);
}

export function wholeNumber(settings: Settings, key: string, min: number, errors: string[]): number | undefined {
  const value = text(settings, key);
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min || !Number.isSafeInteger(Number(value))) {
    errors.push(`${key}: "${value}" is not a whole number of at least ${min}`);
    return undefined;
  }
  return Number(value);
}

export function nonEmptyList(settings: Settings, key: string, fallback: readonly string[], errors: string[]): readonly string[] {
  const value = list(settings, key);
  if (value === undefined) return fallback;
  if (value.length === 0) errors.push(`${key}: is empty; leave it out for ${fallback.join(', ')}`);
  return value;
}
