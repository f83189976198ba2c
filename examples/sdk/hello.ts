/**
 * Hello world: one task writes to $TWERK_OUTPUT under `var`, and the job's `output` answers it ("hello world").
 * Run it against a running server: `node examples/sdk/hello.ts` (TWERK_ENDPOINT picks the server).
 */
import { job, task, tasks } from '@twerk/sdk';
import { run } from './run.ts';

const simpleTask = task({ name: 'simple task', var: 'hello', image: 'ubuntu:mantic', run: 'echo -n hello world > $TWERK_OUTPUT' });

const helloWorld = job({ name: 'hello world', output: tasks('hello'), tasks: [simpleTask] });

export default helloWorld;
await run(import.meta.url, helloWorld);
