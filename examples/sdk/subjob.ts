/**
 * Sub-jobs: one whose output is stored under the parent task's `var`, then two run in parallel.
 * Run it against a running server: `node examples/sdk/subjob.ts` (TWERK_ENDPOINT picks the server).
 */
import { job, parallel, subjob, task, tasks } from '@twerk/sdk';
import { run } from './run.ts';

const image = 'ubuntu:mantic';

const withOutput = subjob(
  'sub job with output',
  {
    name: 'my sub job with output',
    output: tasks('dataStuff'),
    tasks: [task({ var: 'dataStuff', name: 'hello sub task job 1', image, run: 'echo -n data > $TWERK_OUTPUT' })],
  },
  { var: 'subJobOutput' },
);

const sampleJob = (n: number) =>
  subjob(`sample job ${n}`, {
    name: `my sub job ${n}`,
    tasks: [task({ name: `hello sub task job ${n}`, image, run: 'echo start of sub-job' }), task({ name: `bye sub task job ${n}`, image, run: 'echo end of sub-job' })],
  });

const subjobJob = job({
  name: 'sample job with sub jobs',
  tasks: [
    task({ name: 'hello task', image, run: 'echo start of job' }),
    withOutput,
    parallel('running 2 jobs in parallel', [sampleJob(1), sampleJob(2)]),
    task({ name: 'bye task', image, run: 'echo end of job' }),
  ],
});

export default subjobJob;
await run(import.meta.url, subjobJob);
