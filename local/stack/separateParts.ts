import { join, resolve } from 'node:path';
import { DEFAULT_COSMOS_DATABASE, SETTINGS } from '../../shared/config/names';
import { startAzurite } from './azurite';
import { createDatabase } from './backingServices';
import { getFreePort } from './checkPorts';
import type { CosmosPartReady, ServiceBusPartReady } from './partProcess';
import { startReadyChild } from './readyChild';
import { EMULATOR_NODE_ARGS } from '../servicebus-emulator/processOptions';

const PART_SCRIPT = resolve(__dirname, 'partProcess.ts');

export type CosmosPlacement =
  /** On a TCP port of its own (0: any free one). */
  | { port: number }
  /** Reachable only through a proxy on advertisePort that forwards to socketPath. */
  | { socketPath: string; advertisePort: number };

export interface SeparateBackingOptions {
  cosmos: CosmosPlacement;
  /** Azurite's data folder is made inside. */
  dataDir: string;
  database?: string;
}

export interface SeparateBacking {
  serviceBusConnectionString: string;
  cosmosConnectionString: string;
  storageConnectionString: string;
  /** Process ids, for reading their memory. */
  pids: { serviceBus: number; cosmos: number; azurite: number | undefined };
  /** Stops Azurite, Cosmos DB and the emulator; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * The stack's backing services with each in a process of its own (npm start runs the emulator
 * and the Cosmos DB server in its own process): the Service Bus emulator, the Cosmos DB server
 * with the database and containers, and Azurite. On failure, what was started is stopped again.
 */
export async function startSeparateBacking(options: SeparateBackingOptions): Promise<SeparateBacking> {
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch(() => undefined);
  };
  try {
    const [serviceBus, cosmos] = await Promise.all([
      startReadyChild<ServiceBusPartReady>(
        PART_SCRIPT,
        ['servicebus', JSON.stringify({ port: 0, httpPort: 0 })],
        { label: 'Service Bus emulator', nodeArgs: EMULATOR_NODE_ARGS },
      ).then((child) => (stops.push(() => child.stop()), child)),
      startReadyChild<CosmosPartReady>(PART_SCRIPT, ['cosmos', JSON.stringify(options.cosmos)], {
        label: 'Cosmos DB server',
      }).then((child) => (stops.push(() => child.stop()), child)),
    ]);
    const azurite = await startAzurite({
      blobPort: await getFreePort(),
      queuePort: await getFreePort(),
      tablePort: await getFreePort(),
      location: join(options.dataDir, 'azurite'),
    });
    stops.push(() => azurite.close());
    await createDatabase(cosmos.ready.connectionString, options.database ?? DEFAULT_COSMOS_DATABASE);
    return {
      serviceBusConnectionString: serviceBus.ready.connectionString,
      cosmosConnectionString: cosmos.ready.connectionString,
      storageConnectionString: azurite.connectionString,
      pids: { serviceBus: serviceBus.pid, cosmos: cosmos.pid, azurite: azurite.pid },
      stop: stopAll,
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/**
 * The complete environment of a dev host on these services: the app settings plus PATH, HOME and
 * TMPDIR, so a developer's shell settings never leak in.
 */
export function devHostEnvironment(
  backing: Pick<
    SeparateBacking,
    'serviceBusConnectionString' | 'cosmosConnectionString' | 'storageConnectionString'
  >,
  settings: Record<string, string> & { [SETTINGS.adminKey]: string },
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR']) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return {
    ...env,
    FUNCTIONS_WORKER_RUNTIME: 'node',
    [SETTINGS.serviceBusConnection]: backing.serviceBusConnectionString,
    [SETTINGS.cosmosConnection]: backing.cosmosConnectionString,
    [SETTINGS.payloadStorageConnection]: backing.storageConnectionString,
    AzureWebJobsStorage: backing.storageConnectionString,
    [SETTINGS.cosmosDatabase]: DEFAULT_COSMOS_DATABASE,
    [SETTINGS.allowedPrivateCidrs]: '127.0.0.0/8',
    [SETTINGS.appInsightsConnection]: '',
    ...settings,
  };
}
