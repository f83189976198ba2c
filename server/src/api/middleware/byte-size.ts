/**
 * Tork's size syntax for `middleware.web.bodylimit`: a whole number of bytes with an optional unit,
 * `B`, `K`, `M` or `G` (1024-based, case-insensitive, `KB`/`MB`/`GB` accepted as the same units), so
 * `500K`, `8M` and `1048576` all parse. Anything else is undefined, for the caller to report with its key.
 */
const UNITS: Readonly<Record<string, number>> = { '': 1, B: 1, K: 2 ** 10, KB: 2 ** 10, M: 2 ** 20, MB: 2 ** 20, G: 2 ** 30, GB: 2 ** 30 };

export function parseByteSize(text: string): number | undefined {
  const match = /^(\d+)\s*([KMG]?B?)$/i.exec(text.trim());
  if (!match) return undefined;
  const bytes = Number(match[1]) * UNITS[match[2]!.toUpperCase()]!;
  return Number.isSafeInteger(bytes) && bytes > 0 ? bytes : undefined;
}
