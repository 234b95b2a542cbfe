import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseAllowedCidrs } from '../../../shared/delivery/allowedCidrs';
import { SsrfGuard } from '../../../shared/delivery/ssrfGuard';
import {
  HANDSHAKE_TIMEOUT_MS,
  createWebhookClient,
  type WebhookClient,
} from '../../../shared/delivery/webhookClient';
import { handshakeVerdict } from '../../../shared/delivery/validationHandshake';

const ORIGIN = 'events.example.com';

/** The OPTIONS handshake of the real webhook client against a loopback endpoint. */
describe('WebhookClient.requestHandshake', () => {
  let server: Server;
  let base: string;
  const seen: IncomingMessage[] = [];
  const clients: WebhookClient[] = [];
  const client = (allowed: string) => {
    const made = createWebhookClient({ guard: new SsrfGuard(parseAllowedCidrs(allowed)) });
    clients.push(made);
    return made;
  };

  beforeAll(async () => {
    server = createServer((request, response) => {
      seen.push(request);
      switch (request.url) {
        case '/agree':
          response
            .writeHead(200, {
              'webhook-allowed-origin': String(request.headers['webhook-request-origin']),
              'webhook-allowed-rate': '60',
            })
            .end('a body that is not read in full '.repeat(500));
          return;
        case '/no-options':
          response.writeHead(405, { allow: 'POST' }).end();
          return;
        case '/hang':
          return; // never answers
        default:
          response.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await Promise.all(clients.map((made) => made.close()));
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('sends OPTIONS with WebHook-Request-Origin and the custom headers, and reads the answer', async () => {
    const response = await client('127.0.0.0/8').requestHandshake(`${base}/agree`, ORIGIN, {
      Authorization: 'Bearer t',
    });
    expect(response).toEqual({ kind: 'answered', status: 200, allowedOrigin: ORIGIN, allowedRate: '60' });
    expect(handshakeVerdict(response, ORIGIN)).toEqual({ accepted: true, allowedRatePerMinute: 60 });
    const request = seen.find((made) => made.url === '/agree');
    expect(request?.method).toBe('OPTIONS');
    expect(request?.headers['webhook-request-origin']).toBe(ORIGIN);
    expect(request?.headers.authorization).toBe('Bearer t');
  });

  it('reports a 405 as an answer the verdict refuses', async () => {
    const response = await client('127.0.0.0/8').requestHandshake(`${base}/no-options`, ORIGIN);
    expect(response).toEqual({ kind: 'answered', status: 405 });
    expect(handshakeVerdict(response, ORIGIN).accepted).toBe(false);
  });

  it('gives up on an endpoint that does not answer within the handshake timeout', async () => {
    const response = await client('127.0.0.0/8').requestHandshake(`${base}/hang`, ORIGIN);
    expect(response).toEqual({
      kind: 'failed',
      error: `no complete response within ${HANDSHAKE_TIMEOUT_MS} ms`,
    });
  }, 30_000);

  it('never connects to a target the SSRF guard refuses', async () => {
    const before = seen.length;
    const response = await client('').requestHandshake(`${base}/agree`, ORIGIN);
    expect(response).toEqual({ kind: 'failed', error: expect.stringMatching(/refused 127\.0\.0\.1/) });
    expect(seen).toHaveLength(before);
  });
});
