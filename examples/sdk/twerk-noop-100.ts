/**
 * A stress test of 100 sequential no-op tasks (no image, no network): `noop-001` … `noop-100`, each echoing its number.
 * Run it against a running server: `node examples/sdk/twerk-noop-100.ts` (TWERK_ENDPOINT picks the server).
 */
import { job, task } from '@twerk/sdk';
import { run } from './run.ts';

const noop = (n: number) => {
  const number = String(n).padStart(3, '0');
  return task({ name: `noop-${number}`, run: `echo "${number}"` });
};

const noopStress = job({
  name: 'twerk-noop-stress',
  description: 'Stress test twerk with no-op tasks (no containers, no API calls)',
  tasks: Array.from({ length: 100 }, (_, index) => noop(index + 1)),
});

export default noopStress;
await run(import.meta.url, noopStress);
