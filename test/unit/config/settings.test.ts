import {
  readConnection,
  readSettings,
  reconcileSchedule,
  SettingsError,
  type Environment,
} from '../../../shared/config/settings';
import { readTelemetrySettings } from '../../../shared/config/telemetrySettings';

const LOCAL: Environment = {
  ServiceBusConnection:
    'Endpoint=sb://127.0.0.1;SharedAccessKeyName=k;SharedAccessKey=v;UseDevelopmentEmulator=true;',
  CosmosDbConnection: 'AccountEndpoint=https://127.0.0.1:8081/;AccountKey=a2V5;',
  PayloadStorageConnection: 'UseDevelopmentStorage=true',
};

const local = (overrides: Environment = {}): Environment => ({ ...LOCAL, ...overrides });

/** The SettingsError a call throws, to look at which setting it names. */
function settingsErrorOf(call: () => unknown): SettingsError {
  try {
    call();
  } catch (error) {
    if (error instanceof SettingsError) return error;
    throw error;
  }
  throw new Error('expected a SettingsError');
}

describe('readSettings', () => {
  it('applies the defaults: database switchyard, subscription cache 5 s, reconcile grace 15 min, nothing optional', () => {
    expect(readSettings(local())).toEqual({
      serviceBus: {
        kind: 'connectionString',
        setting: 'ServiceBusConnection',
        connectionString: LOCAL.ServiceBusConnection,
      },
      cosmos: {
        kind: 'connectionString',
        setting: 'CosmosDbConnection',
        connectionString: LOCAL.CosmosDbConnection,
      },
      payloadStorage: {
        kind: 'connectionString',
        setting: 'PayloadStorageConnection',
        connectionString: 'UseDevelopmentStorage=true',
      },
      cosmosDatabase: 'switchyard',
      allowedPrivateCidrs: expect.objectContaining({ cidrs: [] }),
      subscriptionCacheSeconds: 5,
      webhookOrigin: 'switchyard.local',
      reconcileGraceSeconds: 900,
    });
  });

  it('reads the reconcile grace period and schedule, naming a bad grace period', () => {
    expect(readSettings(local({ SWITCHYARD_RECONCILE_GRACE_SECONDS: ' 60 ' })).reconcileGraceSeconds).toBe(
      60,
    );
    const error = settingsErrorOf(() => readSettings(local({ SWITCHYARD_RECONCILE_GRACE_SECONDS: 'soon' })));
    expect(error.setting).toBe('SWITCHYARD_RECONCILE_GRACE_SECONDS');
    expect(reconcileSchedule({})).toBe('0 */1 * * * *');
    expect(reconcileSchedule({ SWITCHYARD_RECONCILE_SCHEDULE: ' */2 * * * * * ' })).toBe('*/2 * * * * *');
  });

  it('reads the handshake origin as a host name, naming the setting when it is not one', () => {
    expect(readSettings(local({ SWITCHYARD_WEBHOOK_ORIGIN: ' events.example.com ' })).webhookOrigin).toBe(
      'events.example.com',
    );
    expect(
      settingsErrorOf(() => readSettings(local({ SWITCHYARD_WEBHOOK_ORIGIN: 'https://events.example.com/' })))
        .setting,
    ).toBe('SWITCHYARD_WEBHOOK_ORIGIN');
  });

  it('reads the optional settings, trimmed', () => {
    const settings = readSettings(
      local({
        SWITCHYARD_COSMOS_DATABASE: ' events-db ',
        SWITCHYARD_ADMIN_KEY: 'local-dev-key',
        SWITCHYARD_AUTH_ISSUER: 'http://127.0.0.1:7073',
        SWITCHYARD_AUTH_AUDIENCE: ' api://switchyard-local ',
        SWITCHYARD_ALLOWED_PRIVATE_CIDRS: '127.0.0.0/8, ::1/128',
        SWITCHYARD_SUBSCRIPTION_CACHE_SECONDS: '0',
        APPLICATIONINSIGHTS_CONNECTION_STRING: 'InstrumentationKey=00000000-0000-0000-0000-000000000000',
      }),
    );
    expect(settings).toMatchObject({
      cosmosDatabase: 'events-db',
      adminKey: 'local-dev-key',
      auth: { issuer: 'http://127.0.0.1:7073', audience: 'api://switchyard-local' },
      allowedPrivateCidrs: expect.objectContaining({ cidrs: ['127.0.0.0/8', '::1/128'] }),
      subscriptionCacheSeconds: 0,
      telemetry: {
        connectionString: 'InstrumentationKey=00000000-0000-0000-0000-000000000000',
        exporterEnvironment: {
          APPLICATIONINSIGHTS_STATSBEAT_DISABLED: 'true',
          APPLICATION_INSIGHTS_NO_STATSBEAT: 'true',
        },
      },
    });
  });

  it('treats blank values as absent', () => {
    const settings = readSettings(
      local({
        SWITCHYARD_COSMOS_DATABASE: '  ',
        SWITCHYARD_ADMIN_KEY: '',
        SWITCHYARD_AUTH_ISSUER: ' ',
        SWITCHYARD_SUBSCRIPTION_CACHE_SECONDS: ' ',
      }),
    );
    expect(settings.cosmosDatabase).toBe('switchyard');
    expect(settings.subscriptionCacheSeconds).toBe(5);
    expect('adminKey' in settings).toBe(false);
    expect('auth' in settings).toBe(false);
  });

  it.each([
    [{ SWITCHYARD_AUTH_ISSUER: 'https://login.microsoftonline.com/t/v2.0' }, 'SWITCHYARD_AUTH_AUDIENCE'],
    [{ SWITCHYARD_AUTH_AUDIENCE: 'app-id' }, 'SWITCHYARD_AUTH_ISSUER'],
    [
      { SWITCHYARD_AUTH_ISSUER: 'http://issuer.example/', SWITCHYARD_AUTH_AUDIENCE: 'app-id' },
      'SWITCHYARD_AUTH_ISSUER',
    ],
    [{ SWITCHYARD_AUTH_ISSUER: 'not a url', SWITCHYARD_AUTH_AUDIENCE: 'app-id' }, 'SWITCHYARD_AUTH_ISSUER'],
  ])('wants the token issuer and audience together, the issuer https: %j names %s', (values, setting) => {
    expect(settingsErrorOf(() => readSettings(local(values))).setting).toBe(setting);
  });

  it.each([['soon'], ['1.5'], ['3601'], ['-1']])(
    'names SWITCHYARD_SUBSCRIPTION_CACHE_SECONDS when it is %j',
    (value) => {
      const error = settingsErrorOf(() =>
        readSettings(local({ SWITCHYARD_SUBSCRIPTION_CACHE_SECONDS: value })),
      );
      expect(error.setting).toBe('SWITCHYARD_SUBSCRIPTION_CACHE_SECONDS');
      expect(error.message).toMatch(/^setting SWITCHYARD_SUBSCRIPTION_CACHE_SECONDS: /);
    },
  );

  it('names the first missing connection with both ways to set it', () => {
    const error = settingsErrorOf(() => readSettings(local({ CosmosDbConnection: undefined })));
    expect(error).toEqual(
      new SettingsError(
        'CosmosDbConnection',
        'missing: set CosmosDbConnection (connection string) or CosmosDbConnection__accountEndpoint (managed identity)',
      ),
    );
    expect(settingsErrorOf(() => readSettings({})).setting).toBe('ServiceBusConnection');
  });

  it('reads identity-based connections the Functions way', () => {
    const settings = readSettings({
      ServiceBusConnection__fullyQualifiedNamespace: 'sy.servicebus.windows.net',
      CosmosDbConnection__accountEndpoint: 'https://sy.documents.azure.com:443/',
      CosmosDbConnection__credential: 'managedidentity',
      PayloadStorageConnection__blobServiceUri: 'https://sy.blob.core.windows.net',
      PayloadStorageConnection__clientId: '00000000-0000-0000-0000-000000000001',
    });
    expect(settings.serviceBus).toEqual({
      kind: 'identity',
      setting: 'ServiceBusConnection',
      endpoint: 'sy.servicebus.windows.net',
      credential: 'default',
    });
    expect(settings.cosmos).toEqual({
      kind: 'identity',
      setting: 'CosmosDbConnection',
      endpoint: 'https://sy.documents.azure.com:443/',
      credential: 'managedidentity',
    });
    expect(settings.payloadStorage).toEqual({
      kind: 'identity',
      setting: 'PayloadStorageConnection',
      endpoint: 'https://sy.blob.core.windows.net',
      credential: 'managedidentity',
      clientId: '00000000-0000-0000-0000-000000000001',
    });
  });
});

