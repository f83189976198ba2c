import { describe, expect, it } from 'vitest';
import { contract } from '../api/index.ts';
import * as wire from '../wire/index.ts';
import * as asl from '../asl/index.ts';
import * as job from '../job/index.ts';
import { contractRoutes, generateOpenApi, openApiPath } from './index.ts';

const document = generateOpenApi() as {
  paths: Record<string, Record<string, { operationId: string; responses: Record<string, unknown>; requestBody?: { content: Record<string, unknown> } }>>;
  components: { schemas: Record<string, unknown> };
};

function collectRefs(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((item) => collectRefs(item, out));
  else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === '$ref' && typeof value === 'string') out.push(value);
      else collectRefs(value, out);
    }
  }
  return out;
}

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 and deterministic', () => {
    expect((document as unknown as { openapi: string }).openapi).toBe('3.1.0');
    expect(JSON.stringify(generateOpenApi())).toBe(JSON.stringify(document));
  });

  it('describes every route of the contract, with its method, path and responses', () => {
    const routes = contractRoutes(contract);
    expect(routes.length).toBeGreaterThanOrEqual(50);
    for (const { key, route } of routes) {
      const entry = document.paths[openApiPath(route.path)]?.[route.method.toLowerCase()];
      expect(entry, key).toBeDefined();
      expect(Object.keys(entry!.responses).sort(), key).toEqual(Object.keys(route.responses).sort());
    }
    const operations = Object.values(document.paths).flatMap((methods) => Object.values(methods));
    expect(operations).toHaveLength(routes.length);
    expect(new Set(operations.map((operation) => operation.operationId)).size).toBe(routes.length);
  });

  it("covers Tork's routes, Twerk's additions and the worker protocol", () => {
    const has = (method: string, path: string): boolean => document.paths[path]?.[method] !== undefined;
    for (const [method, path] of [
      ['get', '/health'], ['post', '/jobs'], ['get', '/jobs'], ['get', '/jobs/{id}'], ['get', '/jobs/{id}/log'], ['put', '/jobs/{id}/cancel'], ['put', '/jobs/{id}/restart'],
      ['get', '/tasks/{id}'], ['get', '/tasks/{id}/log'], ['post', '/scheduled-jobs'], ['get', '/scheduled-jobs'], ['get', '/scheduled-jobs/{id}'],
      ['put', '/scheduled-jobs/{id}/pause'], ['put', '/scheduled-jobs/{id}/resume'], ['delete', '/scheduled-jobs/{id}'], ['get', '/queues'], ['get', '/queues/{name}'],
      ['delete', '/queues/{name}'], ['get', '/nodes'], ['get', '/metrics'], ['post', '/users'],
      ['get', '/openapi.json'], ['delete', '/jobs/{id}'], ['post', '/jobs/{id}/cancel'], ['get', '/nodes/{id}'], ['get', '/triggers'], ['post', '/triggers'],
      ['put', '/triggers/{id}'], ['delete', '/triggers/{id}'], ['get', '/api/v1/triggers'], ['post', '/triggers/{id}/fire'], ['post', '/events'], ['post', '/hooks/{path}'],
      ['post', '/machines'], ['post', '/api/workers/register'], ['post', '/api/jobs/claim'], ['post', '/api/jobs/{lease_id}/heartbeat'], ['post', '/api/jobs/{lease_id}/logs'],
      ['post', '/api/jobs/{lease_id}/complete'], ['post', '/api/jobs/{lease_id}/fail'], ['get', '/api/jobs/{workflow_id}/{job_id}/cancelled'],
    ]) {
      expect(has(method!, path!), `${method} ${path}`).toBe(true);
    }
  });

  it('accepts documents as JSON and YAML', () => {
    expect(Object.keys(document.paths['/jobs']!['post']!.requestBody!.content)).toEqual(['application/json', 'text/yaml', 'application/yaml', 'application/x-yaml', 'text/x-yaml']);
  });

  it('resolves every $ref and leaves no recursion markers behind', () => {
    const text = JSON.stringify(document);
    expect(text).not.toContain('x-twerk-ref');
    for (const ref of collectRefs(document)) {
      expect(document.components.schemas[ref.replace('#/components/schemas/', '')], ref).toBeDefined();
    }
    expect(document.components.schemas['TaskDocument']).toBeDefined();
    expect(document.components.schemas['TwerkStateMachine']).toBeDefined();
  });
});

describe('schema examples', () => {
  const schemas = (Object.values({ ...wire, ...asl, ...job }) as unknown[]).filter(
    (value): value is { _def: { openapi?: { metadata?: { example?: unknown } } }; safeParse: (input: unknown) => { success: boolean; error?: unknown } } =>
      typeof value === 'object' && value !== null && '_def' in value && 'safeParse' in value,
  );

  it('validate against their own schemas', () => {
    let checked = 0;
    for (const schema of schemas) {
      const example = schema._def.openapi?.metadata?.example;
      if (example === undefined) continue;
      const result = schema.safeParse(example);
      expect(result.success, JSON.stringify({ example, error: result.error })).toBe(true);
      checked += 1;
    }
    expect(checked).toBeGreaterThanOrEqual(20);
  });
});
