import { readSettings, SettingsError } from '../../../shared/config/settings';
import {
  createCosmosClient,
  ensureCosmosResources,
  isLoopbackEndpoint,
} from '../../../shared/store/cosmosClient';
import { startCosmosServer, type RunningCosmosServer } from '../../../local/stack/cosmos';

let server: RunningCosmosServer;

beforeAll(async () => {
  server = await startCosmosServer({ port: 0 });
});

afterAll(async () => {
  await server?.close();
});

const localEnv = (overrides: Record<string, string | undefined> = {}) => ({
  ServiceBusConnection:
    'Endpoint=sb://127.0.0.1;SharedAccessKeyName=k;SharedAccessKey=v;UseDevelopmentEmulator=true;',
  CosmosDbConnection: server.connectionString,
  PayloadStorageConnection: 'UseDevelopmentStorage=true',
  ...overrides,
});

describe('settings to a working Cosmos DB connection', () => {
  it('connects with the connection string from the settings and creates the database and containers', async () => {
    const settings = readSettings(localEnv({ SWITCHYARD_COSMOS_DATABASE: 'from-settings' }));
    const client = createCosmosClient(settings.cosmos);
    try {
      await ensureCosmosResources(client, settings.cosmosDatabase);
      await ensureCosmosResources(client, settings.cosmosDatabase); // again: no error
      const { resources } = await client.database('from-settings').containers.readAll().fetchAll();
      expect(resources.map((c) => [c.id, c.partitionKey?.paths]).sort()).toEqual([
        ['deliveries', ['/eventKey']],
        ['events', ['/eventKey']],
        ['subscriptions', ['/topic']],
      ]);
    } finally {
      client.dispose();
    }
  });

  it('applies defaults and reads the optional settings', () => {
    const settings = readSettings(
      localEnv({
        SWITCHYARD_ALLOWED_PRIVATE_CIDRS: '127.0.0.0/8, ::1/128',
        SWITCHYARD_FUNCTION_KEY: 'local-dev-key',
      }),
    );
    expect(settings).toMatchObject({
      cosmosDatabase: 'switchyard',
      subscriptionCacheSeconds: 5,
      allowedPrivateCidrs: ['127.0.0.0/8', '::1/128'],
      functionKey: 'local-dev-key',
      payloadStorage: { kind: 'connectionString', connectionString: 'UseDevelopmentStorage=true' },
    });
  });

  it('reads identity-based connections the Functions way', () => {
    const settings = readSettings({
      ServiceBusConnection__fullyQualifiedNamespace: 'sy.servicebus.windows.net',
      CosmosDbConnection__accountEndpoint: 'https://sy.documents.azure.com:443/',
      CosmosDbConnection__credential: 'managedidentity',
      PayloadStorageConnection__blobServiceUri: 'https://sy.blob.core.windows.net',
      PayloadStorageConnection__clientId: '00000000-0000-0000-0000-000000000001',
    });
    expect(settings.serviceBus).toMatchObject({
      kind: 'identity',
      endpoint: 'sy.servicebus.windows.net',
      credential: 'default',
    });
    expect(settings.cosmos).toMatchObject({ kind: 'identity', credential: 'managedidentity' });
    expect(settings.payloadStorage).toMatchObject({
      kind: 'identity',
      credential: 'managedidentity',
      clientId: '00000000-0000-0000-0000-000000000001',
    });
  });

  it('names the setting that is missing or wrong', () => {
    expect(() => readSettings(localEnv({ CosmosDbConnection: undefined }))).toThrow(
      new SettingsError(
        'CosmosDbConnection',
        'missing: set CosmosDbConnection (connection string) or CosmosDbConnection__accountEndpoint (managed identity)',
      ),
    );
    expect(() => readSettings(localEnv({ SWITCHYARD_SUBSCRIPTION_CACHE_SECONDS: 'soon' }))).toThrow(
      /SWITCHYARD_SUBSCRIPTION_CACHE_SECONDS/,
    );
    expect(() => readSettings(localEnv({ SWITCHYARD_ALLOWED_PRIVATE_CIDRS: '10.0.0.0/33' }))).toThrow(
      /SWITCHYARD_ALLOWED_PRIVATE_CIDRS/,
    );
    expect(() =>
      readSettings(
        localEnv({ CosmosDbConnection: undefined, CosmosDbConnection__accountEndpoint: 'not a url' }),
      ),
    ).toThrow(/CosmosDbConnection__accountEndpoint/);
  });

  it('accepts self-signed certificates only on this machine', () => {
    expect(isLoopbackEndpoint('https://127.0.0.1:8081/')).toBe(true);
    expect(isLoopbackEndpoint('https://localhost:8081/')).toBe(true);
    expect(isLoopbackEndpoint('https://[::1]:8081/')).toBe(true);
    expect(isLoopbackEndpoint('https://sy.documents.azure.com:443/')).toBe(false);
    expect(isLoopbackEndpoint('https://127.0.0.1.example.com/')).toBe(false);
  });
});
