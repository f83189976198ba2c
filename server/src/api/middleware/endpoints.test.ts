import { describe, expect, it } from 'vitest';
import { enabledRoutes, ROUTE_GROUPS } from './endpoints.ts';
import { ALL_ENDPOINTS, ENDPOINT_GROUPS } from './settings.ts';

describe('enabledRoutes', () => {
  const router = { health: 'h', openapi: 'o', jobs: 'j', scheduledJobs: 's', triggers: 't', legacyTriggers: 'l', firing: 'f', access: 'a', metrics: 'm' };

  it('keeps everything when every group is on', () => {
    expect(enabledRoutes(router, ALL_ENDPOINTS)).toEqual(router);
  });

  it("drops a group's keys: jobs takes the scheduled jobs along, triggers the legacy paths and firing, users the access routes", () => {
    expect(Object.keys(enabledRoutes(router, { ...ALL_ENDPOINTS, jobs: false, triggers: false, users: false }))).toEqual(['health', 'openapi', 'metrics']);
  });

  it('always serves the OpenAPI document', () => {
    const none = Object.fromEntries(ENDPOINT_GROUPS.map((group) => [group, false])) as unknown as typeof ALL_ENDPOINTS;
    expect(enabledRoutes(router, none)).toEqual({ openapi: 'o' });
  });

  it('refuses a router key that belongs to no group, naming it', () => {
    expect(() => enabledRoutes({ ...router, gizmos: 'g' }, ALL_ENDPOINTS)).toThrow('"gizmos" belongs to no endpoint group');
  });

  it('maps keys only to groups that have a switch', () => {
    for (const group of Object.values(ROUTE_GROUPS)) expect([...ENDPOINT_GROUPS, 'always']).toContain(group);
  });
});
