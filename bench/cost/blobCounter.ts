import { createServer, request as httpRequest, Agent, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { startAzurite } from '../../local/stack/azurite';
import { getFreePort } from '../../local/stack/checkPorts';

/** container -> operation (`PUT blob`, `GET blob`, `HEAD blob`, `PUT container`, ...) -> count. */
export type BlobTally = Record<string, Record<string, number>>;

export interface CountingBlob {
  /** Azurite's connection string with the blob endpoint on the counting proxy. */
  connectionString: string;
  snapshot(): BlobTally;
  close(): Promise<void>;
}

/** Names a Blob REST request as the storage meters see it: method and target. Pure. */
export function classifyBlobRequest(request: Pick<IncomingMessage, 'method' | 'url'>): {
  container: string;
  operation: string;
} {
  const url = new URL(request.url ?? '/', 'http://blob');
  // Path style (Azurite): /<account>/<container>/<blob...>
  const [, , container = '(account)', ...blob] = url.pathname.split('/');
  const comp = url.searchParams.get('comp');
  const target = url.searchParams.get('restype') === 'container' || blob.length === 0 ? 'container' : 'blob';
  return {
    container: decodeURIComponent(container || '(account)'),
    operation: `${(request.method ?? 'GET').toUpperCase()} ${target}${comp ? ` comp=${comp}` : ''}`,
  };
}

/**
 * Azurite on free ports with a plain HTTP proxy in front of its blob service that counts each
 * request before passing it on unchanged (Shared Key signatures do not cover the host).
 */
export async function startCountingBlob(dataDir: string): Promise<CountingBlob> {
  const [blobPort, queuePort, tablePort] = [await getFreePort(), await getFreePort(), await getFreePort()];
  const azurite = await startAzurite({ blobPort, queuePort, tablePort, location: join(dataDir, 'azurite') });
  const tally: BlobTally = {};
  const agent = new Agent({ keepAlive: true });
  const proxy = createServer((incoming, outgoing) => {
    const { container, operation } = classifyBlobRequest(incoming);
    const byOperation = (tally[container] ??= {});
    byOperation[operation] = (byOperation[operation] ?? 0) + 1;
    const forward = httpRequest(
      {
        host: '127.0.0.1',
        port: blobPort,
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
        agent,
      },
      (answer) => {
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forward.on('error', () => {
      if (!outgoing.headersSent) outgoing.writeHead(502);
      outgoing.end();
    });
    incoming.pipe(forward);
  });
  await new Promise<void>((resolve, reject) => {
    proxy.once('error', reject);
    proxy.listen(0, '127.0.0.1', () => resolve());
  });
  const proxyPort = (proxy.address() as AddressInfo).port;
  return {
    connectionString: azurite.connectionString.replace(
      `BlobEndpoint=http://127.0.0.1:${blobPort}/`,
      `BlobEndpoint=http://127.0.0.1:${proxyPort}/`,
    ),
    snapshot: () => structuredClone(tally),
    close: async () => {
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
      agent.destroy();
      await azurite.close();
    },
  };
}
