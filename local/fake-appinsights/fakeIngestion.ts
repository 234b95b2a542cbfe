import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { type Envelope, parseTrackBody } from './envelopes';
import { loadOrCreateCertificate } from './certificateFiles';
import { errorMessage } from '../../shared/errors/errorMessage';

export interface FakeIngestionOptions {
  /** 0 (default) lets the OS pick a free port. */
  port?: number;
  host?: string;
  /**
   * Where cert.pem and key.pem live; a certificate already there is reused while valid. A fresh
   * temp dir (removed on close) when not given.
   */
  certDir?: string;
}

export interface FakeIngestion {
  /** APPLICATIONINSIGHTS_CONNECTION_STRING for the app process. */
  connectionString: string;
  /** Give the app process NODE_EXTRA_CA_CERTS=<certPath> so it trusts this endpoint. */
  certPath: string;
  url: string;
  /** Every envelope received so far, in arrival order. */
  envelopes(): Envelope[];
  /** The first envelope (received or still to come) matching `predicate`. */
  waitFor(predicate: (envelope: Envelope) => boolean, timeoutMs?: number): Promise<Envelope>;
  /** Called for each envelope as it arrives (the CLI's live view). */
  onEnvelope(listener: (envelope: Envelope) => void): void;
  /** Number of POST /track requests served (to show that nothing was sent). */
  requestCount(): number;
  close(): Promise<void>;
}

const TRACK_PATHS = new Set(['/v2.1/track', '/v2/track']);

/**
 * A local stand-in for the Application Insights ingestion endpoint: HTTPS (the exporter rewrites
 * http:// endpoints to https://) with a self-signed certificate made at start, accepting
 * POST /v2.1/track and /v2/track and keeping the envelopes in memory.
 */
export async function startFakeIngestion({
  port = 0,
  host = '127.0.0.1',
  certDir,
}: FakeIngestionOptions = {}): Promise<FakeIngestion> {
  const dir = certDir ?? mkdtempSync(join(tmpdir(), 'fake-appinsights-'));
  const { certPem, keyPem, certPath } = loadOrCreateCertificate(dir, host);

  const received: Envelope[] = [];
  const listeners: Array<(envelope: Envelope) => void> = [];
  let requests = 0;

  const server: Server = createServer({ cert: certPem, key: keyPem }, (request, response) => {
    const path = (request.url ?? '').split('?')[0] ?? '';
    if (request.method !== 'POST' || !TRACK_PATHS.has(path)) {
      response.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests++;
      let batch;
      try {
        batch = parseTrackBody(Buffer.concat(chunks), request.headers['content-encoding']);
      } catch (error) {
        response.writeHead(400, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ error: errorMessage(error) }));
        return;
      }
      for (const envelope of batch.accepted) {
        received.push(envelope);
        for (const listener of [...listeners]) listener(envelope);
      }
      // Same answer shape as the real endpoint: 200 all accepted, 206 partial.
      response.writeHead(batch.errors.length === 0 ? 200 : 206, { 'content-type': 'application/json' });
      response.end(
        JSON.stringify({
          itemsReceived: batch.accepted.length + batch.errors.length,
          itemsAccepted: batch.accepted.length,
          errors: batch.errors,
        }),
      );
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const actualPort = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const url = `https://${urlHost}:${actualPort}/`;

  return {
    connectionString: `InstrumentationKey=${randomUUID()};IngestionEndpoint=${url};LiveEndpoint=${url}`,
    certPath,
    url,
    envelopes: () => [...received],
    onEnvelope: (listener) => listeners.push(listener),
    requestCount: () => requests,
    waitFor(predicate, timeoutMs = 15_000) {
      const found = received.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise<Envelope>((resolve, reject) => {
        const listener = (envelope: Envelope): void => {
          if (!predicate(envelope)) return;
          clearTimeout(timer);
          listeners.splice(listeners.indexOf(listener), 1);
          resolve(envelope);
        };
        const timer = setTimeout(() => {
          listeners.splice(listeners.indexOf(listener), 1);
          reject(new Error(`no matching envelope within ${timeoutMs} ms (${received.length} received)`));
        }, timeoutMs);
        listeners.push(listener);
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (!certDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
