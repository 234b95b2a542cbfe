import { connect, type Socket } from 'node:net';
import { resolve } from 'node:path';
import { MAX_REQUEST_BODY_BYTES } from '../../../local/devhost/http/readBody';
import { waitFor } from '../../support/wait';
import { spawnDevHost, type SpawnedDevHost } from './spawnDevHost';

const APP_ROOT = resolve(__dirname, '../../fixtures/devhost-app');
/** Given in the environment, so it must win over the fixture's local.settings.json key. */
const KEY = 'key-from-the-environment';

interface RawAnswer {
  status: number;
  head: string;
  body: string;
}

/**
 * One request over a raw socket (fetch would not send a broken Host header), answered when the
 * server closes the connection. `sendBody` writes after the head until the answer comes.
 */
function rawRequest(
  port: number,
  head: string,
  sendBody?: (socket: Socket, answered: () => boolean) => Promise<void>,
): Promise<RawAnswer> {
  return new Promise((resolvePromise, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString('latin1')));
    socket.on('error', () => undefined); // writes after the server closed: expected here
    socket.on('close', () => {
      const [headPart = '', body = ''] = received.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(headPart)?.[1]);
      if (!status) reject(new Error(`no HTTP answer: ${JSON.stringify(received.slice(0, 200))}`));
      else resolvePromise({ status, head: headPart, body });
    });
    socket.write(head);
    sendBody?.(socket, () => received.length > 0).catch(reject);
  });
}

