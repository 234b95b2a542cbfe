import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describeDelivery, formatDeliverySummary, type DeliverySummary } from './describeDelivery';
import { answerValidationHandshake } from './handshake';
import { verifySignature, type SignatureCheck } from './verifySignature';

export interface SampleReceiverOptions {
  /** Default 7072; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** The subscription's `whsec_` secret, when known; can also be given later with setSecret(). */
  secret?: string | undefined;
  /** Where lines go; default console.log. */
  log?: (line: string) => void;
}

/** One request the receiver got, as tests and people see it. */
export interface ReceivedDelivery extends DeliverySummary {
  headers: Record<string, string>;
  body: string;
  signature: SignatureCheck;
  receivedAt: Date;
}

export interface RunningSampleReceiver {
  url: string;
  port: number;
  /** Everything received so far, oldest first. */
  deliveries(): ReceivedDelivery[];
  /** Called for each delivery after it was answered. */
  onDelivery(listener: (delivery: ReceivedDelivery) => void): void;
  setSecret(secret: string | undefined): void;
  close(): Promise<void>;
}

/** Kept in memory for tests and curious people; older ones are dropped. */
const MAX_KEPT = 1000;

function flatHeaders(request: IncomingMessage): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) result[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return result;
}

/**
 * A tiny webhook receiver for the local stack: prints each delivery (method, path, webhook-id,
 * CloudEvent type/subject/id), checks its Standard Webhooks signature when it knows the secret,
 * and answers 204. It agrees to every validation handshake (OPTIONS with WebHook-Request-Origin). Any method and path are accepted, so a subscription can point anywhere on it.
 */
export async function startSampleReceiver(
  options: SampleReceiverOptions = {},
): Promise<RunningSampleReceiver> {
  const log = options.log ?? ((line: string) => console.log(line));
  let secret = options.secret;
  let saidUnknownSecret = false;
  const received: ReceivedDelivery[] = [];
  const listeners: Array<(delivery: ReceivedDelivery) => void> = [];

  const describeSignature = (check: SignatureCheck): string | undefined => {
    switch (check.status) {
      case 'verified':
        return 'signature verified';
      case 'invalid':
        return `signature INVALID (${check.reason})`;
      case 'unknown-secret':
        // Said once: repeating it on every delivery would drown the useful lines.
        if (saidUnknownSecret) return undefined;
        saidUnknownSecret = true;
        return 'signature not checked: the signing secret is unknown; the API returns it only when it creates a subscription';
    }
  };

  const handle = (request: IncomingMessage, response: ServerResponse, body: Buffer) => {
    const path = request.url ?? '/';
    if (answerValidationHandshake(request, response)) {
      log(
        `[receiver] OPTIONS ${path} validation handshake from ${String(request.headers['webhook-request-origin'])}: allowed`,
      );
      return;
    }
    const text = body.toString('utf8');
    const summary = describeDelivery(request.method ?? 'GET', path, request.headers, text);
    const signature = verifySignature(secret, request.headers, body);
    response.writeHead(204).end();
    const delivery: ReceivedDelivery = {
      ...summary,
      headers: flatHeaders(request),
      body: text,
      signature,
      receivedAt: new Date(),
    };
    received.push(delivery);
    if (received.length > MAX_KEPT) received.shift();
    const note = describeSignature(signature);
    log(`[receiver] ${formatDeliverySummary(summary)}${note ? ` (${note})` : ''}`);
    for (const listener of [...listeners]) listener(delivery);
  };

  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => handle(request, response, Buffer.concat(chunks)));
    request.on('error', () => response.destroy());
  });
  // Switchyard's webhook client keeps connections alive; don't let them hold close() up.
  server.keepAliveTimeout = 5_000;
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 7072, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    port,
    deliveries: () => [...received],
    onDelivery: (listener) => listeners.push(listener),
    setSecret: (value) => {
      secret = value;
      saidUnknownSecret = false;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
