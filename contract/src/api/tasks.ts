import { taskSchema } from '../wire/index.ts';
import { c, errors, idParams, meta, pageQuery } from './common.ts';
import { pageOfLogParts } from './jobs.ts';

export const taskRoutes = c.router({
  get: {
    method: 'GET',
    path: '/tasks/:id',
    pathParams: idParams,
    responses: { 200: taskSchema, ...errors(401, 403, 404) },
    summary: 'Get a task',
    description: 'A task record with its templates evaluated; secrets redacted.',
    metadata: meta({ tag: 'tasks' }),
  },
  log: {
    method: 'GET',
    path: '/tasks/:id/log',
    pathParams: idParams,
    query: pageQuery(25, 100),
    responses: { 200: pageOfLogParts, ...errors(400, 401, 403, 404) },
    summary: "Read a task's log",
    description: 'Newest part first; secrets redacted.',
    metadata: meta({ tag: 'tasks' }),
  },
});