describe('dev host: HTTP triggers', () => {
  let host: SpawnedDevHost;

  beforeAll(async () => {
    host = await spawnDevHost({ appRoot: APP_ROOT, env: { SWITCHYARD_FUNCTION_KEY: KEY } });
  });

  afterAll(async () => {
    await host?.stop();
  });

  it('prints one ready line naming every function and its trigger', () => {
    expect(host.logs()).toMatch(
      /Dev host listening on http:\/\/127\.0\.0\.1:\d+ \(\d+ functions: .*getItem \[httpTrigger\].*tick \[timerTrigger\]/,
    );
  });

  it('passes route parameters, repeated query values and headers to the handler', async () => {
    const response = await fetch(`${host.url}/api/items/42?tag=a&tag=b`, {
      headers: { 'x-functions-key': KEY, 'x-fixture': 'yes' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ id: '42', tag: ['a', 'b'], header: 'yes' });
  });

  it('accepts the key in the code query parameter', async () => {
    const response = await fetch(`${host.url}/api/items/7?code=${KEY}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id: '7' });
  });

  it('answers 401 with a JSON body without a key, with a wrong key, and with the overridden file key', async () => {
    const attempts: Record<string, string>[] = [
      {},
      { 'x-functions-key': 'wrong' },
      { 'x-functions-key': 'fixture-key-from-file' },
    ];
    for (const headers of attempts) {
      const response = await fetch(`${host.url}/api/items/42`, { headers });
      expect(response.status).toBe(401);
      expect(response.headers.get('content-type')).toBe('application/problem+json');
      expect(await response.json()).toMatchObject({ status: 401, title: 'Unauthorized' });
    }
  });

  it('answers 404 for an unknown route and for a value its constraint rejects', async () => {
    for (const path of ['/api/nothing-here', '/api/items/abc', '/items/42', '/api/pages/x']) {
      const response = await fetch(`${host.url}${path}?code=${KEY}`);
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ status: 404 });
    }
  });

  it('answers 405 with Allow for a method the route does not take', async () => {
    const response = await fetch(`${host.url}/api/items/42?code=${KEY}`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET');
    expect(await response.json()).toMatchObject({ status: 405 });
  });

  it('round-trips a binary body byte for byte and sets cookies', async () => {
    const bytes = Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x0a, 0x0d, 0x7f, 0xc3, 0x28]);
    const response = await fetch(`${host.url}/api/blobs/raw.bin`, {
      method: 'PUT',
      body: bytes,
      headers: { 'content-type': 'application/octet-stream' },
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-name')).toBe('raw.bin');
    expect(response.headers.get('x-length')).toBe(String(bytes.length));
    expect(response.headers.get('set-cookie')).toBe('last=raw.bin; Path=/; HttpOnly');
    expect(Buffer.from(await response.arrayBuffer())).toEqual(bytes);
  });

  it('matches catch-all and optional parameters', async () => {
    const deep = await fetch(`${host.url}/api/files/a/b%20c/d.txt`);
    expect(await deep.json()).toEqual({ path: 'a/b c/d.txt' });
    const none = await fetch(`${host.url}/api/files`);
    expect(await none.json()).toEqual({ path: null });
    const page = await fetch(`${host.url}/API/Pages/3`);
    expect(await page.json()).toEqual({ page: '3' });
    const noPage = await fetch(`${host.url}/api/pages`);
    expect(await noPage.json()).toEqual({ page: null });
  });

  it('uses the function name as the default route and reads settings from local.settings.json', async () => {
    const response = await fetch(`${host.url}/api/settings`, { method: 'POST' });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ greeting: 'hello from local.settings.json' });
  });

  it('answers 500 with no body when the function throws, and logs the error for that invocation', async () => {
    const response = await fetch(`${host.url}/api/fails`);
    expect(response.status).toBe(500);
    expect(await response.text()).toBe('');
    // Log lines are written once per event-loop turn, so they may trail the response.
    await waitFor('the failure log line', () =>
      /\[fails\] \[[0-9a-f-]{36}\] Executed 'Functions\.fails' \(Failed, .*fixture failure on purpose/.test(
        host.logs(),
      ),
    );
  });

  it('answers 200 with an empty body when the handler returns nothing, as the host does', async () => {
    const response = await fetch(`${host.url}/api/things/1`, { method: 'DELETE' });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
  });

  it('gives each invocation a W3C traceparent that continues the caller trace, and tags its log lines', async () => {
    const callerTrace = '0af7651916cd43dd8448eb211c80319c';
    const response = await fetch(`${host.url}/api/items/5?code=${KEY}`, {
      headers: { traceparent: `00-${callerTrace}-b7ad6b7169203331-01` },
    });
    const body = (await response.json()) as { traceParent: string; invocationId: string };
    expect(body.traceParent).toMatch(new RegExp(`^00-${callerTrace}-[0-9a-f]{16}-01$`));
    expect(body.traceParent).not.toContain('b7ad6b7169203331');
    const other = (await (await fetch(`${host.url}/api/items/6?code=${KEY}`)).json()) as {
      traceParent: string;
    };
    expect(other.traceParent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(other.traceParent.slice(3, 35)).not.toBe(callerTrace);
    await waitFor('the tagged log line', () =>
      host.logs().includes(`[getItem] [${body.invocationId}] getItem for id 5`),
    );
  });

  it('applies CORS from local.settings.json Host.CORS, answering preflights itself', async () => {
    const preflight = await fetch(`${host.url}/api/blobs/x`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://allowed.example',
        'access-control-request-method': 'PUT',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('http://allowed.example');
    expect(preflight.headers.get('access-control-allow-methods')).toBe('PUT');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('content-type');
    const allowed = await fetch(`${host.url}/api/settings`, {
      headers: { origin: 'http://allowed.example' },
    });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://allowed.example');
    const other = await fetch(`${host.url}/api/settings`, {
      headers: { origin: 'http://elsewhere.example' },
    });
    expect(other.status).toBe(200);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers 400 problem+json to a Host header that makes no URL, as the Functions host does (issue 12)', async () => {
    for (const hostHeader of ['[::1', 'exa mple.com', 'a%zz']) {
      const answer = await rawRequest(
        host.port,
        `GET /api/items/1?code=${KEY} HTTP/1.1\r\nHost: ${hostHeader}\r\n\r\n`,
      );
      expect({ hostHeader, status: answer.status }).toEqual({ hostHeader, status: 400 });
      expect(answer.head.toLowerCase()).toContain('content-type: application/problem+json');
      expect(JSON.parse(answer.body)).toMatchObject({ status: 400, title: 'Bad Request' });
    }
  });

  it('answers 413 to a declared body over 100 MB before reading it (issue 12)', async () => {
    const answer = await rawRequest(
      host.port,
      `PUT /api/blobs/big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: ${MAX_REQUEST_BODY_BYTES + 1}\r\n\r\nonly a few bytes`,
    );
    expect(answer.status).toBe(413);
    expect(answer.head.toLowerCase()).toContain('content-type: application/problem+json');
  });

  it('answers 413 to a chunked body once it passes 100 MB, and closes instead of reading on (issue 12)', async () => {
    const chunk = Buffer.alloc(1024 * 1024, 0x61);
    let written = 0;
    const answer = await rawRequest(
      host.port,
      'PUT /api/blobs/big.bin HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n',
      async (socket, answered) => {
        // Up to twice the limit: the server must answer (and close) long before.
        while (!answered() && !socket.destroyed && written < 2 * MAX_REQUEST_BODY_BYTES) {
          socket.write(`${chunk.length.toString(16)}\r\n`);
          socket.write(chunk);
          const flushed = socket.write('\r\n');
          written += chunk.length;
          if (!flushed) {
            await new Promise<void>((done) => {
              socket.once('drain', done);
              socket.once('close', done);
            });
          }
        }
      },
    );
    expect(answer.status).toBe(413);
    expect(written).toBeLessThan(2 * MAX_REQUEST_BODY_BYTES);
  });
});
