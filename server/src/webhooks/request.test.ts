import { describe, expect, it } from 'vitest';
import { needsContext, renderRequest } from './request.ts';

const context = { inputs: { env: 'prod' }, secrets: { token: 'tkn-123' }, tasks: { build: '42' }, job: { id: 'j1', name: 'deploy' } };

describe("a delivery's request", () => {
  it('renders header templates against the job context, with Twerk’s headers', () => {
    const target = { id: 'd1', event: 'job.Completed', url: 'https://hooks.example/x', headers: { Authorization: 'Bearer {{ secrets.token }}', 'X-Build': '{{ tasks.build }}-{{ inputs.env }}' } };
    expect(needsContext(target)).toBe(true);
    expect(renderRequest(target, context)).toEqual({
      ok: true,
      url: 'https://hooks.example/x',
      headers: { 'Content-Type': 'application/json; charset=UTF-8', Authorization: 'Bearer tkn-123', 'X-Build': '42-prod', 'X-Twerk-Event': 'job.Completed', 'X-Twerk-Delivery': 'd1' },
    });
  });

  it('needs no context without templates, lets the webhook set Content-Type but never X-Twerk-*', () => {
    const target = { id: 'd2', event: 'job.StateChange', url: 'http://127.0.0.1:9/', headers: { 'content-type': 'application/cloudevents+json', 'X-Twerk-Delivery': 'forged' } };
    expect(needsContext(target)).toBe(false);
    expect(renderRequest(target, {})).toEqual({ ok: true, url: 'http://127.0.0.1:9/', headers: { 'content-type': 'application/cloudevents+json', 'X-Twerk-Event': 'job.StateChange', 'X-Twerk-Delivery': 'd2' } });
  });

  it('fails, naming the header and not its value, when a template does not evaluate or the URL is not http', () => {
    const broken = renderRequest({ id: 'd3', event: 'job.StateChange', url: 'http://h/', headers: { Authorization: '{{ secrets.token + 1 }}' } }, context);
    expect(broken.ok).toBe(false);
    expect(!broken.ok && broken.error).toMatch(/^headers\.Authorization: /);
    expect(!broken.ok && broken.error).not.toContain('tkn-123');
    expect(renderRequest({ id: 'd4', event: 'job.StateChange', url: 'ftp://h/', headers: null }, {})).toEqual({ ok: false, error: 'url: is not an http or https URL' });
  });
});
