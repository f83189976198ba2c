/**
 * A stress test of the scheduler: one `parallel` of 151 tasks, each fetching a Pokémon from a Pokémon API on
 * 127.0.0.1:8080, then a final check.
 * Run it against a running server, with that API up: `node examples/sdk/twerk-massive-parallel.ts`
 * (TWERK_ENDPOINT picks the server).
 */
import { job, parallel, task } from '@twerk/sdk';
import { run } from './run.ts';

const image = 'ubuntu:mantic';

const fetchPokemon = (id: number) => task({ name: `fetch-${String(id).padStart(3, '0')}`, image, run: `curl -s http://127.0.0.1:8080/api/pokemon/${id} > /dev/null && echo "${id}"` });

// Named for 200 in the original; it fans out to the 151 Pokémon there are.
const fanOut = parallel(
  'parallel-fanout-200',
  Array.from({ length: 151 }, (_, index) => fetchPokemon(index + 1)),
);

const finalVerify = task({
  name: 'final-verify',
  image,
  run: `echo "=========================================="
echo "  MASSIVE PARALLEL TEST COMPLETE"
echo "  151 Pokemon fetched concurrently!"
echo "=========================================="
curl -s http://127.0.0.1:8080/health
`,
});

const massiveParallel = job({
  name: 'twerk-massive-parallel',
  description: `Massively parallel workflow to stress test twerk scheduler
200 parallel tasks hitting Pokemon API concurrently
`,
  tasks: [fanOut, finalVerify],
});

export default massiveParallel;
await run(import.meta.url, massiveParallel);
