/**
 * `each` loops over `sequence(1,5)`, once with the default loop variable `item` and once with `myitem`; each
 * iteration stores its output under a `var` named after its index.
 * Run it against a running server: `node examples/sdk/each.ts` (TWERK_ENDPOINT picks the server).
 */
import { each, expr, job, task } from '@twerk/sdk';
import { run } from './run.ts';

const image = 'ubuntu:mantic';

/** The loop body, for the loop variable `variable` (written `{{item_value}}` as in the example, not `{{ item.value }}`). */
const outputItem = (variable: string) =>
  task({
    name: 'output task item',
    var: `eachTask{{${variable}_index}}`,
    image,
    env: { ITEM: `{{${variable}_value}}` },
    run: 'echo -n $ITEM > $TWERK_OUTPUT',
  });

const eachJob = job({
  name: 'sample each job',
  tasks: [
    task({ name: 'hello task', image, run: 'echo start of job' }),
    each('sample each task', { list: expr('sequence(1,5)'), task: outputItem('item') }),
    each('sample each task with custom var', { list: expr('sequence(1,5)'), var: 'myitem', task: outputItem('myitem') }),
    task({ name: 'bye task', image, run: 'echo end of job' }),
  ],
});

export default eachJob;
await run(import.meta.url, eachJob);
