import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

import { type FakeIngestion, startFakeIngestion } from '../../../local/fake-appinsights/fakeIngestion';
import { durationMs, formatEnvelope } from '../../../local/fake-appinsights/formatEnvelope';
import { getFreePort } from '../../support/wait';

const envelope = (
  name: string,
  baseType = 'MessageData',
  extra: Record<string, unknown> = {},
): Record<string, unknown> => ({
  ver: 1,
  name,
  time: '2026-11-28T17:25:49.123Z',
  iKey: '00000000-0000-0000-0000-000000000001',
  tags: { 'ai.operation.id': '4bf92f3577b34da6a3ce929d0e0e4736' },
  data: {
    baseType,
    baseData: {
      ver: 2,
      message: name,
      severityLevel: 'Information',
      properties: { eventKey: 'k1' },
      ...extra,
    },
  },
});

/** POSTs with the certificate as the only trusted CA, as a client with NODE_EXTRA_CA_CERTS would. */
function post(
  ingestion: FakeIngestion,
  path: string,
  body: Buffer,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, ingestion.url),
      {
        method: 'POST',
        ca: readFileSync(ingestion.certPath),
        headers: { 'content-type': 'application/json', ...headers },
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('fake Application Insights ingestion endpoint', () => {
  let ingestion: FakeIngestion;

  beforeAll(async () => {
    ingestion = await startFakeIngestion({ port: await getFreePort() });
  });
  afterAll(async () => {
    await ingestion?.close();
  });

  it('serves TLS with a self-signed certificate valid for localhost and 127.0.0.1', () => {
    const certificate = new X509Certificate(readFileSync(ingestion.certPath));
    expect(certificate.verify(certificate.publicKey)).toBe(true);
    expect(certificate.checkHost('localhost')).toBe('localhost');
    expect(certificate.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(ingestion.connectionString).toMatch(
      /^InstrumentationKey=[0-9a-f-]{36};IngestionEndpoint=https:\/\/127\.0\.0\.1:\d+\/;/,
    );
  });

  it('keeps the certificate in certDir across restarts, so running apps still trust it', async () => {
    const certDir = mkdtempSync(join(tmpdir(), 'fake-appinsights-test-'));
    try {
      const first = await startFakeIngestion({ certDir });
      const firstCert = readFileSync(first.certPath, 'utf8');
      await first.close();
      const second = await startFakeIngestion({ certDir });
      expect(readFileSync(second.certPath, 'utf8')).toBe(firstCert);
      expect(
        (await post(second, '/v2.1/track', Buffer.from(JSON.stringify([envelope('after restart')])))).status,
      ).toBe(200);
      await second.close();
    } finally {
      rmSync(certDir, { recursive: true, force: true });
    }
  });

  it('accepts gzip JSON arrays on /v2.1/track and newline-delimited JSON on /v2/track', async () => {
    const gzipped = await post(
      ingestion,
      '/v2.1/track',
      gzipSync(JSON.stringify([envelope('one'), envelope('two')])),
      { 'content-encoding': 'gzip' },
    );
    expect(gzipped.status).toBe(200);
    expect(JSON.parse(gzipped.body)).toEqual({ itemsReceived: 2, itemsAccepted: 2, errors: [] });

    const ndjson = `${JSON.stringify(envelope('three'))}\n${JSON.stringify(envelope('four'))}\n`;
    expect((await post(ingestion, '/v2/track', Buffer.from(ndjson))).status).toBe(200);

    expect(ingestion.envelopes().map((e) => e.name)).toEqual(
      expect.arrayContaining(['one', 'two', 'three', 'four']),
    );
  });

  it('reports invalid items as partial success and refuses what is not telemetry', async () => {
    const partial = await post(
      ingestion,
      '/v2.1/track',
      Buffer.from(JSON.stringify([envelope('five'), { nope: true }])),
    );
    expect(partial.status).toBe(206);
    expect(JSON.parse(partial.body)).toMatchObject({
      itemsReceived: 2,
      itemsAccepted: 1,
      errors: [{ index: 1, statusCode: 400 }],
    });
    expect((await post(ingestion, '/v2.1/track', Buffer.from('not json'))).status).toBe(400);
    expect((await post(ingestion, '/QuickPulseService.svc/post', Buffer.from('[]'))).status).toBe(404);
  });

  it('waitFor resolves on an envelope that arrives later and rejects after its timeout', async () => {
    const waiting = ingestion.waitFor((e) => e.name === 'late');
    await post(ingestion, '/v2.1/track', Buffer.from(JSON.stringify([envelope('late')])));
    await expect(waiting).resolves.toMatchObject({ name: 'late' });
    await expect(ingestion.waitFor((e) => e.name === 'never', 100)).rejects.toThrow(
      /no matching envelope within 100 ms/,
    );
  });

  it('formats one compact line per envelope for the live view', async () => {
    const request = envelope('POST /api/topics/{topic}/events', 'RequestData', {
      name: 'POST /api/topics/{topic}/events',
      responseCode: '202',
      success: true,
      duration: '00:00:00.0123',
      message: undefined,
      properties: { eventKey: 'orders:1', topic: 'orders' },
    });
    await post(ingestion, '/v2.1/track', Buffer.from(JSON.stringify([request])));
    const received = await ingestion.waitFor((e) => e.data?.baseType === 'RequestData');
    expect(formatEnvelope(received)).toBe(
      '17:25:49.123 Request          POST /api/topics/{topic}/events 202 12ms op=4bf92f35 eventKey=orders:1 topic=orders',
    );
    expect(durationMs('1.02:03:04.5')).toBe(((24 + 2) * 60 + 3) * 60_000 + 4500);
  });
});
