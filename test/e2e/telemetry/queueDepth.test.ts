import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ServiceBusClient } from '@azure/service-bus';
import { type EmulatorConfig, start as startServiceBusEmulator } from '../../../local/servicebus-emulator';
import { pipelineQueueDepths } from '../../../shared/app/queueDepth';

const CONFIG = resolve(__dirname, '../../../local/stack/servicebus-config.json');

/** The switchyard.queue.depth source against the Service Bus emulator, with the real SDK. */
describe('queue depth by peeking', () => {
  let emulator: Awaited<ReturnType<typeof startServiceBusEmulator>>;
  let client: ServiceBusClient;

  beforeAll(async () => {
    const config = JSON.parse(readFileSync(CONFIG, 'utf8')) as EmulatorConfig;
    emulator = await startServiceBusEmulator({ config, port: 0, httpPort: 0 });
    client = new ServiceBusClient(emulator.connectionString);
  });
  afterAll(async () => {
    await client?.close();
    await emulator?.close();
  });

  it('counts active messages per queue, not scheduled ones', async () => {
    const connection = {
      kind: 'connectionString',
      setting: 'ServiceBusConnection',
      connectionString: emulator.connectionString,
    } as const;
    const ingress = client.createSender('ingress');
    const deliveries = client.createSender('deliveries');
    try {
      await ingress.sendMessages([{ body: 'a' }, { body: 'b' }, { body: 'c' }]);
      await deliveries.sendMessages({ body: 'now' });
      // A retry waiting for its time is not backlog.
      await deliveries.scheduleMessages({ body: 'later' }, new Date(Date.now() + 3_600_000));
    } finally {
      await Promise.all([ingress.close(), deliveries.close()]);
    }
    expect(await pipelineQueueDepths(connection, client)).toEqual({
      ingress: 3,
      deliveries: 1,
      deadletters: 0,
    });
  });

  it('reports nothing when the app reaches Service Bus with an identity (Azure: no Manage right)', async () => {
    const connection = {
      kind: 'identity',
      setting: 'ServiceBusConnection',
      endpoint: 'example.servicebus.windows.net',
      credential: 'managedidentity',
    } as const;
    expect(await pipelineQueueDepths(connection, client)).toEqual({});
  });
});
