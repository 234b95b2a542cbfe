import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

export interface ScriptedResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/**
 * A webhook receiver for tests: records every request per path and answers from a script
 * (`respond(path, [503, 503, 200])`), then 200 once the script runs out.
 */
export async function startWebhookReceiver() {
  const received: ReceivedRequest[] = [];
  const scripts = new Map<string, ScriptedResponse[]>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = request.url ?? '/';
      received.push({
        path,
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      });
      const next = scripts.get(path)?.shift() ?? { status: 200 };
      response.writeHead(next.status, next.headers);
      response.end(next.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    received: (path: string) => received.filter((request) => request.path === path),
    respond(path: string, responses: Array<number | ScriptedResponse>) {
      scripts.set(
        path,
        responses.map((response) => (typeof response === 'number' ? { status: response } : response)),
      );
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
