import { ServiceBusClient, type ServiceBusClientOptions } from '@azure/service-bus';
import { start, type EmulatorConfig, type EmulatorHandle } from '../../../../local/servicebus-emulator';
import { getFreePort } from '../../../support/wait';

type QueueProperties = NonNullable<
  EmulatorConfig['UserConfig']['Namespaces'][number]['Queues']
>[number]['Properties'];
type TopicConfig = NonNullable<EmulatorConfig['UserConfig']['Namespaces'][number]['Topics']>[number];

/** Small retries so failure cases fail in milliseconds, not after the SDK's 3 x 30 s. */
export const FAST_CLIENT_OPTIONS: ServiceBusClientOptions = {
  retryOptions: { maxRetries: 0, retryDelayInMs: 20, timeoutInMs: 5000 },
};

export function configWith(
  queues: Record<string, QueueProperties>,
  topics: TopicConfig[] = [],
): EmulatorConfig {
  return {
    UserConfig: {
      Namespaces: [
        {
          Name: 'sbemulatorns',
          Queues: Object.entries(queues).map(([Name, Properties]) => ({ Name, Properties })),
          Topics: topics,
        },
      ],
      Logging: { Type: 'Console' },
    },
  };
}

export interface Harness {
  emulator: EmulatorHandle;
  client: ServiceBusClient;
  /** Another client (own AMQP connection) closed with the harness. */
  newClient(connectionString?: string): ServiceBusClient;
  close(): Promise<void>;
}

/** Starts the emulator on free ports with `config` and a client with fast-failing retries. */
export async function startHarness(config: EmulatorConfig): Promise<Harness> {
  const emulator = await start({ config, port: await getFreePort(), httpPort: 0 });
  const clients: ServiceBusClient[] = [];
  const newClient = (connectionString = emulator.connectionString): ServiceBusClient => {
    const client = new ServiceBusClient(connectionString, FAST_CLIENT_OPTIONS);
    clients.push(client);
    return client;
  };
  const client = newClient();
  return {
    emulator,
    client,
    newClient,
    async close() {
      await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
      await emulator.close();
    },
  };
}
