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
  /** The bootstrap admin key; absent unless set (Azure: not set, admins use Entra roles). */
  adminKey?: string;
  /** Whose access tokens are accepted; absent = none (only keys authenticate). */
  auth?: { issuer: string; audience: string };
  /** SWITCHYARD_ALLOWED_PRIVATE_CIDRS, parsed: the SSRF guard's allow-list. */
  allowedPrivateCidrs: AllowedCidrs;
  subscriptionCacheSeconds: number;
  reconcileGraceSeconds: number;
  /** WebHook-Request-Origin of the validation handshake: a host name naming this deployment. */
  webhookOrigin: string;
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
const graceSeconds = z.coerce.number().int().min(0).max(604_800);

/**
 * How long a delivery may stay `retrying` past its next attempt before the reconcile timer
 * enqueues that attempt again: longer than a backlog normally delays a retry.
 */
const DEFAULT_RECONCILE_GRACE_SECONDS = 900;
/** The reconcile timer's NCRONTAB schedule unless SWITCHYARD_RECONCILE_SCHEDULE says otherwise. */
export const DEFAULT_RECONCILE_SCHEDULE = '0 */1 * * * *';

/** The reconcile timer's schedule: read when the function is registered, before readSettings. */
export function reconcileSchedule(env: Environment = process.env): string {
  return present(env, SETTINGS.reconcileSchedule) ?? DEFAULT_RECONCILE_SCHEDULE;
}

export type TriggerCardinality = 'one' | 'many';
/**
 * One message per invocation unless the setting says `many`: one batch runs at a time per
 * function and instance, so a webhook that hangs holds its whole batch (docs/performance.md).
 */
export const DEFAULT_PIPELINE_CARDINALITY: TriggerCardinality = 'one';

/**
 * Whether route and deliver take batches: read when the functions are registered, before
 * readSettings. Anything but `one` or `many` is refused, so a typo cannot switch modes silently.
 */
export function pipelineTriggerCardinality(env: Environment = process.env): TriggerCardinality {
  const value = present(env, SETTINGS.pipelineTriggerCardinality);
  return value === undefined
    ? DEFAULT_PIPELINE_CARDINALITY
    : parse(z.enum(['one', 'many']), SETTINGS.pipelineTriggerCardinality, value.toLowerCase());
}

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
    if (error instanceof InvalidCidrListError)
      throw new SettingsError(SETTINGS.allowedPrivateCidrs, error.problem);
    throw error;
  }
}

const LOOPBACK_HOSTS = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/**
 * The token issuer and audience: both or neither. The issuer must be https (its keys decide who
 * gets in), except on loopback for the local issuer of npm start.
 */
function readAuth(env: Environment): Settings['auth'] {
  const issuer = present(env, SETTINGS.authIssuer);
  const audience = present(env, SETTINGS.authAudience);
  if (issuer === undefined && audience === undefined) return undefined;
  if (issuer === undefined)
    throw new SettingsError(SETTINGS.authIssuer, `missing: ${SETTINGS.authAudience} is set`);
  if (audience === undefined)
    throw new SettingsError(SETTINGS.authAudience, `missing: ${SETTINGS.authIssuer} is set`);
  const url = parse(z.url({ message: 'must be an absolute URL' }), SETTINGS.authIssuer, issuer);
  const { protocol, hostname } = new URL(url);
  if (protocol !== 'https:' && !(protocol === 'http:' && LOOPBACK_HOSTS.test(hostname))) {
    throw new SettingsError(SETTINGS.authIssuer, 'must be an https URL (http only on loopback)');
  }
  return { issuer, audience };
}

const DEFAULT_WEBHOOK_ORIGIN = 'switchyard.local';
const HOST_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*(?::\d{1,5})?$/;

function readWebhookOrigin(env: Environment): string {
  const origin = present(env, SETTINGS.webhookOrigin);
  return origin === undefined
    ? DEFAULT_WEBHOOK_ORIGIN
    : parse(
        nonEmpty.regex(HOST_NAME, 'must be a host name such as events.example.com'),
        SETTINGS.webhookOrigin,
        origin,
      );
}

/** Reads and validates every setting; throws SettingsError naming the first bad one. */
export function readSettings(env: Environment = process.env): Settings {
  const adminKey = present(env, SETTINGS.adminKey);
  const auth = readAuth(env);
  const telemetry = readTelemetrySettings(env);
  const cache = present(env, SETTINGS.subscriptionCacheSeconds);
  const grace = present(env, SETTINGS.reconcileGraceSeconds);
  return {
    serviceBus: readConnection(env, SETTINGS.serviceBusConnection, 'fullyQualifiedNamespace'),
    cosmos: readConnection(env, SETTINGS.cosmosConnection, 'accountEndpoint'),
    payloadStorage: readConnection(env, SETTINGS.payloadStorageConnection, 'blobServiceUri'),
    cosmosDatabase: parse(
      nonEmpty,
      SETTINGS.cosmosDatabase,
      present(env, SETTINGS.cosmosDatabase) ?? DEFAULT_COSMOS_DATABASE,
    ),
    ...(adminKey ? { adminKey } : {}),
    ...(auth ? { auth } : {}),
    allowedPrivateCidrs: readAllowedCidrs(env),
    subscriptionCacheSeconds:
      cache === undefined
        ? DEFAULT_SUBSCRIPTION_CACHE_SECONDS
        : parse(cacheSeconds, SETTINGS.subscriptionCacheSeconds, cache),
    reconcileGraceSeconds:
      grace === undefined
        ? DEFAULT_RECONCILE_GRACE_SECONDS
        : parse(graceSeconds, SETTINGS.reconcileGraceSeconds, grace),
    webhookOrigin: readWebhookOrigin(env),
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
