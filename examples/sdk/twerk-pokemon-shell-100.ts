/**
 * A stress test of 100 sequential tasks, each fetching one Pokémon from a Pokémon API on 127.0.0.1:8080.
 * Run it against a running server, with that API up: `node examples/sdk/twerk-pokemon-shell-100.ts`
 * (TWERK_ENDPOINT picks the server).
 */
import { job, task } from '@twerk/sdk';
import { run } from './run.ts';

const fetchPokemon = (id: number) =>
  task({ name: `fetch-${String(id).padStart(3, '0')}`, image: 'ubuntu:mantic', run: `curl -s http://127.0.0.1:8080/api/pokemon/${id} > /dev/null && echo "${id}"` });

const pokemonShellStress = job({
  name: 'twerk-pokemon-shell-stress',
  description: 'Stress test twerk calling Pokemon API via shell',
  tasks: Array.from({ length: 100 }, (_, index) => fetchPokemon(index + 1)),
});

export default pokemonShellStress;
await run(import.meta.url, pokemonShellStress);
