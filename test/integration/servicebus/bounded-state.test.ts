import { ServiceBusClient } from '@azure/service-bus';
import { DEFAULT_KEY, DEFAULT_KEY_NAME } from '../../../local/servicebus-emulator';
import { AmqpServer } from '../../../local/servicebus-emulator/amqp/amqpServer';
import { buildRegistry } from '../../../local/servicebus-emulator/broker/buildRegistry';
import type { EntityRegistry } from '../../../local/servicebus-emulator/broker/entityRegistry';
import { loadConfig } from '../../../local/servicebus-emulator/config/load';
import { createLogger } from '../../../local/servicebus-emulator/log';
import { getFreePort, waitFor } from '../../support/wait';
import { configWith, FAST_CLIENT_OPTIONS } from './support/emulator';

/**
 * Nothing the emulator keeps per message, link or connection outlives it: after real SDK traffic
 * (sends, peek-lock receive and complete, scheduled and cancelled messages, short-lived receivers
 * and connections) the queue's indexes hold no entries for settled messages and the server no
 * state for closed links. The server is built here (not through start()) to read those sizes.
 */
let registry: EntityRegistry;
let server: AmqpServer;
let connectionString: string;

beforeAll(async () => {
  registry = buildRegistry(
    loadConfig(
      configWith({
        work: {
          DefaultMessageTimeToLive: 'P14D',
          RequiresDuplicateDetection: true,
          DuplicateDetectionHistoryTimeWindow: 'PT10M',
        },
      }),
    ),
  );
  server = new AmqpServer({
    registry,
    keyName: DEFAULT_KEY_NAME,
    key: DEFAULT_KEY,
    log: createLogger('quiet'),
  });
  const port = await server.listen(await getFreePort(), '127.0.0.1');
  connectionString = `Endpoint=sb://localhost:${port};SharedAccessKeyName=${DEFAULT_KEY_NAME};SharedAccessKey=${DEFAULT_KEY};UseDevelopmentEmulator=true;`;
});
afterAll(async () => {
  const closed = server.close();
  registry.close();
  await closed;
});

it('keeps no per-message, per-link or per-connection state after the traffic is settled and closed', async () => {
  const queue = registry.queue('work')!;
  const client = new ServiceBusClient(connectionString, FAST_CLIENT_OPTIONS);
  const sender = client.createSender('work');
  const total = 1500;
  for (let sent = 0; sent < total;) {
    const batch = await sender.createMessageBatch();
    while (sent < total && batch.tryAddMessage({ body: `m-${sent}`, messageId: `m-${sent}` })) sent += 1;
    await sender.sendMessages(batch);
  }
  const scheduled = await sender.scheduleMessages(
    Array.from({ length: 50 }, (_, i) => ({ body: `later-${i}` })),
    new Date(Date.now() + 60 * 60_000),
  );
  await sender.cancelScheduledMessages(scheduled);

  const receiver = client.createReceiver('work');
  let completed = 0;
  await waitFor(
    'every message received and completed',
    async () => {
      const messages = await receiver.receiveMessages(100, { maxWaitTimeInMs: 500 });
      await Promise.all(messages.map((message) => receiver.completeMessage(message)));
      completed += messages.length;
      return completed === total;
    },
    { timeoutMs: 60_000, intervalMs: 1 },
  );
  for (let i = 0; i < 10; i++) {
    const probe = client.createReceiver('work');
    expect(await probe.peekMessages(1)).toEqual([]);
    await probe.close();
  }
  for (let i = 0; i < 3; i++) {
    const other = new ServiceBusClient(connectionString, FAST_CLIENT_OPTIONS);
    await other
      .createSender('work')
      .sendMessages({ body: 'from another connection', messageId: `other-${i}` });
    await other.close();
  }
  const last = await receiver.receiveMessages(3, { maxWaitTimeInMs: 2000 });
  await Promise.all(last.map((message) => receiver.completeMessage(message)));
  expect(last).toHaveLength(3);

  expect(queue.store.messageCount).toBe(0);
  const indexes = queue.store.indexSizes;
  expect(indexes.locks).toBe(0);
  // 1,553 messages went through; the indexes hold at most the slack before a compaction pass.
  expect(
    Math.max(indexes.available, indexes.scheduled, indexes.lockExpiries, indexes.expiries),
  ).toBeLessThanOrEqual(1024);
  // Duplicate detection remembers the ids for its window, as Service Bus does.
  expect(queue.duplicateHistorySize).toBe(total + 50 + 3);

  await client.close();
  await waitFor('the server to forget the closed connections and links', () => {
    const sizes = server.stateSizes;
    return sizes.connections === 0 && sizes.deliveryLinks === 0 && sizes.entityWatches === 0;
  });
  expect(queue.closing.listenerCount).toBe(0);
});
