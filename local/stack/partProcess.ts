/**
 * One backing part of the local stack in a process of its own, for runs that watch or hurt the
 * parts one by one (the soak benchmark reads each one's memory; the chaos test puts a proxy in
 * front of Cosmos DB). `tsx local/stack/partProcess.ts <part> '<json options>'`; prints one line
 * `READY <json>` on stdout, then runs until SIGTERM/SIGINT or until its parent goes away.
 *
 *   servicebus {"port": 0, "httpPort": 0}       the Service Bus emulator with the stack's entities
 *   cosmos     {"port": 0}                       the Cosmos DB server on a TCP port
 *   cosmos     {"socketPath": "...", "advertisePort": P}
 *              the Cosmos DB server on a Unix socket only, its account document naming
 *              https://127.0.0.1:P/ (a proxy's port): nothing but that proxy can reach it.
 */
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { createHttpsServer } from '@vercel/cosmosdb-server';
import { useLinearCosmosQueries } from './linearCosmosQueries';
import { start as startServiceBusEmulator } from '../servicebus-emulator/index';
import { SERVICEBUS_CONFIG } from './backingServices';
import { EMULATOR_ACCOUNT_KEY } from './cosmos';
import { exitAfterClose } from '../exitAfterClose';

export interface ServiceBusPartReady {
  connectionString: string;
  port: number;
  httpPort: number;
}

export interface CosmosPartReady {
  /** What the account document names and clients use: the server's port, or the proxy's. */
  endpoint: string;
  connectionString: string;
}

const serviceBusOptions = z.strictObject({
  port: z.number().int().min(0).max(65_535).default(0),
  httpPort: z.number().int().min(0).max(65_535).default(0),
});

const cosmosOptions = z.union([
  z.strictObject({ port: z.number().int().min(0).max(65_535) }),
  z.strictObject({ socketPath: z.string().min(1), advertisePort: z.number().int().min(1).max(65_535) }),
]);

async function startServiceBus(
  raw: unknown,
): Promise<{ ready: ServiceBusPartReady; close(): Promise<void> }> {
  const options = serviceBusOptions.parse(raw);
  const handle = await startServiceBusEmulator({
    config: SERVICEBUS_CONFIG,
    port: options.port,
    httpPort: options.httpPort,
    logLevel: 'quiet',
  });
  return {
    ready: { connectionString: handle.connectionString, port: handle.port, httpPort: handle.httpPort },
    close: () => handle.close(),
  };
}

async function startCosmos(raw: unknown): Promise<{ ready: CosmosPartReady; close(): Promise<void> }> {
  const options = cosmosOptions.parse(raw);
  useLinearCosmosQueries();
  const server = createHttpsServer({ keepAlive: true });
  if ('socketPath' in options) {
    // The server builds its account document (writableLocations/readableLocations, from which
    // the SDK picks the endpoint it really talks to) from server.address() when it starts
    // listening. On a Unix socket that is a path; make it name the proxy instead.
    const advertised: AddressInfo = { address: '127.0.0.1', family: 'IPv4', port: options.advertisePort };
    server.address = () => advertised;
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    const listening = () => {
      server.off('error', reject);
      resolve();
    };
    if ('socketPath' in options) server.listen(options.socketPath, listening);
    else server.listen(options.port, '127.0.0.1', listening);
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `https://127.0.0.1:${port}/`;
  return {
    ready: { endpoint, connectionString: `AccountEndpoint=${endpoint};AccountKey=${EMULATOR_ACCOUNT_KEY};` },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function main(): Promise<void> {
  const part = process.argv[2];
  const options: unknown = JSON.parse(process.argv[3] ?? '{}');
  const started =
    part === 'servicebus'
      ? await startServiceBus(options)
      : part === 'cosmos'
        ? await startCosmos(options)
        : undefined;
  if (!started) throw new Error(`unknown part "${part ?? ''}": servicebus or cosmos`);
  process.stdout.write(`READY ${JSON.stringify(started.ready)}\n`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    exitAfterClose(() => started.close());
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // Started with an IPC channel by startReadyChild: the parent died without stopping us.
  process.on('disconnect', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`[part] could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
