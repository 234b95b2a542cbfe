import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { LookupAddress } from 'node:dns';
import { Webhook } from 'standardwebhooks';

import { parseAllowedCidrs } from '../../../shared/delivery/allowedCidrs';
import { classifyOutcome } from '../../../shared/delivery/classifyOutcome';
import { SsrfGuard } from '../../../shared/delivery/ssrfGuard';
import { createWebhookClient, type WebhookClient } from '../../../shared/delivery/webhookClient';
import type { CloudEventJson } from '../../../shared/domain/types';
import { generateSigningSecret } from '../../../shared/subscriptions/signingSecret';
import { getFreePort } from '../../support/wait';

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

const event: CloudEventJson = {
  specversion: '1.0',
  id: 'evt-1',
  source: '/shop',
  type: 'order.created',
  subject: '/orders/1',
  data: { total: 150, note: 'grüße' },
};
const secret = generateSigningSecret();
const allowLoopback = new SsrfGuard(parseAllowedCidrs('127.0.0.0/8'));

let server: Server;
let base: string;
let port: number;
const received: Received[] = [];
const clients: WebhookClient[] = [];

/** Each path is one receiver behaviour. */
function route(req: IncomingMessage, res: ServerResponse, body: string): void {
  received.push({ path: req.url ?? '', headers: req.headers, body });
  switch (req.url) {
    case '/ok':
      res.writeHead(200, { 'content-type': 'text/plain' }).end('x'.repeat(10_000));
      return;
    case '/busy':
      res.writeHead(503, { 'retry-after': '120' }).end('try later');
      return;
    case '/moved':
      res.writeHead(302, { location: `${base}/elsewhere` }).end();
      return;
    case '/gone':
      res.writeHead(410).end();
      return;
    case '/endless': {
      // Streams forever: the client must stop after its 4 KB prefix, not wait for the end.
      res.writeHead(200);
      const timer = setInterval(() => res.write('y'.repeat(1024)), 5);
      res.on('close', () => clearInterval(timer));
      return;
    }
    case '/hang':
      return; // never answers
    default:
      res.writeHead(204).end();
  }
}

function client(guard: SsrfGuard, timeoutMs?: number): WebhookClient {
  const created = createWebhookClient({ guard, ...(timeoutMs ? { timeoutMs } : {}) });
  clients.push(created);
  return created;
}

beforeAll(async () => {
  port = await getFreePort();
  base = `http://127.0.0.1:${port}`;
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => route(req, res, Buffer.concat(chunks).toString('utf8')));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  received.length = 0;
});

describe('webhook client against a local receiver', () => {
  it('delivers a signed structured CloudEvent and keeps the first 4 KB of the response', async () => {
    const result = await client(allowLoopback).deliver({
      endpointUrl: `${base}/ok`,
      event,
      signingSecret: secret,
      deliveryId: 'dlv-42',
      headers: { 'X-Api-Key': 'k-1', 'Content-Type': 'text/evil' },
    });
    expect(result).toMatchObject({ ok: true, status: 200 });
    expect(result.responseBodyPrefix).toBe('x'.repeat(4096));
    expect(result.durationMs).toBeGreaterThanOrEqual(0);

    const [request] = received;
    expect(request?.headers['content-type']).toBe('application/cloudevents+json; charset=utf-8');
    expect(request?.headers['user-agent']).toMatch(/^Switchyard\/\d+\.\d+\.\d+/);
    expect(request?.headers['x-api-key']).toBe('k-1');
    expect(request?.headers['webhook-id']).toBe('dlv-42');
    expect(JSON.parse(request?.body ?? '')).toEqual(event);
    const signed = {
      'webhook-id': String(request?.headers['webhook-id']),
      'webhook-timestamp': String(request?.headers['webhook-timestamp']),
      'webhook-signature': String(request?.headers['webhook-signature']),
    };
    expect(new Webhook(secret).verify(request?.body ?? '', signed)).toEqual(event);
    expect(classifyOutcome(result).outcome).toBe('succeeded');
  });

  it('stops reading an endless response after the prefix', async () => {
    const result = await client(allowLoopback).deliver({
      endpointUrl: `${base}/endless`,
      event,
      signingSecret: secret,
      deliveryId: 'd',
    });
    expect(result).toMatchObject({ ok: true, status: 200 });
    expect(result.responseBodyPrefix).toHaveLength(4096);
  });

  it('reports 503 with Retry-After, which the classification honours', async () => {
    const result = await client(allowLoopback).deliver({
      endpointUrl: `${base}/busy`,
      event,
      signingSecret: secret,
      deliveryId: 'd',
    });
    expect(result).toMatchObject({
      ok: false,
      status: 503,
      retryAfter: '120',
      retryAfterMs: 120_000,
      responseBodyPrefix: 'try later',
    });
    expect(classifyOutcome(result)).toMatchObject({
      outcome: 'retryableFailure',
      retryAfterMs: 120_000,
      minDelayMs: 30_000,
    });
  });

  it('does not follow redirects', async () => {
    const result = await client(allowLoopback).deliver({
      endpointUrl: `${base}/moved`,
      event,
      signingSecret: secret,
      deliveryId: 'd',
    });
    expect(result).toMatchObject({ ok: false, status: 302, location: `${base}/elsewhere` });
    expect(received.map((r) => r.path)).toEqual(['/moved']);
    expect(classifyOutcome(result).outcome).toBe('retryableFailure');
  });

  it('reports 410 so the subscription can be disabled', async () => {
    const result = await client(allowLoopback).deliver({
      endpointUrl: `${base}/gone`,
      event,
      signingSecret: secret,
      deliveryId: 'd',
    });
    expect(classifyOutcome(result)).toMatchObject({ outcome: 'permanentFailure', disableSubscription: true });
  });

  it('times out after the configured time without throwing', async () => {
    const result = await client(allowLoopback, 300).deliver({
      endpointUrl: `${base}/hang`,
      event,
      signingSecret: secret,
      deliveryId: 'd',
    });
    expect(result).toMatchObject({
      ok: false,
      failure: 'timeout',
      error: 'no complete response within 300 ms',
    });
    expect(result.status).toBeUndefined();
    expect(result.durationMs).toBeGreaterThanOrEqual(250);
    expect(classifyOutcome(result).outcome).toBe('retryableFailure');
  });

  it('reports a closed port as a retryable network error', async () => {
    const closedPort = await getFreePort();
    const result = await client(allowLoopback).deliver({
      endpointUrl: `http://127.0.0.1:${closedPort}/x`,
      event,
      signingSecret: secret,
      deliveryId: 'd',
    });
    expect(result).toMatchObject({
      ok: false,
      failure: 'network',
      error: expect.stringContaining('ECONNREFUSED'),
    });
    expect(classifyOutcome(result).outcome).toBe('retryableFailure');
  });
});