describe('readConnection', () => {
  it('prefers the connection string when both forms are set', () => {
    const connection = readConnection(
      {
        Bus: 'Endpoint=sb://ns/;SharedAccessKeyName=k;SharedAccessKey=v',
        Bus__fullyQualifiedNamespace: 'ns.servicebus.windows.net',
      },
      'Bus',
      'fullyQualifiedNamespace',
    );
    expect(connection.kind).toBe('connectionString');
  });

  it('takes a Service Bus namespace as a host name, with or without a port', () => {
    for (const host of ['sy.servicebus.windows.net', '127.0.0.1:5672']) {
      expect(
        readConnection({ Bus__fullyQualifiedNamespace: host }, 'Bus', 'fullyQualifiedNamespace'),
      ).toMatchObject({
        kind: 'identity',
        endpoint: host,
      });
    }
  });

  it('names the endpoint setting when its value has the wrong form', () => {
    const namespace = settingsErrorOf(() =>
      readConnection(
        { Bus__fullyQualifiedNamespace: 'sb://sy.servicebus.windows.net/' },
        'Bus',
        'fullyQualifiedNamespace',
      ),
    );
    expect(namespace.setting).toBe('Bus__fullyQualifiedNamespace');
    expect(namespace.message).toContain('must be a host name');
    const endpoint = settingsErrorOf(() =>
      readConnection({ Db__accountEndpoint: 'not a url' }, 'Db', 'accountEndpoint'),
    );
    expect(endpoint.setting).toBe('Db__accountEndpoint');
    expect(endpoint.message).toContain('must be an absolute URL');
  });

  it('accepts managedidentity in any case as __credential and refuses anything else', () => {
    const env = { Db__accountEndpoint: 'https://db.example/' };
    expect(
      readConnection({ ...env, Db__credential: 'ManagedIdentity' }, 'Db', 'accountEndpoint'),
    ).toMatchObject({
      credential: 'managedidentity',
    });
    const error = settingsErrorOf(() =>
      readConnection({ ...env, Db__credential: 'azurecli' }, 'Db', 'accountEndpoint'),
    );
    expect(error.setting).toBe('Db__credential');
    expect(error.message).toBe('setting Db__credential: the only supported value is managedidentity');
  });

  it('selects managed identity when only a __clientId is given', () => {
    expect(
      readConnection(
        { Db__accountEndpoint: 'https://db.example/', Db__clientId: 'client-1' },
        'Db',
        'accountEndpoint',
      ),
    ).toEqual({
      kind: 'identity',
      setting: 'Db',
      endpoint: 'https://db.example/',
      credential: 'managedidentity',
      clientId: 'client-1',
    });
  });
});

