import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerValidationHandshake } from '../../local/sample-receiver/handshake';

/** One delivery as the receiver saw it. */
export interface Arrival {
  /** The URL path, which names the scenario and the subscription. */
  path: string;
  webhookId: string;
  /** The measurement phase the publisher put in data.phase. */
  phase: string;
  /** Epoch milliseconds (fractional) the publisher put in data.sentAt. */
  sentAt: number;
  arrivedAt: number;
}

export interface BenchReceiver {
  url: (path: string) => string;
  close(): Promise<void>;
}

/** Epoch milliseconds with sub-millisecond resolution, comparable within this process. */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * A webhook receiver that does as little as possible: reads the body, notes when the event was
 * published (data.sentAt) and when it arrived, answers 204. It does not verify signatures
 * (the e2e tests do); here it only must not be the bottleneck.
 */
export async function startBenchReceiver(onArrival: (arrival: Arrival) => void): Promise<BenchReceiver> {
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      // The validation handshake of a new subscription is no arrival.
      if (answerValidationHandshake(request, response)) return;
      const arrivedAt = nowMs();
      response.writeHead(204).end();
      const webhookId = String(request.headers['webhook-id'] ?? '');
      try {
        const event = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          data?: { sentAt?: unknown; phase?: unknown };
        };
        const sentAt = typeof event.data?.sentAt === 'number' ? event.data.sentAt : NaN;
        const phase = typeof event.data?.phase === 'string' ? event.data.phase : '';
        onArrival({ path: request.url ?? '', webhookId, phase, sentAt, arrivedAt });
      } catch {
        onArrival({ path: request.url ?? '', webhookId, phase: '', sentAt: NaN, arrivedAt });
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
