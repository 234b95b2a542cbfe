import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpsServer } from '@vercel/cosmosdb-server';
import { useLinearCosmosQueries } from './linearCosmosQueries';

/**
 * The well-known Cosmos DB emulator key. @vercel/cosmosdb-server checks no signatures, but the
 * SDK needs a base64 key to sign with, and this one makes the connection string interchangeable
 * with the official emulator's.
 */
export const EMULATOR_ACCOUNT_KEY =
  'C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==';

export interface CosmosServerOptions {
  /** 0 picks a free port. */
  port: number;
  host?: string;
  /** Sees every request beside the server, which answers it as usual (bench/cost.ts counts them). */
  onRequest?: (request: IncomingMessage, response: ServerResponse) => void;
}

export interface RunningCosmosServer {
  endpoint: string;
  connectionString: string;
  /**
   * Stops listening and drops every connection, keeping the data: clients are refused, as by
   * an unreachable account, until resume(). For outage tests.
   */
  pause(): Promise<void>;
  /** Listens again on the same port, with the data as it was. */
  resume(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Runs @vercel/cosmosdb-server in this process over HTTPS with the self-signed certificate it
 * bundles (the SDK speaks HTTPS only; createCosmosClient accepts that certificate for loopback).
 * Data lives in memory and is gone after close().
 */
export async function startCosmosServer({
  port,
  host = '127.0.0.1',
  onRequest,
}: CosmosServerOptions): Promise<RunningCosmosServer> {
  // keepAlive: by default the server answers `connection: close`, a TLS handshake per request.
  useLinearCosmosQueries();
  const server = createHttpsServer({ keepAlive: true });
  if (onRequest) server.on('request', onRequest);
  const listen = (onPort: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(onPort, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  const stopListening = () =>
    new Promise<void>((resolve, reject) => {
      // The SDK keeps sockets alive; without this close() would wait for them to time out.
      server.closeAllConnections();
      server.close((error) => (error ? reject(error) : resolve()));
    });
  await listen(port);
  const { port: actualPort } = server.address() as AddressInfo;
  const endpoint = `https://${host}:${actualPort}/`;
  let paused = false;
  return {
    endpoint,
    connectionString: `AccountEndpoint=${endpoint};AccountKey=${EMULATOR_ACCOUNT_KEY};`,
    pause: async () => {
      paused = true;
      await stopListening();
    },
    resume: async () => {
      // The server makes a new, empty account on every 'listening' event: without its listener
      // the account made at the first start, and so the data, stays.
      server.removeAllListeners('listening');
      await listen(actualPort);
      paused = false;
    },
    close: async () => {
      if (!paused) await stopListening();
    },
  };
}
