import { scheduledJobDocumentSchema } from '../job/index.ts';
import { pageSchema, scheduledJobSchema, scheduledJobSummarySchema, statusOkSchema } from '../wire/index.ts';
import { c, errors, idParams, meta, pageQuery } from './common.ts';

export const pageOfScheduledJobs = pageSchema(scheduledJobSummarySchema, 'PageScheduledJobSummary');

export const scheduledJobRoutes = c.router({
  create: {
    method: 'POST',
    path: '/scheduled-jobs',
    body: scheduledJobDocumentSchema,
    responses: { 200: scheduledJobSummarySchema, ...errors(400, 401, 403, 413, 415) },
    summary: 'Schedule a job',
    description: 'A job document plus `schedule: {cron, timezone}` (or Twerk\'s top-level `cron`), as JSON or YAML. Cron: 5 fields (6 with seconds), names, steps, @daily-style descriptors, @every, CRON_TZ=.',
    metadata: meta({ tag: 'scheduled-jobs', documentBody: true }),
  },
  list: {
    method: 'GET',
    path: '/scheduled-jobs',
    query: pageQuery(10, 20),
    responses: { 200: pageOfScheduledJobs, ...errors(400, 401) },
    summary: 'List scheduled jobs',
    description: 'Newest first.',
    metadata: meta({ tag: 'scheduled-jobs' }),
  },
  get: {
    method: 'GET',
    path: '/scheduled-jobs/:id',
    pathParams: idParams,
    responses: { 200: scheduledJobSchema, ...errors(401, 403, 404) },
    summary: 'Get a scheduled job',
    description: 'Secrets are redacted (unlike Tork).',
    metadata: meta({ tag: 'scheduled-jobs' }),
  },
  pause: {
    method: 'PUT',
    path: '/scheduled-jobs/:id/pause',
    pathParams: idParams,
    body: c.noBody(),
    responses: { 200: statusOkSchema, ...errors(400, 401, 403, 404) },
    summary: 'Pause a scheduled job',
    description: '400 when it is not active.',
    metadata: meta({ tag: 'scheduled-jobs' }),
  },
  resume: {
    method: 'PUT',
    path: '/scheduled-jobs/:id/resume',
    pathParams: idParams,
    body: c.noBody(),
    responses: { 200: statusOkSchema, ...errors(400, 401, 403, 404) },
    summary: 'Resume a scheduled job',
    description: '400 when it is not paused.',
    metadata: meta({ tag: 'scheduled-jobs' }),
  },
  delete: {
    method: 'DELETE',
    path: '/scheduled-jobs/:id',
    pathParams: idParams,
    body: c.noBody(),
    responses: { 200: statusOkSchema, ...errors(401, 403, 404) },
    summary: 'Delete a scheduled job',
    description: 'Unschedules it. Jobs it already started are kept.',
    metadata: meta({ tag: 'scheduled-jobs' }),
  },
});
