import { readSettings } from '../../../shared/config/settings';
import { createCosmosClient, ensureCosmosResources } from '../../../shared/store/cosmosClient';
import { startCosmosServer, type RunningCosmosServer } from '../../../local/stack/cosmos';

// What settings mean on their own is unit-tested (test/unit/config/settings.test.ts); this
// checks that what they read really connects.
let server: RunningCosmosServer;

beforeAll(async () => {
  server = await startCosmosServer({ port: 0 });
});

afterAll(async () => {
  await server?.close();
});

describe('settings to a working Cosmos DB connection', () => {
  it('connects with the connection string from the settings and creates the database and containers', async () => {
    const settings = readSettings({
      ServiceBusConnection:
        'Endpoint=sb://127.0.0.1;SharedAccessKeyName=k;SharedAccessKey=v;UseDevelopmentEmulator=true;',
      CosmosDbConnection: server.connectionString,
      PayloadStorageConnection: 'UseDevelopmentStorage=true',
      SWITCHYARD_COSMOS_DATABASE: 'from-settings',
    });
    const client = createCosmosClient(settings.cosmos);
    try {
      await ensureCosmosResources(client, settings.cosmosDatabase);
      await ensureCosmosResources(client, settings.cosmosDatabase); // again: no error
      const { resources } = await client.database('from-settings').containers.readAll().fetchAll();
      expect(resources.map((c) => [c.id, c.partitionKey?.paths]).sort()).toEqual([
        ['apikeys', ['/name']],
        ['deliveries', ['/eventKey']],
        ['events', ['/eventKey']],
        ['routefailures', ['/id']],
        ['subscriptions', ['/topic']],
      ]);
    } finally {
      client.dispose();
    }
  });
});
