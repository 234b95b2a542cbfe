import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ServiceBusClient } from '@azure/service-bus';
import { start as startServiceBusEmulator, type EmulatorConfig } from '../../../local/servicebus-emulator';
import { startTestAzurite } from '../../support/azurite';
import { startTestCosmos } from '../../support/cosmos';
import { startWebhookReceiver } from '../../support/webhookReceiver';
import { spawnDevHost } from '../devhost/spawnDevHost';

const REPO_ROOT = resolve(__dirname, '../../..');
export const FUNCTION_KEY = 'e2e-test-key';

/** The local stack's Service Bus entities, plus a queue that a subscription can deliver to. */
function serviceBusConfig(): EmulatorConfig {
  const config = JSON.parse(
    readFileSync(resolve(REPO_ROOT, 'local/stack/servicebus-config.json'), 'utf8'),
  ) as {
    UserConfig: {
      Namespaces: Array<{ Queues: Array<{ Name: string; Properties: Record<string, unknown> }> }>;
    };
  };
  const namespace = config.UserConfig.Namespaces[0];
  if (!namespace) throw new Error('servicebus-config.json has no namespace');
  namespace.Queues.push({
    Name: 'e2e-destination',
    Properties: { LockDuration: 'PT30S', MaxDeliveryCount: 10, DefaultMessageTimeToLive: 'PT1H' },
  });
  return config as unknown as EmulatorConfig;
}

export interface PipelineOptions {
  /** Extra settings for the app, e.g. an empty SWITCHYARD_ALLOWED_PRIVATE_CIDRS. */
  settings?: Record<string, string>;
}

/**
 * The whole system as a user runs it: Service Bus emulator, Cosmos DB server, Azurite, a
 * webhook receiver, and the dev host running functions/ from source.
 */
export async function startPipeline(options: PipelineOptions = {}) {
  const started: Array<() => Promise<unknown>> = [];
  try {
    const [serviceBus, cosmos, azurite, receiver] = await Promise.all([
      startServiceBusEmulator({ config: serviceBusConfig(), port: 0, httpPort: 0 }),
      startTestCosmos('switchyard'),
      startTestAzurite(),
      startWebhookReceiver(),
    ]);
    started.push(
      () => serviceBus.close(),
      () => cosmos.close(),
      () => azurite.close(),
      () => receiver.close(),
    );
    const host = await spawnDevHost({
      appRoot: REPO_ROOT,
      main: 'functions/*.ts',
      env: {
        FUNCTIONS_WORKER_RUNTIME: 'node',
        ServiceBusConnection: serviceBus.connectionString,
        CosmosDbConnection: cosmos.server.connectionString,
        PayloadStorageConnection: azurite.connectionString,
        AzureWebJobsStorage: azurite.connectionString,
        SWITCHYARD_COSMOS_DATABASE: 'switchyard',
        SWITCHYARD_FUNCTION_KEY: FUNCTION_KEY,
        SWITCHYARD_ALLOWED_PRIVATE_CIDRS: '127.0.0.0/8',
        SWITCHYARD_SUBSCRIPTION_CACHE_SECONDS: '1',
        APPLICATIONINSIGHTS_CONNECTION_STRING: '',
        ...options.settings,
      },
    });
    started.push(() => host.stop());
    const serviceBusClient = new ServiceBusClient(serviceBus.connectionString);
    started.push(() => serviceBusClient.close());

    async function api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
      const response = await fetch(`${host.url}/api${path}`, {
        method,
        headers: {
          'x-functions-key': FUNCTION_KEY,
          ...(body !== undefined && typeof body !== 'string' ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      });
      const text = await response.text();
      const json =
        text && /json/.test(response.headers.get('content-type') ?? '')
          ? (JSON.parse(text) as unknown)
          : undefined;
      return {
        status: response.status,
        headers: response.headers,
        json: json as Record<string, unknown>,
        text,
      };
    }

    return {
      host,
      receiver,
      serviceBusClient,
      cosmos,
      api,
      /** Publishes one structured CloudEvent and returns its eventKey. */
      async publish(topic: string, event: Record<string, unknown>) {
        const response = await api(
          'POST',
          `/topics/${topic}/events`,
          JSON.stringify({ specversion: '1.0', ...event }),
          {
            'content-type': 'application/cloudevents+json',
          },
        );
        if (response.status !== 202) throw new Error(`publish answered ${response.status}: ${response.text}`);
        const accepted = response.json.accepted as Array<{ eventKey: string }>;
        return accepted[0]?.eventKey ?? '';
      },
      async createWebhookSubscription(
        topic: string,
        name: string,
        path: string,
        extra: Record<string, unknown> = {},
      ) {
        const response = await api('PUT', `/topics/${topic}/subscriptions/${name}`, {
          destination: { endpointType: 'WebHook', endpointUrl: receiver.url(path) },
          filter: {},
          ...extra,
        });
        if (response.status !== 201)
          {throw new Error(`subscription PUT answered ${response.status}: ${response.text}`);}
        return response.json as { signingSecret: string };
      },
      async eventStatus(eventKey: string) {
        return (await api('GET', `/events/${eventKey}`)).json as {
          deliveries: Array<{
            subscription: string;
            status: string;
            attempts: Array<{ n: number; at: string; outcome: string; httpStatus?: number; error?: string }>;
            deadLetter?: { reason: string; description: string };
          }>;
        };
      },
      async stop() {
        for (const close of started.reverse()) await close().catch(() => undefined);
      },
    };
  } catch (error) {
    for (const close of started.reverse()) await close().catch(() => undefined);
    throw error;
  }
}

export type Pipeline = Awaited<ReturnType<typeof startPipeline>>;
