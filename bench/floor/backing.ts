/**
 * The floor benchmark's backing services in their own process, as in the stack: the Service Bus
 * emulator (queues ingress and deliveries with duplicate detection) and the Cosmos DB server with
 * Switchyard's containers. Prints `READY <json>` with both connection strings; runs until SIGTERM.
 */
import { QUEUES } from '../../shared/config/names';
import { createCosmosClient, ensureCosmosResources } from '../../shared/store/cosmosClient';
import { start } from '../../local/servicebus-emulator';
import { startCosmosServer } from '../../local/stack/cosmos';

export interface BackingReady {
  serviceBusConnectionString: string;
  cosmosConnectionString: string;
}

export const FLOOR_DATABASE = 'floor';

async function main(): Promise<void> {
  const dedupe = { RequiresDuplicateDetection: true, DuplicateDetectionHistoryTimeWindow: 'PT10M' };
  const emulator = await start({
    port: 0,
    httpPort: 0,
    config: {
      UserConfig: {
        Namespaces: [
          {
            Name: 'sbemulatorns',
            Queues: [
              { Name: QUEUES.ingress, Properties: dedupe },
              { Name: QUEUES.deliveries, Properties: dedupe },
            ],
            Topics: [],
          },
        ],
      },
    },
  });
  const cosmos = await startCosmosServer({ port: 0 });
  const client = createCosmosClient({
    kind: 'connectionString',
    setting: 'CosmosConnection',
    connectionString: cosmos.connectionString,
  });
  await ensureCosmosResources(client, FLOOR_DATABASE);
  client.dispose();
  const ready: BackingReady = {
    serviceBusConnectionString: emulator.connectionString,
    cosmosConnectionString: cosmos.connectionString,
  };
  process.stdout.write(`READY ${JSON.stringify(ready)}\n`);
  process.once('SIGTERM', () => {
    void Promise.allSettled([emulator.close(), cosmos.close()]).then(() => process.exit(0));
  });
}

void main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
