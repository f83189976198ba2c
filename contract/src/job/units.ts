/**
 * Resource limit syntax shared by validation (here) and the container runtimes (later): `limits.cpus`
 * is a decimal number of CPUs and `limits.memory` uses Docker's RAM units, binary like Tork's
 * `units.RAMInBytes` (`10m` and `10MB` are both 10 MiB).
 */
import { err, ok, type Result } from '../result.ts';

const MEMORY = /^(\d+(?:\.\d+)?) ?([kKmMgGtTpP])?[iI]?[bB]?$/;
const MEMORY_MULTIPLIER: Readonly<Record<string, number>> = { k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40, p: 2 ** 50 };
const CPUS = /^(\d*)(?:\.(\d*))?$/;
const NANO_CPUS_PER_CPU = 1_000_000_000n;

export function parseMemoryBytes(text: string): Result<number, string> {
  const match = MEMORY.exec(text.trim());
  if (!match) return err(`"${text}" is not a memory size: use a number with an optional unit, e.g. "512m" or "2g"`);
  const [, amount = '0', unit] = match;
  const bytes = Math.floor(Number(amount) * (unit ? (MEMORY_MULTIPLIER[unit.toLowerCase()] ?? 1) : 1));
  if (bytes <= 0) return err(`"${text}" must be more than zero bytes`);
  if (!Number.isSafeInteger(bytes)) return err(`"${text}" is too large`);
  return ok(bytes);
}

/** CPUs as Docker's NanoCPUs: `.5` → 500000000. More than nine decimals cannot be represented. */
export function parseNanoCpus(text: string): Result<bigint, string> {
  const match = CPUS.exec(text.trim());
  const [, whole = '', fraction = ''] = match ?? [];
  if (!match || (whole === '' && fraction === '')) return err(`"${text}" is not a number of CPUs, e.g. "0.5" or "2"`);
  if (fraction.length > 9) return err(`"${text}" is too precise: CPUs take at most nine decimals`);
  const nanos = BigInt(whole || '0') * NANO_CPUS_PER_CPU + BigInt(fraction.padEnd(9, '0') || '0');
  if (nanos <= 0n) return err(`"${text}" must be more than zero CPUs`);
  return ok(nanos);
}
