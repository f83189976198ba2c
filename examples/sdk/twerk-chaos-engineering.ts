/**
 * A 12-step chaos-engineering workflow against a Pokémon API on 127.0.0.1:8080: sequential steps sharing files in
 * /tmp, two parallel fan-outs, latency measurements and an expected 404.
 * Run it against a running server, with that API up: `node examples/sdk/twerk-chaos-engineering.ts`
 * (TWERK_ENDPOINT picks the server).
 */
import { job, parallel, task } from '@twerk/sdk';
import { run } from './run.ts';

const image = 'ubuntu:mantic';

// The scripts are the example's, character for character: `\${…}` and `\\n` are the shell's `${…}` and `\n`.
const healthCheck = task({
  name: 'step-01-health-check',
  image,
  run: `echo "=== Step 1: API Health Check ==="
START=$(date +%s%N)
RESP=$(curl -s -w "\\n%{http_code}" http://127.0.0.1:8080/health)
END=$(date +%s%N)
LATENCY=$(( (END - START) / 1000000 ))
echo "Health check latency: \${LATENCY}ms"
echo "$RESP"
`,
});

const fetchAll = task({
  name: 'step-02-fetch-all-pokemon',
  image,
  run: `echo "=== Step 2: Fetch All 151 Pokemon ==="
START=$(date +%s%N)
curl -s http://127.0.0.1:8080/api/pokemon > /tmp/all_pokemon.json
COUNT=$(cat /tmp/all_pokemon.json | grep -o '"id"' | wc -l)
END=$(date +%s%N)
DURATION=$(( (END - START) / 1000000 ))
echo "Fetched $COUNT Pokemon in \${DURATION}ms"
echo "Size: $(wc -c < /tmp/all_pokemon.json) bytes"
`,
});

const fanOutPokemon: readonly (readonly [string, number])[] = [
  ['bulbasaur', 1],
  ['pikachu', 25],
  ['charmander', 4],
  ['squirtle', 7],
  ['mewtwo', 150],
  ['mew', 151],
  ['dragonite', 149],
  ['gengar', 94],
  ['lapras', 131],
];
const fanOut = parallel(
  'step-03-parallel-fanout',
  fanOutPokemon.map(([name, id]) => task({ name: `fetch-${name}`, image, run: `curl -s http://127.0.0.1:8080/api/pokemon/${id} | grep -o '"name":"[^"]*"' | head -1` })),
);

const typeAggregation = task({
  name: 'step-04-type-aggregation',
  image,
  run: `echo "=== Step 4: Type Aggregation ==="
echo "Fire types:"
curl -s http://127.0.0.1:8080/api/pokemon/type/fire | grep -o '"id"' | wc -l
echo "Water types:"
curl -s http://127.0.0.1:8080/api/pokemon/type/water | grep -o '"id"' | wc -l
echo "Electric types:"
curl -s http://127.0.0.1:8080/api/pokemon/type/electric | grep -o '"id"' | wc -l
echo "Psychic types:"
curl -s http://127.0.0.1:8080/api/pokemon/type/psychic | grep -o '"id"' | wc -l
`,
});

const fetchStarters = task({
  name: 'step-05a-fetch-starter',
  image,
  run: `echo "=== Step 5a: Fetching starter Pokemon ==="
curl -s http://127.0.0.1:8080/api/pokemon/1 > /tmp/bulbasaur.json
curl -s http://127.0.0.1:8080/api/pokemon/4 > /tmp/charmander.json
curl -s http://127.0.0.1:8080/api/pokemon/7 > /tmp/squirtle.json
echo "Starter Pokemon saved"
`,
});

const validateStarters = task({
  name: 'step-05b-validate-starters',
  image,
  run: `echo "=== Step 5b: Validating starter Pokemon ==="
for f in bulbasaur charmander squirtle; do
  NAME=$(cat /tmp/\${f}.json | grep -o '"name":"[^"]*"' | head -1)
  echo "$f: $NAME"
done
`,
});

const latencyTest = task({
  name: 'step-06-latency-test',
  image,
  run: `echo "=== Step 6: Latency Test (100ms delay) ==="
for i in 1 2 3 4 5; do
  START=$(date +%s%N)
  curl -s http://127.0.0.1:8080/health > /dev/null
  END=$(date +%s%N)
  LATENCY=$(( (END - START) / 1000000 ))
  echo "Request $i: \${LATENCY}ms"
  sleep 0.1
done
`,
});

