import { DefaultAzureCredential, ManagedIdentityCredential } from '@azure/identity';
import { z } from 'zod';
import { type AllowedCidrs, InvalidCidrListError, parseAllowedCidrs } from '../delivery/allowedCidrs';
import { type Environment, readTelemetrySettings, type TelemetrySettings } from './telemetrySettings';
import { DEFAULT_COSMOS_DATABASE, SETTINGS } from './names';

/**
 * How to reach one Azure service: a connection string (locally) or an endpoint plus an identity
 * (in Azure). Follows the Functions convention for identity-based connections.
 */
export type ConnectionSetting =
  | { kind: 'connectionString'; setting: string; connectionString: string }
  | {
      kind: 'identity';
      setting: string;
      /** Service Bus: the namespace host; Cosmos: the account endpoint; Blob: the service URI. */
      endpoint: string;
      /** managedidentity when `__credential=managedidentity` or a `__clientId` is given. */
      credential: 'managedidentity' | 'default';
      clientId?: string;
    };

/** The suffix of the setting that carries the endpoint for each kind of service. */
export type EndpointSuffix = 'fullyQualifiedNamespace' | 'accountEndpoint' | 'blobServiceUri';

export interface Settings {
  serviceBus: ConnectionSetting;
  cosmos: ConnectionSetting;
  payloadStorage: ConnectionSetting;
  cosmosDatabase: string;
  /** Only used locally (the dev host checks it); Azure checks its own keys. */
  functionKey?: string;
  /** SWITCHYARD_ALLOWED_PRIVATE_CIDRS, parsed: the SSRF guard's allow-list. */
  allowedPrivateCidrs: AllowedCidrs;
  subscriptionCacheSeconds: number;
  /** Absent: no Application Insights connection string, telemetry stays off. */
  telemetry?: TelemetrySettings;
}

export type { Environment };

export class SettingsError extends Error {
  constructor(
    readonly setting: string,
    problem: string,
  ) {
    super(`setting ${setting}: ${problem}`);
    this.name = 'SettingsError';
  }
}

/** A subscription change takes effect within this many seconds on every instance. */
const DEFAULT_SUBSCRIPTION_CACHE_SECONDS = 5;

const nonEmpty = z.string().trim().min(1, 'must not be empty');
const url = z.url({ message: 'must be an absolute URL' });
const cacheSeconds = z.coerce.number().int().min(0).max(3600);

function parse<T>(schema: z.ZodType<T>, setting: string, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new SettingsError(setting, result.error.issues.map((issue) => issue.message).join('; '));
}

function present(env: Environment, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/**
 * Reads one connection: `<name>` as a connection string, else `<name>__<endpointSuffix>` with
 * managed identity. Service Bus namespaces may be given as a bare host name, as Functions does.
 */
export function readConnection(
  env: Environment,
  name: string,
  endpointSuffix: EndpointSuffix,
): ConnectionSetting {
  const connectionString = present(env, name);
  if (connectionString !== undefined) {
    return { kind: 'connectionString', setting: name, connectionString };
  }
  const endpointSetting = `${name}__${endpointSuffix}`;
  const endpoint = present(env, endpointSetting);
  if (endpoint === undefined) {
    throw new SettingsError(
      name,
      `missing: set ${name} (connection string) or ${endpointSetting} (managed identity)`,
    );
  }
  if (endpointSuffix === 'fullyQualifiedNamespace') {
    parse(
      nonEmpty.regex(/^[A-Za-z0-9.-]+(:\d+)?$/, 'must be a host name such as ns.servicebus.windows.net'),
      endpointSetting,
      endpoint,
    );
  } else {
    parse(url, endpointSetting, endpoint);
  }
  const clientId = present(env, `${name}__clientId`);
  const credentialSetting = present(env, `${name}__credential`);
  if (credentialSetting !== undefined && credentialSetting.toLowerCase() !== 'managedidentity') {
    throw new SettingsError(`${name}__credential`, 'the only supported value is managedidentity');
  }
  const credential =
    clientId !== undefined || credentialSetting !== undefined ? 'managedidentity' : 'default';
  return { kind: 'identity', setting: name, endpoint, credential, ...(clientId ? { clientId } : {}) };
}

/**
 * The SSRF allow-list, checked by the very parser the SSRF guard uses (shared/delivery), so a
 * value that passes here is never refused at delivery time and the other way round.
 */
function readAllowedCidrs(env: Environment): AllowedCidrs {
  try {
    return parseAllowedCidrs(env[SETTINGS.allowedPrivateCidrs]);
  } catch (error) {
    if (error instanceof InvalidCidrListError) throw new SettingsError(SETTINGS.allowedPrivateCidrs, error.problem);
    throw error;
  }
}

/** Reads and validates every setting; throws SettingsError naming the first bad one. */
export function readSettings(env: Environment = process.env): Settings {
  const functionKey = present(env, SETTINGS.functionKey);
  const telemetry = readTelemetrySettings(env);
  const cache = present(env, SETTINGS.subscriptionCacheSeconds);
  return {
    serviceBus: readConnection(env, SETTINGS.serviceBusConnection, 'fullyQualifiedNamespace'),
    cosmos: readConnection(env, SETTINGS.cosmosConnection, 'accountEndpoint'),
    payloadStorage: readConnection(env, SETTINGS.payloadStorageConnection, 'blobServiceUri'),
    cosmosDatabase: parse(
      nonEmpty,
      SETTINGS.cosmosDatabase,
      present(env, SETTINGS.cosmosDatabase) ?? DEFAULT_COSMOS_DATABASE,
    ),
    ...(functionKey ? { functionKey } : {}),
    allowedPrivateCidrs: readAllowedCidrs(env),
    subscriptionCacheSeconds:
      cache === undefined
        ? DEFAULT_SUBSCRIPTION_CACHE_SECONDS
        : parse(cacheSeconds, SETTINGS.subscriptionCacheSeconds, cache),
    ...(telemetry ? { telemetry } : {}),
  };
}

/** The @azure/identity credential for an identity-based connection. */
export function credentialFor(
  connection: Extract<ConnectionSetting, { kind: 'identity' }>,
): DefaultAzureCredential | ManagedIdentityCredential {
  if (connection.credential === 'managedidentity') {
    return connection.clientId
      ? new ManagedIdentityCredential({ clientId: connection.clientId })
      : new ManagedIdentityCredential();
  }
  return new DefaultAzureCredential(
    connection.clientId ? { managedIdentityClientId: connection.clientId } : {},
  );
}
