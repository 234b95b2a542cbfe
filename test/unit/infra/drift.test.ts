import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CONTAINERS,
  DEFAULT_COSMOS_DATABASE,
  PAYLOAD_BLOB_CONTAINER,
  QUEUES,
  RECORD_RETENTION_DAYS,
  SETTINGS,
} from '../../../shared/config/names';
import {
  type BicepResource,
  objectEntries,
  resourcesUnder,
  stringItems,
  stringLiteral,
  valueAt,
} from './bicepText';

/**
 * The infra (infra/**\/*.bicep) must create exactly the queues, Cosmos DB containers, blob
 * containers and app settings that the code names in shared/config/names.ts. Reads the Bicep as
 * text, so it needs no Bicep CLI and no Azure.
 */

const infraDir = join(__dirname, '..', '..', '..', 'infra');
const resources = resourcesUnder(infraDir);

/** Resources the infra creates (not `existing` references) of one type. */
const declared = (type: string): BicepResource[] => resources.filter((r) => r.type === type && !r.existing);
const literalName = (resource: BicepResource): string | undefined =>
  stringLiteral(valueAt(resource.body, ['name']));
const sorted = (values: Iterable<string>): string[] => [...values].sort();

/** What the infra needs beyond the code's names; each entry says who uses it. */
const INFRA_OWNED = {
  /** Flex Consumption reads the app's deployment package from this blob container. */
  blobContainers: ['app-package'],
  /** Read by the Functions host / Application Insights, not by our code. */
  settings: [
    'AzureWebJobsStorage__accountName',
    'AzureWebJobsStorage__credential',
    'AzureWebJobsStorage__clientId',
    'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
  ],
};

/** Connections that take managed identity in Azure, and the setting suffix of their endpoint. */
const IDENTITY_CONNECTIONS: Record<string, string> = {
  [SETTINGS.serviceBusConnection]: 'fullyQualifiedNamespace',
  [SETTINGS.cosmosConnection]: 'accountEndpoint',
  [SETTINGS.payloadStorageConnection]: 'blobServiceUri',
};

/**
 * Settings the infra does not set: the bootstrap admin key is empty in Azure (admins use Entra
 * roles; an operator may set it by hand for break-glass access, docs/operations.md).
 */
const LOCAL_ONLY_SETTINGS: string[] = [SETTINGS.adminKey];

/** The app settings the infra must declare, derived from SETTINGS. */
function expectedAppSettings(): string[] {
  return Object.values(SETTINGS).flatMap((name): string[] => {
    if (LOCAL_ONLY_SETTINGS.includes(name)) return [];
    const endpointSuffix = IDENTITY_CONNECTIONS[name];
    if (endpointSuffix) return [`${name}__${endpointSuffix}`, `${name}__credential`, `${name}__clientId`];
    return [name];
  });
}