/** Batch A fetches Pokémon 1–3, batch B 4–6, and so on. */
const batch = (letter: string, index: number) => {
  const ids = [1, 2, 3].map((n) => index * 3 + n).join(' ');
  return task({
    name: `batch-${letter}`,
    image,
    run: `for i in ${ids}; do curl -s http://127.0.0.1:8080/api/pokemon/$i > /dev/null; done
echo "Batch ${letter.toUpperCase()} done"
`,
  });
};
const concurrentBatch = parallel('step-07-concurrent-batch', ['a', 'b', 'c', 'd', 'e'].map(batch));

// The blank line between the two checks is kept as the example has it.
const dataValidation = task({
  name: 'step-08-data-validation',
  image,
  run: `echo "=== Step 8: Data Validation ==="
curl -s http://127.0.0.1:8080/api/pokemon/25 > /tmp/pikachu.json
if grep -q "Pikachu" /tmp/pikachu.json; then
  echo "✓ Pikachu validation passed"
else
  echo "✗ Pikachu validation failed"
fi

curl -s http://127.0.0.1:8080/api/pokemon/150 > /tmp/mewtwo.json
if grep -q "Mewtwo" /tmp/mewtwo.json; then
  echo "✓ Mewtwo validation passed"
else
  echo "✗ Mewtwo validation failed"
fi
`,
});

const errorSimulation = task({
  name: 'step-09-error-simulation',
  image,
  run: `echo "=== Step 9: Error Simulation ==="
echo "Testing invalid Pokemon ID..."
HTTP_CODE=$(curl -s -o /dev/null -w "%{http_code}" http://127.0.0.1:8080/api/pokemon/999)
echo "Invalid ID response code: $HTTP_CODE"
if [ "$HTTP_CODE" = "404" ]; then
  echo "✓ 404 handling correct"
else
  echo "✗ Expected 404, got $HTTP_CODE"
fi
`,
});

const performanceMetrics = task({
  name: 'step-10-performance-metrics',
  image,
  run: `echo "=== Step 10: Performance Metrics ==="
TOTAL=0
for i in $(seq 1 20); do
  START=$(date +%s%N)
  curl -s http://127.0.0.1:8080/api/pokemon/$((i % 151 + 1)) > /dev/null
  END=$(date +%s%N)
  LATENCY=$(( (END - START) / 1000000 ))
  TOTAL=$((TOTAL + LATENCY))
  echo "Request $i: \${LATENCY}ms"
done
AVG=$((TOTAL / 20))
echo "Average latency: \${AVG}ms"
`,
});

const typeCount = (label: string) => `echo "${label}: $(curl -s http://127.0.0.1:8080/api/pokemon/type/${label.toLowerCase()} | grep -o '"id"' | wc -l)"\n`;
const finalAggregation = task({
  name: 'step-11-final-aggregation',
  image,
  run: `echo "=== Step 11: Final Aggregation ==="
echo "Counting all Pokemon types..."
${['Fire', 'Water', 'Grass', 'Electric', 'Psychic', 'Bug', 'Normal'].map(typeCount).join('')}`,
});

const finalHealth = task({
  name: 'step-12-final-health',
  image,
  run: `echo "=== Step 12: Final Health Check ==="
echo "=========================================="
echo "       CHAOS ENGINEERING COMPLETE"
echo "=========================================="
curl -s http://127.0.0.1:8080/health
echo ""
echo "All 12 workflow steps completed successfully!"
echo "Twerk has demonstrated:"
echo "  ✓ Sequential task execution"
echo "  ✓ Parallel fan-out distribution"
echo "  ✓ Data transformation/aggregation"
echo "  ✓ Latency measurement"
echo "  ✓ Error handling"
echo "  ✓ Performance profiling"
echo "=========================================="
`,
});

const chaosEngineering = job({
  name: 'twerk-chaos-engineering',
  description: `12-step chaos engineering workflow that stress tests twerk:
1. API health check
2. Fetch all Pokemon (data manipulation)
3. Parallel fan-out (9 Pokemon fetches)
4. Type aggregation (data transformation)
5. Sequential dependency chain
6. Latency injection via sleep
7. Concurrent parallel tasks
8. Data validation
9. Error simulation
10. Performance measurement
11. Final aggregation
12. Health confirmation
`,
  tasks: [
    healthCheck,
    fetchAll,
    fanOut,
    typeAggregation,
    fetchStarters,
    validateStarters,
    latencyTest,
    concurrentBatch,
    dataValidation,
    errorSimulation,
    performanceMetrics,
    finalAggregation,
    finalHealth,
  ],
});

export default chaosEngineering;
await run(import.meta.url, chaosEngineering);
