import type { CosmosClient, Database } from '@azure/cosmos';
import { startCosmosServer, type RunningCosmosServer } from '../../local/stack/cosmos';
import { createCosmosClient, ensureCosmosResources } from '../../shared/store/cosmosClient';

export interface TestCosmos {
  server: RunningCosmosServer;
  client: CosmosClient;
  /** A database with the project's containers, created through ensureCosmosResources. */
  database: Database;
  close(): Promise<void>;
}

/** An in-process Cosmos DB server on a free port, with the project's database and containers. */
export async function startTestCosmos(databaseId = 'switchyard-test'): Promise<TestCosmos> {
  const server = await startCosmosServer({ port: 0 });
  const client = createCosmosClient({
    kind: 'connectionString',
    setting: 'CosmosDbConnection',
    connectionString: server.connectionString,
  });
  const database = await ensureCosmosResources(client, databaseId);
  return {
    server,
    client,
    database,
    close: async () => {
      client.dispose();
      await server.close();
    },
  };
}