describe('SSRF guard in the webhook client', () => {
  it('refuses loopback without an allow-list, before sending anything', async () => {
    const result = await client(new SsrfGuard(parseAllowedCidrs(undefined))).deliver({
      endpointUrl: `${base}/ok`,
      event,
      signingSecret: secret,
      deliveryId: 'd',
    });
    expect(result).toMatchObject({
      ok: false,
      failure: 'refused',
      error: expect.stringContaining('loopback'),
    });
    expect(received).toHaveLength(0);
    expect(classifyOutcome(result)).toMatchObject({ outcome: 'permanentFailure', reason: 'TargetRefused' });
  });

  it('refuses a host name that resolves to loopback, and allows it with the allow-list', async () => {
    const resolve = async (): Promise<LookupAddress[]> => [{ address: '127.0.0.1', family: 4 }];
    const refused = await client(new SsrfGuard(parseAllowedCidrs(''), resolve)).deliver({
      endpointUrl: `http://receiver.test:${port}/ok`,
      event,
      signingSecret: secret,
      deliveryId: 'd',
    });
    expect(refused).toMatchObject({ failure: 'refused' });
    const allowed = await client(new SsrfGuard(parseAllowedCidrs('127.0.0.0/8'), resolve)).deliver({
      endpointUrl: `http://receiver.test:${port}/ok`,
      event,
      signingSecret: secret,
      deliveryId: 'd',
    });
    expect(allowed).toMatchObject({ ok: true, status: 200 });
    expect(received[0]?.headers.host).toBe(`receiver.test:${port}`);
  });

  it('resolves localhost with the system resolver: refused by default, allowed by 127.0.0.0/8', async () => {
    const url = `http://localhost:${port}/ok`;
    const refused = await client(new SsrfGuard(parseAllowedCidrs(''))).deliver({
      endpointUrl: url,
      event,
      signingSecret: secret,
      deliveryId: 'd',
    });
    expect(refused).toMatchObject({ ok: false, failure: 'refused' });
    const allowed = await client(allowLoopback).deliver({
      endpointUrl: url,
      event,
      signingSecret: secret,
      deliveryId: 'd',
    });
    expect(allowed).toMatchObject({ ok: true, status: 200 });
  });

  it('checks again at connect time, so a DNS answer that changes (rebinding) is refused', async () => {
    let calls = 0;
    const rebinding = async (): Promise<LookupAddress[]> =>
      calls++ === 0 ? [{ address: '93.184.216.34', family: 4 }] : [{ address: '127.0.0.1', family: 4 }];
    const result = await client(new SsrfGuard(parseAllowedCidrs(''), rebinding)).deliver({
      endpointUrl: `http://rebind.test:${port}/ok`,
      event,
      signingSecret: secret,
      deliveryId: 'd',
    });
    expect(calls).toBe(2);
    expect(result).toMatchObject({
      ok: false,
      failure: 'refused',
      error: expect.stringContaining('127.0.0.1'),
    });
    expect(received).toHaveLength(0);
  });

  it.each(['http://[64:ff9b:1::a9fe:a9fe]/', 'http://[2002:a9fe:a9fe::]/', 'http://[2002:7f00:1::]:17072/'])(
    'issue 12: refuses %s (an IPv6 form of a blocked IPv4) before connecting',
    async (endpointUrl) => {
      const result = await client(new SsrfGuard(parseAllowedCidrs(''))).deliver({
        endpointUrl,
        event,
        signingSecret: secret,
        deliveryId: 'd',
      });
      expect(result).toMatchObject({
        ok: false,
        failure: 'refused',
        error: expect.stringMatching(/carries (169\.254\.169\.254|127\.0\.0\.1)/),
      });
    },
  );

  it.each(['2002:7f00:1::', '64:ff9b:1::7f00:1', '2001:0:808:808::80ff:fffe'])(
    'refuses at connect time a DNS answer that changes to %s (6to4, NAT64, Teredo of 127.0.0.1)',
    async (second) => {
      let calls = 0;
      const rebinding = async (): Promise<LookupAddress[]> =>
        calls++ === 0 ? [{ address: '93.184.216.34', family: 4 }] : [{ address: second, family: 6 }];
      const result = await client(new SsrfGuard(parseAllowedCidrs(''), rebinding)).deliver({
        endpointUrl: `http://rebind.test:${port}/ok`,
        event,
        signingSecret: secret,
        deliveryId: 'd',
      });
      expect(calls).toBe(2);
      expect(result).toMatchObject({ ok: false, failure: 'refused' });
      expect(received).toHaveLength(0);
    },
  );
});
