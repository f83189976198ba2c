/**
 * A benchmark against a Pokémon API on 127.0.0.1:8080: health, the full list, then nine Pokémon and six types
 * fetched in two parallel stages.
 * Run it against a running server, with that API up: `node examples/sdk/pokemon-benchmark.ts`
 * (TWERK_ENDPOINT picks the server).
 */
import { job, parallel, task } from '@twerk/sdk';
import { run } from './run.ts';

const image = 'ubuntu:mantic';
const api = 'http://127.0.0.1:8080';

const pokemon: readonly (readonly [string, number])[] = [
  ['bulbasaur', 1],
  ['pikachu', 25],
  ['charmander', 4],
  ['squirtle', 7],
  ['bullbasaur', 2],
  ['charizard', 6],
  ['mewtwo', 150],
  ['mew', 151],
  ['dragonite', 149],
];
const types = ['fire', 'water', 'grass', 'electric', 'psychic', 'dragon'];

const pokemonBenchmark = job({
  name: 'pokemon-api-benchmark',
  description: 'Benchmark twerk by calling Pokemon API - tripled parallelism',
  tasks: [
    task({
      name: 'health-check',
      image,
      run: `echo "=== Pokemon API Benchmark ==="
curl -s ${api}/health
echo ""
`,
    }),
    task({
      name: 'fetch-all-pokemon',
      image,
      run: `echo "Fetching all 151 Pokemon..."
curl -s ${api}/api/pokemon | head -c 200
echo "..."
`,
    }),
    parallel(
      'parallel-pokemon-fetches',
      pokemon.map(([name, id]) => task({ name: `fetch-${name}`, image, run: `curl -s ${api}/api/pokemon/${id}` })),
    ),
    parallel(
      'parallel-type-fetches',
      types.map((type) => task({ name: `type-${type}`, image, run: `curl -s ${api}/api/pokemon/type/${type} | head -c 100` })),
    ),
    task({
      name: 'final-health',
      image,
      run: `echo "=== Benchmark Complete ==="
curl -s ${api}/health
echo ""
`,
    }),
  ],
});

export default pokemonBenchmark;
await run(import.meta.url, pokemonBenchmark);
