/**
 * A state machine of two `pass` states, each with a fixed result (Twerk's camelCase dialect of the Amazon States Language).
 * Run it against a running server: `node examples/sdk/asl-hello.ts` (TWERK_ENDPOINT picks the server); it prints
 * the execution's id, state and result (the machine's output, as JSON).
 */
import { machine, state } from '@twerk/sdk';
import { run } from './run.ts';

const aslHello = machine({
  comment: 'Simple two-step ASL workflow',
  startAt: 'Hello',
  states: {
    Hello: state.pass({ result: 'Hello, World!', next: 'Goodbye' }),
    Goodbye: state.pass({ result: 'Goodbye!', end: true }),
  },
});

export default aslHello;
await run(import.meta.url, aslHello);
