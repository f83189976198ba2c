/**
 * The whole REST API as one ts-rest contract: the server implements it, the SDK's client is typed by
 * it, and openapi/openapi.json is generated from it.
 */
import { accessRoutes } from './access.ts';
import { c } from './common.ts';
import { jobRoutes } from './jobs.ts';
import { machineRoutes } from './machines.ts';
import { scheduledJobRoutes } from './scheduled-jobs.ts';
import { systemRoutes } from './system.ts';
import { taskRoutes } from './tasks.ts';
import { firingRoutes, legacyTriggerRoutes, triggerRoutes } from './triggers.ts';
import { workerProtocolRoutes } from './worker-protocol.ts';

export const contract = c.router(
  {
    system: systemRoutes,
    jobs: jobRoutes,
    tasks: taskRoutes,
    scheduledJobs: scheduledJobRoutes,
    machines: machineRoutes,
    access: accessRoutes,
    triggers: triggerRoutes,
    legacyTriggers: legacyTriggerRoutes,
    firing: firingRoutes,
    workers: workerProtocolRoutes,
  },
  { strictStatusCodes: true },
);

export type Contract = typeof contract;
export type { RouteMetadata } from './common.ts';
