/**
 * Inbound webhooks prove they know the trigger's secret: an HMAC-SHA256 of the raw body in
 * `X-Twerk-Signature` (or GitHub's `X-Hub-Signature-256`) as `sha256=<hex>`, or the secret itself as
 * a bearer token (`Authorization: Bearer …` or `X-Twerk-Token`) for senders that cannot sign.
 * Comparisons take the same time however much of the value matches.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type Headers = Readonly<Record<string, string | string[] | undefined>>;

function header(headers: Headers, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

export function signBody(secret: string, body: Uint8Array): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export function hookIsAuthentic(secret: string, body: Uint8Array, headers: Headers): boolean {
  const signature = header(headers, 'x-twerk-signature') ?? header(headers, 'x-hub-signature-256');
  if (signature !== undefined) return sameText(signature.trim().toLowerCase(), signBody(secret, body));
  const authorization = header(headers, 'authorization');
  const token = authorization?.match(/^Bearer\s+(.+)$/i)?.[1] ?? header(headers, 'x-twerk-token');
  return token !== undefined && sameText(token.trim(), secret);
}
