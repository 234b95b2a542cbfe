import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerValidationHandshake } from '../../local/sample-receiver/handshake';

/** Shares of requests answered badly; the rest get 204. */
export interface FailureShares {
  /** HTTP 500: retried. */
  serverError: number;
  /** HTTP 400: dead-lettered at once (EndpointRejected). */
  rejected: number;
  /** No answer at all: the attempt times out (30 s) and is retried. */
  hang: number;
  /** The connection is reset before an answer: retried. */
  reset: number;
}

export type Answer = 'ok' | 'serverError' | 'rejected' | 'hang' | 'reset';

/** What one subscription received for one event. */
export interface Receipts {
  /** Distinct webhook-id headers seen (all attempts, whatever the answer). */
  webhookIds: Set<string>;
  /** 2xx answers per webhook-id: more than one is a duplicate delivery. */
  okByWebhookId: Map<string, number>;
  /** When each 2xx answer was given (ms since the epoch), per webhook-id: why a duplicate came. */
  okAtMsByWebhookId: Map<string, number[]>;
  requests: number;
}

export interface ChaosReceiver {
  /** The webhook URL of one subscription. */
  url(subscription: string): string;
  /** Receipts by subscription, then by CloudEvent id. */
  receipts(subscription: string, eventId: string): Receipts | undefined;
  /** Requests so far, by answer. */
  answers(): Record<Answer, number>;
  totalRequests(): number;
  close(): Promise<void>;
}

const PATH_PREFIX = '/chaos/';

/**
 * The webhook endpoint of every chaos subscription (/chaos/<subscription>): records each request
 * by subscription, event id and webhook-id, and answers a seeded random share of them badly.
 * A request that hangs is never answered: its socket is dropped after `hangMs`, when the
 * deliver function has long given up on it.
 */
export async function startChaosReceiver(
  shares: FailureShares,
  random: () => number,
  hangMs = 35_000,
): Promise<ChaosReceiver> {
  const bySubscription = new Map<string, Map<string, Receipts>>();
  const counts: Record<Answer, number> = { ok: 0, serverError: 0, rejected: 0, hang: 0, reset: 0 };
  const hanging = new Set<NodeJS.Timeout>();
  let total = 0;

  const pick = (): Answer => {
    let r = random();
    for (const answer of ['serverError', 'rejected', 'hang', 'reset'] as const) {
      if (r < shares[answer]) return answer;
      r -= shares[answer];
    }
    return 'ok';
  };

  const record = (request: IncomingMessage, body: Buffer, answer: Answer) => {
    const path = request.url ?? '';
    if (!path.startsWith(PATH_PREFIX)) return;
    const subscription = path.slice(PATH_PREFIX.length);
    let eventId = '';
    try {
      const parsed = JSON.parse(body.toString('utf8')) as { id?: unknown };
      if (typeof parsed.id === 'string') eventId = parsed.id;
    } catch {
      // Counted under the empty id: the assertions will not find it.
    }
    const events = bySubscription.get(subscription) ?? new Map<string, Receipts>();
    bySubscription.set(subscription, events);
    const receipts = events.get(eventId) ?? {
      webhookIds: new Set(),
      okByWebhookId: new Map(),
      okAtMsByWebhookId: new Map(),
      requests: 0,
    };
    events.set(eventId, receipts);
    const webhookId = String(request.headers['webhook-id'] ?? '');
    receipts.webhookIds.add(webhookId);
    receipts.requests += 1;
    if (answer === 'ok') {
      receipts.okByWebhookId.set(webhookId, (receipts.okByWebhookId.get(webhookId) ?? 0) + 1);
      receipts.okAtMsByWebhookId.set(webhookId, [
        ...(receipts.okAtMsByWebhookId.get(webhookId) ?? []),
        Date.now(),
      ]);
    }
  };

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      // The validation handshake when a subscription is created is no delivery: always agreed to.
      if (answerValidationHandshake(request, response)) return;
      total += 1;
      const answer = pick();
      counts[answer] += 1;
      record(request, Buffer.concat(chunks), answer);
      switch (answer) {
        case 'ok':
          response.writeHead(204).end();
          return;
        case 'serverError':
          response.writeHead(500, { 'content-type': 'text/plain' }).end('injected failure');
          return;
        case 'rejected':
          response.writeHead(400, { 'content-type': 'text/plain' }).end('injected rejection');
          return;
        case 'reset':
          request.socket.resetAndDestroy();
          return;
        case 'hang': {
          const timer = setTimeout(() => {
            hanging.delete(timer);
            request.socket.destroy();
          }, hangMs);
          hanging.add(timer);
          return;
        }
      }
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: (subscription) => `http://127.0.0.1:${port}${PATH_PREFIX}${subscription}`,
    receipts: (subscription, eventId) => bySubscription.get(subscription)?.get(eventId),
    answers: () => ({ ...counts }),
    totalRequests: () => total,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of hanging) clearTimeout(timer);
        hanging.clear();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
