/**
 * `coordinator.api.endpoints.<group>`: a switched-off group's routes are not registered at all, so they
 * answer 404 like any unknown path. Each key of the router app.ts serves belongs to a group (or is
 * always served); a key with no group is a start-up error, so a new route group cannot be left out of
 * the switches by accident — add it to ROUTE_GROUPS.
 */
import type { EndpointGroup, EndpointToggles } from './settings.ts';

export const ROUTE_GROUPS: Readonly<Record<string, EndpointGroup | 'always'>> = {
  health: 'health',
  openapi: 'always',
  jobs: 'jobs',
  scheduledJobs: 'jobs',
  tasks: 'tasks',
  nodes: 'nodes',
  queues: 'queues',
  metrics: 'metrics',
  users: 'users',
  access: 'users',
  roles: 'users',
  keys: 'users',
  triggers: 'triggers',
  legacyTriggers: 'triggers',
  firing: 'triggers',
  machines: 'machines',
  workers: 'workers',
};

/** The router without the groups switched off. */
export function enabledRoutes<R extends Record<string, unknown>>(router: R, endpoints: EndpointToggles, groups: Readonly<Record<string, EndpointGroup | 'always'>> = ROUTE_GROUPS): R {
  const kept: Record<string, unknown> = {};
  for (const [key, routes] of Object.entries(router)) {
    const group = groups[key];
    if (group === undefined) throw new Error(`the served router key "${key}" belongs to no endpoint group: add it to ROUTE_GROUPS in server/src/api/middleware/endpoints.ts`);
    if (group === 'always' || endpoints[group]) kept[key] = routes;
  }
  return kept as R;
}
