/**
 * Type-level tests of the client, checked by `tsc` and never executed: the raw client is typed per
 * status code by the contract, and the conveniences answer the success bodies.
 */
import { expectTypeOf } from 'expect-type';
import { job, task } from '../builders/index.ts';
import { createClient, type Job, type JobState, type JobSummary, type LogPart, type Page } from './index.ts';

declare function check(run: () => unknown): void;

const client = createClient({ baseUrl: 'http://localhost:8000', auth: { apiKey: 'k' } });

check(async () => {
  const answer = await client.api.jobs.get({ params: { id: 'j1' } });
  expectTypeOf(answer.status).toEqualTypeOf<200 | 401 | 403 | 404>();
  if (answer.status === 200) expectTypeOf(answer.body).toEqualTypeOf<Job>();
  else expectTypeOf(answer.body.message).toBeString();

  expectTypeOf(await client.jobs.get('j1')).toEqualTypeOf<Job>();
  expectTypeOf(await client.jobs.list()).toEqualTypeOf<Page<JobSummary>>();
  expectTypeOf(await client.jobs.submitDocument('name: a')).toEqualTypeOf<JobSummary>();
  expectTypeOf(await client.jobs.submitDocument('name: a', { wait: true })).toEqualTypeOf<Job>();
  expectTypeOf<Job['state']>().toEqualTypeOf<JobState>();
  expectTypeOf(client.jobs.logs('j1', { follow: true })).toEqualTypeOf<AsyncGenerator<LogPart, void, undefined>>();

  // A built job is a document the client submits.
  await client.jobs.submit(job({ name: 'j', tasks: [task({ name: 't', run: 'true' })] }));
  // @ts-expect-error a job needs its tasks
  await client.jobs.submit({ name: 'no tasks' });
  // @ts-expect-error auth is one of the three shapes
  createClient({ baseUrl: 'http://x', auth: { token: 't' } });
});
