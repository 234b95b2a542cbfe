// First: starts telemetry (if configured) before the SDKs below are loaded, so they are traced.
import './bootstrapTelemetry';
import type { Database } from '@azure/cosmos';
import type { ServiceBusClient } from '@azure/service-bus';
import { ApiKeyCache } from '../auth/apiKeyCache';
import type { VerifiedToken } from '../auth/authenticate';
import { createTokenVerifier } from '../auth/tokenVerifier';
import { Bus } from '../bus/Bus';
import { createServiceBusClient } from '../bus/serviceBusClient';
import { readSettings, type Settings } from '../config/settings';
import { SsrfGuard } from '../delivery/ssrfGuard';
import { createWebhookClient, type WebhookClient } from '../delivery/webhookClient';
import { PayloadStore } from '../payloads/PayloadStore';
import { SubscriptionCache } from '../pipeline/subscriptionCache';
import { createCosmosClient } from '../store/cosmosClient';
import { ApiKeyStore } from '../store/ApiKeyStore';
import { DeliveryStore } from '../store/DeliveryStore';
import { RouteFailureStore } from '../store/RouteFailureStore';
import { EventStore } from '../store/EventStore';
import { SubscriptionStore } from '../store/SubscriptionStore';
import { ProtectionStore } from '../store/ProtectionStore';
import { AppSecretStore } from '../store/AppSecretStore';
import { type ContinuationTokens, continuationTokens } from '../management/paging';
import type { SubscriptionRecord } from '../domain/types';
import { registerQueueDepthSource } from '../telemetry';
import { pipelineQueueDepths } from './queueDepth';

/**
 * The app's long-lived clients, made once per process on first use and shared by every
 * function: connections and senders are expensive, invocations are many.
 */
export interface AppContext {
  settings: Settings;
  database: Database;
  subscriptions: SubscriptionStore;
  events: EventStore;
  deliveries: DeliveryStore;
  /** The shared state of the delivery-path protections (rate limits, circuit breaker). */
  protectionStates: ProtectionStore;
  /** The last error route threw on each ingress message (the cause of ingress poison). */
  routeFailures: RouteFailureStore;
  subscriptionCache: SubscriptionCache;
  serviceBus: ServiceBusClient;
  bus: Bus;
  payloads: PayloadStore;
  webhooks: WebhookClient;
  /** One guard for delivery and for checking endpoints when subscriptions are saved. */
  ssrfGuard: SsrfGuard;
  /** Signs the list routes' continuation tokens with a per-deployment key kept in Cosmos DB. */
  continuationTokens: ContinuationTokens;
  apiKeys: ApiKeyStore;
  /** Keys as authentication reads them: cached for API_KEY_CACHE_SECONDS. */
  apiKeyCache: ApiKeyCache;
  /** Verifies access tokens of the configured issuer; undefined when none is configured. */
  verifyToken: ((token: string) => Promise<VerifiedToken>) | undefined;
  close(): Promise<void>;
}

let current: AppContext | undefined;

export function appContext(): AppContext {
  current ??= createAppContext(readSettings());
  return current;
}

/** Closes the shared clients (dev host shutdown, tests). The next appContext() makes new ones. */
export async function closeAppContext(): Promise<void> {
  const context = current;
  current = undefined;
  await context?.close();
}

function createAppContext(settings: Settings): AppContext {
  const cosmos = createCosmosClient(settings.cosmos);
  const database = cosmos.database(settings.cosmosDatabase);
  const subscriptions = new SubscriptionStore(database);
  const serviceBus = createServiceBusClient(settings.serviceBus);
  const bus = new Bus(serviceBus);
  const apiKeys = new ApiKeyStore(database);
  // The allow-list as readSettings parsed it: one reading of the setting for the whole app.
  const ssrfGuard = new SsrfGuard(settings.allowedPrivateCidrs);
  const webhooks = createWebhookClient({ guard: ssrfGuard, origin: settings.webhookOrigin });
  // Only ever called at a metrics collection, i.e. never without telemetry.
  const unregisterQueueDepth = registerQueueDepthSource(() =>
    pipelineQueueDepths(settings.serviceBus, serviceBus),
  );
  return {
    settings,
    database,
    subscriptions,
    events: new EventStore(database),
    deliveries: new DeliveryStore(database),
    protectionStates: new ProtectionStore(database),
    routeFailures: new RouteFailureStore(database),
    subscriptionCache: new SubscriptionCache(
      (topic) => allSubscriptions(subscriptions, topic),
      settings.subscriptionCacheSeconds * 1000,
    ),
    serviceBus,
    bus,
    payloads: PayloadStore.fromConnection(settings.payloadStorage),
    webhooks,
    ssrfGuard,
    continuationTokens: continuationTokens(() => new AppSecretStore(database).secret('continuation-tokens')),
    apiKeys,
    apiKeyCache: new ApiKeyCache(
      (name) => apiKeys.get(name),
      (name, at) => apiKeys.touch(name, at),
    ),
    verifyToken: settings.auth ? createTokenVerifier(settings.auth) : undefined,
    async close() {
      unregisterQueueDepth();
      await Promise.allSettled([bus.close(), webhooks.close()]);
      cosmos.dispose();
    },
  };
}

/** Every subscription of a topic, active and disabled, page by page. */
async function allSubscriptions(store: SubscriptionStore, topic: string): Promise<SubscriptionRecord[]> {
  const all: SubscriptionRecord[] = [];
  let continuationToken: string | undefined;
  do {
    const page = await store.list(topic, {
      maxItems: 1000,
      ...(continuationToken ? { continuationToken } : {}),
    });
    all.push(...page.items);
    continuationToken = page.continuationToken;
  } while (continuationToken);
  return all;
}
