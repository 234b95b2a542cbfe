import { resolve } from 'node:path';
import { ServiceBusClient } from '@azure/service-bus';
import { start, type EmulatorHandle } from '../../../local/servicebus-emulator';
import { waitFor } from '../../support/wait';
import { spawnDevHost, type SpawnedDevHost } from './spawnDevHost';

const APP_ROOT = resolve(__dirname, '../../fixtures/devhost-app');
const MAX_DELIVERY_COUNT = 3;

interface Seen {
  trigger: string;
  body: unknown;
  messageId: string;
  deliveryCount: number;
  enqueuedTimeUtc: string;
  applicationProperties: Record<string, unknown>;
  traceParent: string;
}

describe('dev host: Service Bus triggers', () => {
  let emulator: EmulatorHandle;
  let host: SpawnedDevHost;
  let client: ServiceBusClient;

  const seen = async (): Promise<Seen[]> => (await (await fetch(`${host.url}/api/sb-seen`)).json()) as Seen[];
  const seenFor = async (messageId: string) =>
    (await seen()).filter((entry) => entry.messageId === messageId);
  /**
   * Messages still in an entity (locked ones included). A fresh client each time: the SDK's peek
   * cursor is shared per entity on a client and would skip messages peeked before.
   */
  const storedCount = async (entityPath: string, options: { subQueueType?: 'deadLetter' } = {}) => {
    const probe = new ServiceBusClient(emulator.connectionString);
    try {
      return (await probe.createReceiver(entityPath, options).peekMessages(50)).length;
    } finally {
      await probe.close();
    }
  };
  const activeCount = (queue: string) => storedCount(queue);

  beforeAll(async () => {
    emulator = await start({
      port: 0,
      httpPort: 0,
      config: {
        UserConfig: {
          Namespaces: [
            {
              Name: 'sbemulatorns',
              Queues: [
                { Name: 'work', Properties: { MaxDeliveryCount: MAX_DELIVERY_COUNT, LockDuration: 'PT4S' } },
                { Name: 'raw', Properties: { LockDuration: 'PT5S' } },
              ],
              Topics: [
                { Name: 'events', Subscriptions: [{ Name: 'audit', Properties: { LockDuration: 'PT5S' } }] },
              ],
            },
          ],
          Logging: { Type: 'Console' },
        },
      },
    });
    client = new ServiceBusClient(emulator.connectionString);
    host = await spawnDevHost({
      appRoot: APP_ROOT,
      main: '{functions,servicebus}/*.ts',
      // The queue name comes from local.settings.json (%FIXTURE_QUEUE%), the topic from here.
      env: { FixtureServiceBus: emulator.connectionString, FIXTURE_TOPIC: 'events' },
    });
  });

  afterAll(async () => {
    await host?.stop();
    await client?.close();
    await emulator?.close();
  });

  it('hands the JSON body and the trigger metadata to the handler, then completes the message', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    await client.createSender('work').sendMessages({
      body: { hello: 'world' },
      messageId: 'ok-1',
      applicationProperties: { Tenant: 'contoso', 'Diagnostic-Id': `00-${traceId}-00f067aa0ba902b7-01` },
    });
    const [entry] = await waitFor('the ok-1 invocation', async () => {
      const found = await seenFor('ok-1');
      return found.length > 0 && found;
    });
    expect(entry).toMatchObject({ trigger: 'queue', body: { hello: 'world' }, deliveryCount: 1 });
    // The library lower-camel-cases metadata keys, including those of ApplicationProperties.
    expect(entry!.applicationProperties).toMatchObject({ tenant: 'contoso' });
    expect(Number.isNaN(Date.parse(entry!.enqueuedTimeUtc))).toBe(false);
    expect(entry!.traceParent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    await waitFor('ok-1 to be completed', async () => (await activeCount('work')) === 0);
    await waitFor('the tagged log line', () =>
      /\[workItems\] \[[0-9a-f-]{36}\] work item ok-1 delivery 1/.test(host.logs()),
    );
  });

  it('abandons a message whose handler throws until the broker dead-letters it', async () => {
    await client.createSender('work').sendMessages({ body: { command: 'fail' }, messageId: 'fail-1' });
    const deadLetters = client.createReceiver('work', {
      subQueueType: 'deadLetter',
      receiveMode: 'receiveAndDelete',
    });
    const [deadLettered] = await waitFor('fail-1 in the dead-letter queue', async () => {
      const messages = await deadLetters.receiveMessages(1, { maxWaitTimeInMs: 500 });
      return messages.length > 0 && messages;
    });
    expect(deadLettered!.messageId).toBe('fail-1');
    expect(deadLettered!.deadLetterReason).toBe('MaxDeliveryCountExceeded');
    const counts = (await seenFor('fail-1')).map((entry) => entry.deliveryCount);
    expect(counts).toEqual([1, 2, 3]);
    expect(await activeCount('work')).toBe(0);
  });

  it('renews the lock while a handler runs longer than the lock duration', async () => {
    await client
      .createSender('work')
      .sendMessages({ body: { command: 'slow', ms: 5_500 }, messageId: 'slow-1' });
    const executed = /Executed 'Functions\.workItems' \(Succeeded/g;
    const before = host.logs().match(executed)?.length ?? 0;
    await waitFor('slow-1 to finish', () => (host.logs().match(executed)?.length ?? 0) > before, {
      timeoutMs: 20_000,
    });
    await waitFor('slow-1 to be completed', async () => (await activeCount('work')) === 0);
    // Had the 4 s lock lapsed (the SDK renews it halfway), another concurrent call would have received it again.
    expect((await seenFor('slow-1')).map((entry) => entry.deliveryCount)).toEqual([1]);
  });

  it('runs a Service Bus function by hand through the admin route, with the input as the body', async () => {
    const response = await fetch(`${host.url}/admin/functions/workItems`, {
      method: 'POST',
      headers: { 'x-functions-key': 'fixture-key-from-file', 'content-type': 'application/json' },
      body: JSON.stringify({ input: '{"hello":"admin"}' }),
    });
    expect(response.status).toBe(202);
    const entry = await waitFor('the manual invocation', async () =>
      (await seen()).find((item) => JSON.stringify(item.body) === '{"hello":"admin"}'),
    );
    expect(entry).toMatchObject({ trigger: 'queue', deliveryCount: 1 });
  });

  it('passes bytes to a binary trigger and reads topic subscriptions', async () => {
    const bytes = Buffer.from([0x00, 0xff, 0x10, 0x80]);
    await client.createSender('raw').sendMessages({ body: bytes, messageId: 'raw-1' });
    await client.createSender('events').sendMessages({ body: 'just text', messageId: 'topic-1' });
    const raw = await waitFor('raw-1', async () => (await seenFor('raw-1'))[0]);
    expect(raw.body).toEqual({ bytes: bytes.toString('base64') });
    const topic = await waitFor('topic-1', async () => (await seenFor('topic-1'))[0]);
    expect(topic).toMatchObject({ trigger: 'topic', body: 'just text', deliveryCount: 1 });
  });

  // Last: it stops the host.
  it('on SIGTERM lets a running invocation finish and completes its message before exiting', async () => {
    await client
      .createSender('work')
      .sendMessages({ body: { command: 'slow', ms: 1_500 }, messageId: 'shutdown-1' });
    await waitFor('shutdown-1 to start', async () => (await seenFor('shutdown-1')).length > 0);
    expect(await host.stop()).toBe(0);
    expect(host.logs()).toMatch(
      /Executed 'Functions\.workItems' \(Succeeded[^\n]*\n(?:.*\n)*.*Dev host stopped\./,
    );
    // Completed, not abandoned or left to its lock: nothing comes back.
    expect(await activeCount('work')).toBe(0);
    expect(await storedCount('work', { subQueueType: 'deadLetter' })).toBe(0);
  });
});
