import {
  ServiceBusClient,
  type ServiceBusReceivedMessage,
  type ServiceBusReceiver,
} from '@azure/service-bus';
import { QUEUES } from '../../../shared/config/names';
import type { DeadLetterMessage, DeliveryMessage } from '../../../shared/domain/types';
import { Bus, MessageTooLargeError } from '../../../shared/bus/Bus';
import { createServiceBusClient } from '../../../shared/bus/serviceBusClient';
import { start, type EmulatorHandle } from '../../../local/servicebus-emulator';
import { waitFor } from '../../support/wait';

const dedupe = { RequiresDuplicateDetection: true, DuplicateDetectionHistoryTimeWindow: 'PT10M' };

let emulator: EmulatorHandle;
let client: ServiceBusClient;
let bus: Bus;
const receivers: ServiceBusReceiver[] = [];

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
              { Name: QUEUES.ingress, Properties: dedupe },
              { Name: QUEUES.deliveries, Properties: dedupe },
              { Name: QUEUES.deadletters },
              { Name: 'orders-out' },
            ],
            Topics: [{ Name: 'orders-topic', Subscriptions: [{ Name: 'all' }] }],
          },
        ],
      },
    },
  });
  client = new ServiceBusClient(emulator.connectionString);
  bus = new Bus(
    createServiceBusClient({
      kind: 'connectionString',
      setting: 'ServiceBusConnection',
      connectionString: emulator.connectionString,
    }),
  );
});

afterAll(async () => {
  await Promise.allSettled(receivers.map((receiver) => receiver.close()));
  await bus?.close();
  await client?.close();
  await emulator?.close();
});

function receiver(queue: string, subscription?: string): ServiceBusReceiver {
  const created = subscription
    ? client.createReceiver(queue, subscription, { receiveMode: 'receiveAndDelete' })
    : client.createReceiver(queue, { receiveMode: 'receiveAndDelete' });
  receivers.push(created);
  return created;
}

/** Receives until `count` messages have arrived (or fails after the timeout). */
async function receiveCount(from: ServiceBusReceiver, count: number): Promise<ServiceBusReceivedMessage[]> {
  const received: ServiceBusReceivedMessage[] = [];
  await waitFor(`${count} messages`, async () => {
    received.push(...(await from.receiveMessages(count - received.length, { maxWaitTimeInMs: 500 })));
    return received.length >= count;
  });
  return received;
}

function delivery(deliveryId: string, attempt = 1, padding = 0): DeliveryMessage {
  return {
    deliveryId,
    eventKey: `ev-${deliveryId}`,
    topic: 'orders',
    subscription: 'audit',
    attempt,
    firstAttemptAt: new Date().toISOString(),
    event: {
      specversion: '1.0',
      id: deliveryId,
      source: '/shop',
      type: 'order.created',
      data: 'x'.repeat(padding),
    },
  };
}

describe('Bus against the Service Bus emulator', () => {
  it('sends many deliveries in as many batches as needed, with id, content type and properties', async () => {
    // 300 x ~3 KB is ~900 KB: more than one 256 KB batch.
    const messages = Array.from({ length: 300 }, (_, i) => delivery(`d-${i}`, 1, 3000));
    await bus.sendDeliveries(messages);

    const received = await receiveCount(receiver(QUEUES.deliveries), 300);
    expect(received.map((m) => m.messageId).sort()).toEqual(messages.map((m) => `${m.deliveryId}:1`).sort());
    const first = received.find((m) => m.messageId === 'd-0:1');
    expect(first?.contentType).toBe('application/json');
    expect(first?.applicationProperties).toEqual({
      deliveryId: 'd-0',
      topic: 'orders',
      subscription: 'audit',
      eventKey: 'ev-d-0',
      attempt: 1,
    });
    expect(first?.body).toEqual(messages[0]);
  });

  it('sends no second copy of the same attempt (duplicate detection on the message id)', async () => {
    const deliveries = receiver(QUEUES.deliveries);
    await bus.sendDeliveries([delivery('dup', 1)]);
    await bus.sendDeliveries([delivery('dup', 1)]); // a re-run of route after a crash
    await bus.sendDeliveries([delivery('dup', 2)]); // the next attempt is a different message
    await bus.sendDeliveries([delivery('after-dup', 1)]);

    const received = await receiveCount(deliveries, 3);
    expect(received.map((m) => m.messageId)).toEqual(['dup:1', 'dup:2', 'after-dup:1']);
  });

  it('schedules a retry: it arrives no earlier than asked', async () => {
    const at = new Date(Date.now() + 1500);
    await bus.scheduleDelivery(delivery('later', 2), at);

    const [message] = await receiveCount(receiver(QUEUES.deliveries), 1);
    expect(Date.now()).toBeGreaterThanOrEqual(at.getTime() - 50);
    expect(message?.messageId).toBe('later:2');
    expect(message?.scheduledEnqueueTimeUtc?.getTime()).toBe(at.getTime());
  });

  it('sends dead letters with their reason', async () => {
    const deadLetter: DeadLetterMessage = {
      ...delivery('dead', 3),
      reason: 'PermanentFailure',
      description: 'HTTP 400 from the webhook',
      deadLetteredAt: new Date().toISOString(),
    };
    await bus.sendDeadLetter(deadLetter);
    const [message] = await receiveCount(receiver(QUEUES.deadletters), 1);
    expect(message?.body).toEqual(deadLetter);
    expect(message?.applicationProperties?.reason).toBe('PermanentFailure');
  });

  it('sends to queue and topic destinations, and a batch of ingress events', async () => {
    await bus.sendToQueue('orders-out', { body: { hello: 'queue' }, contentType: 'application/json' });
    await bus.sendToTopic('orders-topic', { body: { hello: 'topic' }, contentType: 'application/json' });
    await bus.sendIngress([
      { body: { id: 'e1' }, messageId: 'e1', applicationProperties: { topic: 'orders' } },
      { body: { id: 'e2' }, messageId: 'e2', applicationProperties: { topic: 'orders' } },
    ]);

    expect((await receiveCount(receiver('orders-out'), 1))[0]?.body).toEqual({ hello: 'queue' });
    expect((await receiveCount(receiver('orders-topic', 'all'), 1))[0]?.body).toEqual({ hello: 'topic' });
    const ingress = await receiveCount(receiver(QUEUES.ingress), 2);
    expect(ingress.map((m) => m.body)).toEqual([{ id: 'e1' }, { id: 'e2' }]);
  });

  it('sends what concurrent callers send in the same turn together; an oversized message fails only its caller', async () => {
    const deliveries = receiver(QUEUES.deliveries);
    const outcomes = await Promise.allSettled([
      bus.sendDeliveries([delivery('together-1', 1)]),
      bus.sendDeliveries([delivery('too-big', 1, 300_000)]),
      bus.sendDeliveries([delivery('together-2', 1), delivery('together-3', 1)]),
    ]);

    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(MessageTooLargeError);
    const received = await receiveCount(deliveries, 3);
    expect(received.map((m) => m.messageId)).toEqual(['together-1:1', 'together-2:1', 'together-3:1']);
    expect(await deliveries.receiveMessages(1, { maxWaitTimeInMs: 300 })).toEqual([]);
  });

  it('refuses a message too large for Service Bus instead of sending part of a batch', async () => {
    await expect(bus.sendDeliveries([delivery('huge', 1, 300_000)])).rejects.toBeInstanceOf(
      MessageTooLargeError,
    );
  });
});
