/**
 * The floor benchmark's backing services in their own process, as in the stack: the Service Bus
 * emulator with the stack's configuration and the Cosmos DB server with Switchyard's containers.
 * Prints `READY <json>` with both connection strings; runs until SIGTERM.
 */
import { createCosmosClient, ensureCosmosResources } from '../../shared/store/cosmosClient';
import { start } from '../../local/servicebus-emulator';
import { SERVICEBUS_CONFIG } from '../../local/stack/backingServices';
import { startCosmosServer } from '../../local/stack/cosmos';
import { errorStack } from '../../shared/errors/errorMessage';

export interface BackingReady {
  serviceBusConnectionString: string;
  cosmosConnectionString: string;
}

export const FLOOR_DATABASE = 'floor';

async function main(): Promise<void> {
  // The stack's own emulator configuration: the same queues, locks and duplicate detection.
  const emulator = await start({ port: 0, httpPort: 0, config: SERVICEBUS_CONFIG });
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
    Promise.allSettled([emulator.close(), cosmos.close()]).then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`${errorStack(error)}\n`);
        process.exit(1);
      },
    );
  });
}

void main().catch((error: unknown) => {
  process.stderr.write(`${errorStack(error)}\n`);
  process.exit(1);
});
