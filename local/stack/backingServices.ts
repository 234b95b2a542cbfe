import { join } from 'node:path';
import { DEFAULT_COSMOS_DATABASE, SETTINGS } from '../../shared/config/names';
import { readConnection } from '../../shared/config/settings';
import {
  createCosmosClient,
  endpointOfConnectionString,
  ensureCosmosResources,
  isLoopbackEndpoint,
} from '../../shared/store/cosmosClient';
import { start as startServiceBusEmulator } from '../servicebus-emulator/index';
import { startAzurite } from './azurite';
import { startCosmosServer } from './cosmos';
import type { SettingValues } from './localSettings';
import type { StackPorts } from './ports';
import { timedStep, type LogLine } from './progress';
import type { RunningParts } from './runningParts';
import type { StackPart } from './stackParts';
import { watchHttp } from './watchHttp';

export const SERVICEBUS_CONFIG = join(__dirname, 'servicebus-config.json');

export interface BackingServicesInput {
  ports: StackPorts;
  settings: SettingValues;
  /** Parts not to start: their settings stay as they are. */
  external: readonly StackPart[];
  dataDir: string;
  log: LogLine;
  parts: RunningParts;
  /** A child process we started stopped answering. */
  onDown(part: string, detail: string): void;
  /** Throws when start-up was cancelled. */
  checkpoint(): void;
}

/** The settings the app needs to reach what runs (or was already there). */
export interface BackingServices {
  serviceBusConnectionString: string;
  cosmosConnectionString: string;
  /** Azurite's connection string, when the stack started it. */
  storageConnectionString?: string;
  blobEndpoint?: string;
}

/**
 * Starts the Service Bus emulator and the Cosmos DB server in this process (with the database
 * and containers) and Azurite as a child process, each with one timed progress line, adding
 * each to `parts` as soon as it runs so a later failure stops it again.
 */
export async function startBackingServices(input: BackingServicesInput): Promise<BackingServices> {
  const { ports, settings, external, log, parts } = input;
  let serviceBusConnectionString = settings[SETTINGS.serviceBusConnection] ?? '';
  if (!external.includes('servicebus')) {
    const emulator = await timedStep(
      log,
      'Service Bus emulator',
      () =>
        startServiceBusEmulator({
          config: SERVICEBUS_CONFIG,
          port: ports.serviceBus,
          httpPort: ports.serviceBusHttp,
          logLevel: 'quiet',
        }),
      (handle) => `amqp://127.0.0.1:${handle.port}, health http://127.0.0.1:${handle.httpPort}/health`,
    );
    parts.add({ name: 'Service Bus emulator', stop: () => emulator.close() });
    serviceBusConnectionString = emulator.connectionString;
  }
  input.checkpoint();

  const database = settings[SETTINGS.cosmosDatabase] || DEFAULT_COSMOS_DATABASE;
  let cosmosConnectionString = settings[SETTINGS.cosmosConnection] ?? '';
  if (!external.includes('cosmos')) {
    const cosmos = await timedStep(
      log,
      'Cosmos DB server',
      async () => {
        const server = await startCosmosServer({ port: ports.cosmos });
        parts.add({ name: 'Cosmos DB server', stop: () => server.close() });
        await createDatabase(server.connectionString, database);
        return server;
      },
      (server) => `${server.endpoint}, database "${database}" with its containers`,
    );
    cosmosConnectionString = cosmos.connectionString;
  } else if (isLoopbackCosmos(cosmosConnectionString)) {
    // The official emulator starts empty too; in Azure, Bicep creates them.
    await timedStep(
      log,
      'Cosmos DB (external)',
      () => createDatabase(cosmosConnectionString, database),
      () => `database "${database}" ready`,
    );
  }
  input.checkpoint();

  if (external.includes('azurite')) return { serviceBusConnectionString, cosmosConnectionString };
  const location = join(input.dataDir, 'azurite');
  const azurite = await timedStep(
    log,
    'Azurite',
    () =>
      startAzurite({
        blobPort: ports.azuriteBlob,
        queuePort: ports.azuriteQueue,
        tablePort: ports.azuriteTable,
        location,
      }),
    (running) => `${running.blobEndpoint}, data in ${location}`,
  );
  parts.add({ name: 'Azurite', stop: () => azurite.close() });
  // A child process whose handle we don't hold: notice its death by it no longer answering.
  parts.addWatcher(
    watchHttp(`${azurite.blobEndpoint}?comp=list`, (detail) => input.onDown('Azurite', detail)),
  );
  return {
    serviceBusConnectionString,
    cosmosConnectionString,
    storageConnectionString: azurite.connectionString,
    blobEndpoint: azurite.blobEndpoint,
  };
}

/** Creates the database and its containers through the SDK, as the app will see them. */
export async function createDatabase(connectionString: string, database: string): Promise<void> {
  const client = createCosmosClient({
    kind: 'connectionString',
    setting: SETTINGS.cosmosConnection,
    connectionString,
  });
  try {
    await ensureCosmosResources(client, database);
  } finally {
    client.dispose();
  }
}

function isLoopbackCosmos(connectionString: string): boolean {
  try {
    const connection = readConnection(
      { [SETTINGS.cosmosConnection]: connectionString },
      SETTINGS.cosmosConnection,
      'accountEndpoint',
    );
    return (
      connection.kind === 'connectionString' &&
      isLoopbackEndpoint(endpointOfConnectionString(connectionString))
    );
  } catch {
    return false;
  }
}
