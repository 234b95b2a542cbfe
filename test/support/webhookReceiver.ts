import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerValidationHandshake } from '../../local/sample-receiver/handshake';

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
 * How a path answers the validation handshake (OPTIONS with WebHook-Request-Origin):
 * `agree` (default) echoes the origin, optionally with a WebHook-Allowed-Rate; otherwise the
 * scripted response is sent as it is (e.g. 405, or 200 without the header).
 */
export type HandshakeAnswer = { agree: true; allowedRate?: string } | ScriptedResponse;

/**
 * A webhook receiver for tests: records every request per path and answers from a script
 * (`respond(path, [503, 503, 200])`), then 200 once the script runs out. Validation handshakes
 * are recorded apart (`handshakes(path)`) and agreed to unless `handshake(path, ...)` says otherwise.
 */
export async function startWebhookReceiver() {
  const received: ReceivedRequest[] = [];
  const handshakes: ReceivedRequest[] = [];
  const scripts = new Map<string, ScriptedResponse[]>();
  const handshakeAnswers = new Map<string, HandshakeAnswer>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = request.url ?? '/';
      const entry = {
        path,
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      if (request.method === 'OPTIONS') {
        handshakes.push(entry);
        const answer = handshakeAnswers.get(path) ?? { agree: true };
        if ('agree' in answer) {
          if (answerValidationHandshake(request, response, answer)) return;
          response.writeHead(400).end('no WebHook-Request-Origin');
          return;
        }
        response.writeHead(answer.status, answer.headers);
        response.end(answer.body ?? '');
        return;
      }
      received.push(entry);
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
    handshakes: (path: string) => handshakes.filter((request) => request.path === path),
    respond(path: string, responses: Array<number | ScriptedResponse>) {
      scripts.set(
        path,
        responses.map((response) => (typeof response === 'number' ? { status: response } : response)),
      );
    },
    handshake(path: string, answer: HandshakeAnswer) {
      handshakeAnswers.set(path, answer);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