describe('infra declares what the code names (shared/config/names.ts)', () => {
  it('reads the Bicep: resources use full types and literal names where the code relies on them', () => {
    expect(resources.length).toBeGreaterThan(10);
    // Nested child declarations (type 'queues') would hide resources from this test.
    expect(resources.filter((r) => !r.type.includes('/')).map((r) => `${r.file}: ${r.symbol}`)).toEqual([]);
    const named = [
      'Microsoft.ServiceBus/namespaces/queues',
      'Microsoft.DocumentDB/databaseAccounts/sqlDatabases',
      'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers',
      'Microsoft.Storage/storageAccounts/blobServices/containers',
    ].flatMap(declared);
    expect(named.filter((r) => literalName(r) === undefined).map((r) => `${r.file}: ${r.symbol}`)).toEqual(
      [],
    );
  });

  it('creates exactly the Service Bus queues in QUEUES', () => {
    const queues = declared('Microsoft.ServiceBus/namespaces/queues').map(literalName);
    expect(sorted(queues.filter((name) => name !== undefined))).toEqual(sorted(Object.values(QUEUES)));
  });

  it('creates the Cosmos DB database the code defaults to', () => {
    const databases = declared('Microsoft.DocumentDB/databaseAccounts/sqlDatabases');
    expect(databases.map(literalName)).toEqual([DEFAULT_COSMOS_DATABASE]);
    expect(databases.map((db) => stringLiteral(valueAt(db.body, ['properties', 'resource', 'id'])))).toEqual([
      DEFAULT_COSMOS_DATABASE,
    ]);
  });

  it('creates exactly the Cosmos DB containers in CONTAINERS, with their partition keys', () => {
    const containers = declared('Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers').map((c) => ({
      name: literalName(c),
      id: stringLiteral(valueAt(c.body, ['properties', 'resource', 'id'])),
      partitionKey: stringItems(valueAt(c.body, ['properties', 'resource', 'partitionKey', 'paths'])),
    }));
    const byName = (a: { name?: string | undefined }, b: { name?: string | undefined }): number =>
      (a.name ?? '').localeCompare(b.name ?? '');
    expect(containers.sort(byName)).toEqual(
      Object.values(CONTAINERS)
        .map((c) => ({ name: c.name, id: c.name, partitionKey: [c.partitionKey] }))
        .sort(byName),
    );
  });

  it('creates the claim-check blob container, and no blob container nobody uses', () => {
    const containers = declared('Microsoft.Storage/storageAccounts/blobServices/containers').map(literalName);
    expect(sorted(containers.filter((name) => name !== undefined))).toEqual(
      sorted([PAYLOAD_BLOB_CONTAINER, ...INFRA_OWNED.blobContainers]),
    );
  });

  it('sets exactly the app settings the code reads (identity-based connections in Azure)', () => {
    const appSettings = declared('Microsoft.Web/sites/config').filter(
      (r) => literalName(r) === 'appsettings',
    );
    expect(appSettings).toHaveLength(1);
    const [appSettingsResource] = appSettings;
    const properties = appSettingsResource ? valueAt(appSettingsResource.body, ['properties']) : undefined;
    // A computed object (union(), a variable) cannot be read here: keep it a literal object.
    expect(properties?.masked.startsWith('{')).toBe(true);
    const names = properties ? [...objectEntries(properties).keys()] : [];
    expect(sorted(names)).toEqual(sorted([...expectedAppSettings(), ...INFRA_OWNED.settings]));
  });

  it('selects managed identity for every identity-based connection', () => {
    const [appSettingsResource] = declared('Microsoft.Web/sites/config');
    const properties = appSettingsResource ? valueAt(appSettingsResource.body, ['properties']) : undefined;
    const entries = properties ? objectEntries(properties) : new Map();
    for (const connection of [...Object.keys(IDENTITY_CONNECTIONS), 'AzureWebJobsStorage']) {
      expect({ connection, credential: stringLiteral(entries.get(`${connection}__credential`)) }).toEqual({
        connection,
        credential: 'managedidentity',
      });
    }
  });
});

describe('retention', () => {
  it('keeps claim-check payloads exactly as long as the records that point at them', () => {
    const storage = readFileSync(join(infraDir, 'app', 'storage.bicep'), 'utf8');
    const declaredDays = /param payloadRetentionDays int = (\d+)/.exec(storage)?.[1];
    expect(Number(declaredDays)).toBe(RECORD_RETENTION_DAYS);
  });
});

describe('Service Bus roles follow the triggers', () => {
  it('gives the app Data Owner on exactly the queues functions/ triggers read (target-based scaling)', () => {
    const functionsDir = join(infraDir, '..', 'functions');
    const queueKeys = readdirSync(functionsDir)
      .filter((name) => name.endsWith('.ts'))
      .flatMap((name) => {
        const source = readFileSync(join(functionsDir, name), 'utf8');
        if (!/app\.serviceBusQueue\(/.test(source)) return [];
        return [...source.matchAll(/queueName:\s*QUEUES\.(\w+)/g)].map((match) => match[1] ?? '');
      });
    const triggerQueues = queueKeys.map((key) => QUEUES[key as keyof typeof QUEUES]);
    expect(triggerQueues.length).toBeGreaterThan(0);

    const main = readFileSync(join(infraDir, 'main.bicep'), 'utf8');
    const granted = /triggerQueueNames:\s*\[([^\]]*)\]/.exec(main)?.[1] ?? '';
    const grantedQueues = [...granted.matchAll(/'([^']+)'/g)].map((match) => match[1] ?? '');
    expect(sorted(grantedQueues)).toEqual(sorted(triggerQueues));

    const rbac = readFileSync(join(infraDir, 'app', 'rbac.bicep'), 'utf8');
    // Scoped to each queue, never to the namespace.
    expect(rbac).toMatch(/serviceBusDataOwner: '090c5cfd-751d-490a-894a-3ce6f1109419'/);
    expect(rbac).toMatch(
      /scope: triggerQueues\[i\]\s*\n\s*name: guid\(triggerQueues\[i\]\.id, appIdentity\.id, roles\.serviceBusDataOwner\)/,
    );
  });
});