describe('readSettings: the SSRF allow-list', () => {
  it('accepts the allow-list forms the SSRF guard accepts (bare addresses, IPv6, blanks between commas)', () => {
    const settings = readSettings(local({ SWITCHYARD_ALLOWED_PRIVATE_CIDRS: '10.1.2.3, ,fd00::/8,[::1]' }));
    expect(settings.allowedPrivateCidrs.cidrs).toEqual(['10.1.2.3', 'fd00::/8', '[::1]']);
  });

  it.each(['10.0.0.0/33', '127.0.0.0/8,localhost', '10.0.0.0/8/8', '::ffff:10.0.0.0/90'])(
    'refuses %j, as the SSRF guard would, naming the setting',
    (value) => {
      const error = settingsErrorOf(() => readSettings(local({ SWITCHYARD_ALLOWED_PRIVATE_CIDRS: value })));
      expect(error.setting).toBe('SWITCHYARD_ALLOWED_PRIVATE_CIDRS');
    },
  );

  it('says which entry of the allow-list is wrong, naming the setting once', () => {
    const error = settingsErrorOf(() =>
      readSettings(local({ SWITCHYARD_ALLOWED_PRIVATE_CIDRS: '127.0.0.0/8, 10.0.0.0/40' })),
    );
    expect(error.message).toBe(
      'setting SWITCHYARD_ALLOWED_PRIVATE_CIDRS: "10.0.0.0/40" has an invalid prefix length (0-32)',
    );
  });
});

describe('readTelemetrySettings', () => {
  const connectionString = 'InstrumentationKey=00000000-0000-0000-0000-000000000000';

  it('is undefined without a connection string, so telemetry stays off', () => {
    expect(readTelemetrySettings({ APPLICATIONINSIGHTS_CONNECTION_STRING: ' ' })).toBeUndefined();
  });

  it('reads Entra ID authentication and leaves statsbeat alone in Azure', () => {
    expect(
      readTelemetrySettings({
        APPLICATIONINSIGHTS_CONNECTION_STRING: connectionString,
        APPLICATIONINSIGHTS_AUTHENTICATION_STRING:
          'Authorization=AAD;ClientId=11111111-2222-3333-4444-555555555555',
        WEBSITE_INSTANCE_ID: 'instance-1',
      }),
    ).toEqual({
      connectionString,
      entraId: { clientId: '11111111-2222-3333-4444-555555555555' },
      exporterEnvironment: {},
      sampling: { samplingRatio: 1, tracesPerSecond: 0 },
    });
  });

  it('carries the traces-per-second cap that bounds ingestion in Azure', () => {
    expect(
      readTelemetrySettings({
        APPLICATIONINSIGHTS_CONNECTION_STRING: connectionString,
        SWITCHYARD_TELEMETRY_TRACES_PER_SECOND: '5',
      })?.sampling,
    ).toEqual({ samplingRatio: 1, tracesPerSecond: 5 });
  });
});
