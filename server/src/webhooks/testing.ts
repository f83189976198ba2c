/** A real HTTP receiver on 127.0.0.1 for webhook tests: it records every request and answers as told. */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';

export interface ReceivedRequest {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly json: any;
  readonly at: number;
  /** What the receiver answered: a status, or 'hang'. */
  readonly answered: number | 'hang';
}

/** How to answer the nth request (0-based) to a path: a status, or 'hang' (never answer). */
export type Responder = (index: number, request: Omit<ReceivedRequest, 'answered'>) => number | 'hang';

export interface Receiver {
  readonly url: string;
  /** Requests by arrival, all paths or one. */
  requests(path?: string): ReceivedRequest[];
  /** Answers requests to `path` with `responder` (the default answers 200). */
  respond(path: string, responder: Responder): void;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const received: ReceivedRequest[] = [];
  const responders = new Map<string, Responder>();
  const hanging = new Set<ServerResponse>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      const path = request.url ?? '/';
      const entry = { path, headers: request.headers, body, json, at: Date.now() };
      const index = received.filter((item) => item.path === path).length;
      const answer = (responders.get(path) ?? (() => 200))(index, entry);
      received.push({ ...entry, answered: answer });
      if (answer === 'hang') {
        hanging.add(response);
        return;
      }
      response.writeHead(answer, { 'content-type': 'text/plain' }).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    requests: (path) => received.filter((item) => path === undefined || item.path === path),
    respond: (path, responder) => void responders.set(path, responder),
    async close() {
      for (const response of hanging) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
