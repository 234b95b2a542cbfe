import { DefaultAzureCredential, ManagedIdentityCredential, type TokenCredential } from '@azure/identity';
import { ServiceBusClient } from '@azure/service-bus';

/** How a connection setting resolves: a connection string, or a namespace plus a credential. */
export type ServiceBusConnectionSetting =
  | { kind: 'connectionString'; connectionString: string }
  | {
      kind: 'identity';
      fullyQualifiedNamespace: string;
      credential: 'default' | 'managedIdentity';
      clientId: string | undefined;
    };

/**
 * Reads a Functions connection by setting name, as the host does: `<name>` holds a connection
 * string; otherwise `<name>__fullyQualifiedNamespace` names the namespace and identity-based auth
 * is used: a managed identity when `<name>__credential` is "managedidentity" or a
 * `<name>__clientId` is given, DefaultAzureCredential otherwise.
 */
export function readServiceBusConnection(
  name: string,
  settings: NodeJS.ProcessEnv,
): ServiceBusConnectionSetting {
  const connectionString = settings[name];
  if (connectionString) return { kind: 'connectionString', connectionString };
  const fullyQualifiedNamespace = settings[`${name}__fullyQualifiedNamespace`];
  if (!fullyQualifiedNamespace) {
    throw new Error(
      `the Service Bus connection "${name}" is not configured: set ${name} (a connection string) or ${name}__fullyQualifiedNamespace`,
    );
  }
  const clientId = settings[`${name}__clientId`] || undefined;
  const wantsManagedIdentity =
    settings[`${name}__credential`]?.toLowerCase() === 'managedidentity' || clientId !== undefined;
  return {
    kind: 'identity',
    fullyQualifiedNamespace,
    credential: wantsManagedIdentity ? 'managedIdentity' : 'default',
    clientId,
  };
}

/** One ServiceBusClient per connection setting, shared by the functions that use it. */
export class ServiceBusConnections {
  readonly #clients = new Map<string, ServiceBusClient>();

  clientFor(connectionName: string): ServiceBusClient {
    let client = this.#clients.get(connectionName);
    if (!client) {
      client = createClient(readServiceBusConnection(connectionName, process.env));
      this.#clients.set(connectionName, client);
    }
    return client;
  }

  async closeAll(): Promise<void> {
    await Promise.allSettled([...this.#clients.values()].map((client) => client.close()));
    this.#clients.clear();
  }
}

function createClient(setting: ServiceBusConnectionSetting): ServiceBusClient {
  if (setting.kind === 'connectionString') return new ServiceBusClient(setting.connectionString);
  let credential: TokenCredential;
  if (setting.credential === 'managedIdentity') {
    credential = setting.clientId
      ? new ManagedIdentityCredential({ clientId: setting.clientId })
      : new ManagedIdentityCredential();
  } else credential = new DefaultAzureCredential();
  return new ServiceBusClient(setting.fullyQualifiedNamespace, credential);
}
