import { Agent } from 'node:https';
import { isIPv4 } from 'node:net';
import { CosmosClient, type CosmosClientOptions, type Database } from '@azure/cosmos';
import { CONTAINERS } from '../config/names';
import { credentialFor, type ConnectionSetting } from '../config/settings';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** True for endpoints on this machine, where Cosmos emulators serve a self-signed certificate. */
export function isLoopbackEndpoint(endpoint: string): boolean {
  const { hostname } = new URL(endpoint);
  return LOOPBACK_HOSTS.has(hostname) || (isIPv4(hostname) && hostname.startsWith('127.'));
}

/** The AccountEndpoint of a Cosmos connection string. */
export function endpointOfConnectionString(connectionString: string): string {
  const match = /(?:^|;)\s*AccountEndpoint\s*=\s*([^;]+)/i.exec(connectionString);
  if (!match?.[1]) throw new Error('the Cosmos DB connection string has no AccountEndpoint');
  return match[1].trim();
}

/**
 * A CosmosClient from a connection string (locally) or an account endpoint and managed identity
 * (Azure). Certificate checks are switched off only for loopback endpoints, never for others.
 */
export function createCosmosClient(connection: ConnectionSetting): CosmosClient {
  const options: CosmosClientOptions =
    connection.kind === 'connectionString'
      ? { connectionString: connection.connectionString }
      : { endpoint: connection.endpoint, aadCredentials: credentialFor(connection) };
  const endpoint =
    connection.kind === 'connectionString'
      ? endpointOfConnectionString(connection.connectionString)
      : connection.endpoint;
  if (isLoopbackEndpoint(endpoint)) {
    // The SDK's Agent type is narrower than node's; node's https.Agent satisfies it at runtime.
    options.agent = new Agent({
      rejectUnauthorized: false,
      keepAlive: true,
    });
  }
  return new CosmosClient(options);
}

/**
 * Creates the database and containers if missing. Local only: in Azure they come from Bicep and
 * the managed identity has no rights to create them.
 */
export async function ensureCosmosResources(client: CosmosClient, databaseId: string): Promise<Database> {
  const { database } = await client.databases.createIfNotExists({ id: databaseId });
  for (const { name, partitionKey } of Object.values(CONTAINERS)) {
    await database.containers.createIfNotExists({ id: name, partitionKey: { paths: [partitionKey] } });
  }
  return database;
}
