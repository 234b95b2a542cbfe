/**
 * Names of the Azure resources and settings the code relies on. The infra (Bicep) must create
 * exactly these; test/unit/infra/drift.test.ts fails when the two drift apart.
 */

/** Service Bus queues. */
export const QUEUES = {
  /** Events published over HTTP or sent by publishers directly; read by the route function. */
  ingress: 'ingress',
  /** One message per (event, subscription) attempt; read by the deliver function. */
  deliveries: 'deliveries',
  /** The product's dead letters: deliveries that could not be delivered, with reason. */
  deadletters: 'deadletters',
} as const;

/** Cosmos DB containers and their partition key paths. */
export const CONTAINERS = {
  subscriptions: { name: 'subscriptions', partitionKey: '/topic' },
  events: { name: 'events', partitionKey: '/eventKey' },
  deliveries: { name: 'deliveries', partitionKey: '/eventKey' },
  /** Switchyard API keys (hashes only), one per name. */
  apiKeys: { name: 'apikeys', partitionKey: '/name' },
  /**
   * The last error route threw on an ingress message (not an outage), one per message id: the
   * cause Service Bus does not keep when it dead-letters the message after MaxDeliveryCount.
   */
  routeFailures: { name: 'routefailures', partitionKey: '/id' },
} as const;

/** Blob container for claim-check payloads (events too large for a Service Bus message). */
export const PAYLOAD_BLOB_CONTAINER = 'event-payloads';

/**
 * App settings, one name each, the same in code, local.settings.json, the dev host and Bicep.
 * Connections follow the Functions convention: `<Name>` holds a connection string locally;
 * in Azure `<Name>__fullyQualifiedNamespace` / `__accountEndpoint` / `__blobServiceUri` with
 * `<Name>__credential=managedidentity` and `<Name>__clientId` select managed identity.
 */
export const SETTINGS = {
  serviceBusConnection: 'ServiceBusConnection',
  cosmosConnection: 'CosmosDbConnection',
  payloadStorageConnection: 'PayloadStorageConnection',
  cosmosDatabase: 'SWITCHYARD_COSMOS_DATABASE',
  /**
   * The bootstrap admin key: accepted as `Authorization: Bearer <key>` (or `x-functions-key`)
   * with every permission. Locally `local-dev-key`; not set in Azure, where admins use Entra roles.
   */
  adminKey: 'SWITCHYARD_ADMIN_KEY',
  /** The issuer whose access tokens are accepted (Entra ID: https://login.microsoftonline.com/<tenant>/v2.0). */
  authIssuer: 'SWITCHYARD_AUTH_ISSUER',
  /** The audience those tokens must carry: the API's application (client) id. */
  authAudience: 'SWITCHYARD_AUTH_AUDIENCE',
  allowedPrivateCidrs: 'SWITCHYARD_ALLOWED_PRIVATE_CIDRS',
  subscriptionCacheSeconds: 'SWITCHYARD_SUBSCRIPTION_CACHE_SECONDS',
  reconcileSchedule: 'SWITCHYARD_RECONCILE_SCHEDULE',
  reconcileGraceSeconds: 'SWITCHYARD_RECONCILE_GRACE_SECONDS',
  appInsightsConnection: 'APPLICATIONINSIGHTS_CONNECTION_STRING',
  /**
   * The WebHook-Request-Origin of the validation handshake (a DNS name naming this Switchyard):
   * in Azure the function app's host name (infra sets it), locally `switchyard.local`.
   */
  webhookOrigin: 'SWITCHYARD_WEBHOOK_ORIGIN',
  /**
   * Traces per second each instance sends to Application Insights (rate-limited sampling);
   * unset or 0 keeps every trace. Bounds ingestion at (instances x this) traces per second.
   */
  telemetryTracesPerSecond: 'SWITCHYARD_TELEMETRY_TRACES_PER_SECOND',
  /**
   * `one` (default): route and deliver take one Service Bus message per invocation; `many`:
   * batches (host.json extensions.serviceBus.maxMessageBatchSize), with per-message outcomes.
   */
  pipelineTriggerCardinality: 'SWITCHYARD_PIPELINE_CARDINALITY',
} as const;

export const DEFAULT_COSMOS_DATABASE = 'switchyard';

/**
 * How long event and delivery records (Cosmos DB `ttl`) and claim-check payloads (the blob
 * lifecycle rule, Bicep `payloadRetentionDays`) are kept: together, so a record never points
 * at a payload that is gone.
 */
export const RECORD_RETENTION_DAYS = 30;
export const RECORD_TTL_SECONDS = RECORD_RETENTION_DAYS * 24 * 60 * 60;
