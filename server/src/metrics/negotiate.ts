/**
 * Which format GET /metrics answers in. `?format=` decides when given. Otherwise the Accept header
 * does: Prometheus text when it names `text/plain` or `application/openmetrics-text` with a higher
 * preference than `application/json` (a higher q, or the same q and earlier), or names them and not
 * JSON — as a Prometheus scraper does. Anything else is Tork's JSON: no Accept, wildcards only, JSON
 * first (axios's `application/json, text/plain, *\/*`), so tork-web and Tork's clients are unchanged.
 * Wildcards choose nothing: `*\/*` and `text/*` alone are JSON.
 */
export type MetricsFormat = 'json' | 'prometheus';

const PROMETHEUS_TYPES = new Set(['text/plain', 'application/openmetrics-text']);

interface Preference {
  readonly q: number;
  readonly order: number;
}

function quality(params: readonly string[]): number {
  for (const param of params) {
    const [name, value] = param.split('=').map((part) => part.trim());
    if (name?.toLowerCase() !== 'q' || value === undefined) continue;
    const q = Number(value);
    // A malformed weight is read as the default rather than making the whole header unusable.
    return Number.isFinite(q) && q >= 0 && q <= 1 ? q : 1;
  }
  return 1;
}

const better = (a: Preference | undefined, b: Preference) => a === undefined || b.q > a.q || (b.q === a.q && b.order < a.order);

export function metricsFormat(accept: string | readonly string[] | undefined, format?: MetricsFormat): MetricsFormat {
  if (format !== undefined) return format;
  const header = typeof accept === 'string' ? accept : (accept ?? []).join(',');
  let json: Preference | undefined;
  let prometheus: Preference | undefined;
  header.split(',').forEach((range, order) => {
    const [type = '', ...params] = range.split(';');
    const mediaType = type.trim().toLowerCase();
    const preference = { q: quality(params), order };
    if (preference.q === 0) return; // q=0: "not this one"
    if (mediaType === 'application/json' && better(json, preference)) json = preference;
    if (PROMETHEUS_TYPES.has(mediaType) && better(prometheus, preference)) prometheus = preference;
  });
  if (prometheus === undefined) return 'json';
  if (json === undefined) return 'prometheus';
  return better(json, prometheus) ? 'prometheus' : 'json';
}
