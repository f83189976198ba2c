/**
 * A stand-in for the Pokémon API the Pokémon examples call on 127.0.0.1:8080. Two suites (the engine's
 * examples and the SDK's example programs) need it and may run at the same time in different
 * processes, so it waits for the port rather than failing when the other holds it.
 */
import { createServer, type Server } from 'node:http';

export const POKEAPI_PORT = 8080;

export async function startPokeApiStandIn(waitMs = 280_000): Promise<Server> {
  const started = Date.now();
  for (;;) {
    const api = createServer((request, response) => {
      const url = request.url ?? '';
      const one = /^\/api\/pokemon\/(\d+)$/.exec(url);
      const body = url === '/health' ? { status: 'ok' } : url === '/api/pokemon' ? [{ id: 1, name: 'bulbasaur' }] : one ? { id: Number(one[1]) } : undefined;
      response.writeHead(body ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(body ?? {}));
    });
    const listening = await new Promise<boolean>((resolve, reject) =>
      api.once('error', (error: NodeJS.ErrnoException) => (error.code === 'EADDRINUSE' ? resolve(false) : reject(error))).listen(POKEAPI_PORT, '127.0.0.1', () => resolve(true)),
    );
    if (listening) return api;
    if (Date.now() - started > waitMs) throw new Error(`127.0.0.1:${POKEAPI_PORT} stayed in use, so the Pokémon examples have no API to call`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
