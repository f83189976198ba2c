/**
 * Who a request comes from, for the rate limiter: the client a request claims to be (as the
 * authentication middleware reads it), or else its remote address. The address is fastify's
 * `request.ip`, which follows X-Forwarded-For only when `middleware.web.trustproxy` is true: a client
 * talking to the server directly could otherwise pick a fresh address for every request.
 */
import type { FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The client this request is counted against (`ip:…`, or what the ClientIdentifier said). Set by
     * the rate limiter before authentication runs; undefined when rate limiting is off.
     */
    twerkClientId?: string;
  }
}

/**
 * The client a request claims to be — e.g. `key:<key id>` for an API key, `user:<name>` for basic
 * auth — read without verifying it (the limiter runs before authentication, so that refused requests
 * cost no credential check and guessing one account's password is limited however many addresses it
 * comes from). Undefined when the request carries no credentials. Never return a secret: the id may
 * be kept in memory and shown in logs.
 */
export type ClientIdentifier = (request: FastifyRequest) => string | undefined;

export function clientIdOf(request: FastifyRequest, identify?: ClientIdentifier): string {
  return request.twerkClientId ?? identify?.(request) ?? `ip:${request.ip}`;
}
