import { awsMachineSchema, twerkMachineSchema } from '../asl/index.ts';
import { jobDocumentSchema } from '../job/index.ts';
import { jobSchema, jobSummarySchema, pageSchema, statusOkSchema, taskLogPartSchema } from '../wire/index.ts';
import { z } from '../zod.ts';
import { c, errors, idParams, meta, pageQuery } from './common.ts';

export const pageOfJobSummaries = pageSchema(jobSummarySchema, 'PageJobSummary');
export const pageOfLogParts = pageSchema(taskLogPartSchema, 'PageTaskLogPart');

const documentErrors = errors(400, 401, 403, 413, 415);

export const jobRoutes = c.router({
  submit: {
    method: 'POST',
    path: '/jobs',
    query: z.object({
      wait: z.string().optional().describe('true, 1, yes or blocking: answer when the job finishes, with the full job (Twerk). A body `wait: {timeout}` does the same (Tork).'),
    }),
    body: z.union([jobDocumentSchema, twerkMachineSchema, awsMachineSchema]),
    // The full job first: zod keeps the first member that fits and strips unknown keys, so a finished
    // job (`?wait`) parsed against the summary first would lose its tasks and context.
    responses: { 200: z.union([jobSchema, jobSummarySchema]), ...documentErrors, 408: errors(408)[408] },
    summary: 'Submit a job',
    description: 'Accepts a job document, or a state machine (either ASL dialect: the execution is a job whose result is the machine\'s output as JSON), as JSON (application/json) or YAML (text/yaml, application/yaml, application/x-yaml), with or without "; charset=utf-8". The body is read under the parser contract (512 KiB, depth 64, 10,000 nodes, no duplicate keys) and validated strictly: every problem is reported with its field path. Answers the new job summary (state PENDING), or, when waiting, the finished job; 408 if the wait times out.',
    metadata: meta({ tag: 'jobs', documentBody: true }),
  },
  list: {
    method: 'GET',
    path: '/jobs',
    query: pageQuery(10, 20),
    responses: { 200: pageOfJobSummaries, ...errors(400, 401) },
    summary: 'List jobs',
    description: 'Newest first, sub-jobs included. Only jobs the caller may see (no permissions, or the caller or one of their roles is listed).',
    metadata: meta({ tag: 'jobs' }),
  },
  get: {
    method: 'GET',
    path: '/jobs/:id',
    pathParams: idParams,
    responses: { 200: jobSchema, ...errors(401, 403, 404) },
    summary: 'Get a job',
    description: 'The job with its definition, every task record and its context. Secrets are redacted.',
    metadata: meta({ tag: 'jobs' }),
  },
  delete: {
    method: 'DELETE',
    path: '/jobs/:id',
    pathParams: idParams,
    body: c.noBody(),
    responses: { 204: c.noBody(), ...errors(401, 403, 404, 409) },
    summary: 'Delete a job',
    description: 'Deletes a finished job with its tasks and logs; 409 while it is still active (cancel it first).',
    metadata: meta({ tag: 'jobs' }),
  },
  log: {
    method: 'GET',
    path: '/jobs/:id/log',
    pathParams: idParams,
    query: pageQuery(25, 100),
    responses: { 200: pageOfLogParts, ...errors(400, 401, 403, 404) },
    summary: "Read a job's log",
    description: 'Log parts of every task of the job, newest first, secrets redacted.',
    metadata: meta({ tag: 'jobs' }),
  },
  cancel: {
    method: 'PUT',
    path: '/jobs/:id/cancel',
    pathParams: idParams,
    body: c.noBody(),
    responses: { 200: statusOkSchema, ...errors(400, 401, 403, 404) },
    summary: 'Cancel a job',
    description: 'Stops the job and its running tasks. 400 when the job is no longer active.',
    metadata: meta({ tag: 'jobs' }),
  },
  cancelByPost: {
    method: 'POST',
    path: '/jobs/:id/cancel',
    pathParams: idParams,
    body: c.noBody(),
    responses: { 200: statusOkSchema, ...errors(400, 401, 403, 404) },
    summary: 'Cancel a job (POST)',
    description: "Twerk's spelling of PUT /jobs/{id}/cancel; the same operation.",
    metadata: meta({ tag: 'jobs' }),
  },
  restart: {
    method: 'PUT',
    path: '/jobs/:id/restart',
    pathParams: idParams,
    body: c.noBody(),
    responses: { 200: statusOkSchema, ...errors(400, 401, 403, 404) },
    summary: 'Restart a job',
    description: 'Resumes a FAILED or CANCELLED job from its current task. 400 otherwise, or when no task is left to run.',
    metadata: meta({ tag: 'jobs' }),
  },
});
