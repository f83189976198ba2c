/**
 * The request of one attempt: the webhook's headers (and a templated URL) rendered against the job
 * context at the moment of sending — so `{{ secrets.token }}` works and its value is never stored —
 * with Twerk's own headers. Pure.
 */
import { createEnvironment, evaluateTemplate, hasTemplate, type JobContext } from '@twerk/contract';

export const CONTENT_TYPE = 'application/json; charset=UTF-8';

export interface DeliveryTarget {
  readonly id: string;
  readonly event: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>> | null;
}

/** Whether rendering this delivery needs its job's context (inputs, secrets, task results). */
export function needsContext(target: DeliveryTarget): boolean {
  return hasTemplate(target.url) || Object.values(target.headers ?? {}).some(hasTemplate);
}

export type Rendered = { readonly ok: true; readonly url: string; readonly headers: Record<string, string> } | { readonly ok: false; readonly error: string };

/**
 * The URL and headers to send. The webhook's headers may set Content-Type (Tork lets them); the
 * X-Twerk-* headers are always Twerk's. A template that does not evaluate fails the delivery, naming
 * the header, never its value.
 */
export function renderRequest(target: DeliveryTarget, context: JobContext): Rendered {
  const environment = createEnvironment(context);
  let url = target.url;
  if (hasTemplate(url)) {
    const rendered = evaluateTemplate(url, environment);
    if (!rendered.ok) return { ok: false, error: `url: ${rendered.error.message}` };
    url = rendered.value;
  }
  if (!URL.canParse(url) || !['http:', 'https:'].includes(new URL(url).protocol)) return { ok: false, error: 'url: is not an http or https URL' };
  const headers: Record<string, string> = { 'Content-Type': CONTENT_TYPE };
  for (const [name, template] of Object.entries(target.headers ?? {})) {
    if (/^x-twerk-/i.test(name)) continue;
    const rendered = evaluateTemplate(template, environment);
    if (!rendered.ok) return { ok: false, error: `headers.${name}: ${rendered.error.message}` };
    if (name.toLowerCase() === 'content-type') delete headers['Content-Type'];
    headers[name] = rendered.value;
  }
  headers['X-Twerk-Event'] = target.event;
  headers['X-Twerk-Delivery'] = target.id;
  return { ok: true, url, headers };
}
