import { isServiceBusError, type ServiceBusReceivedMessage } from '@azure/service-bus';
import { waitFor } from '../../support/wait';
import { configWith, startHarness, type Harness } from './support/emulator';

let h: Harness;

beforeAll(async () => {
  h = await startHarness(
    configWith({
      deduplicated: { RequiresDuplicateDetection: true, DuplicateDetectionHistoryTimeWindow: 'PT1S' },
      notDeduplicated: {},
      small: { MaxSizeInMegabytes: 1 },
      shared: { LockDuration: 'PT30S' },
      sequenced: {},
    }),
  );
});
afterAll(() => h.close());

describe('duplicate detection', () => {
  it('drops a repeated messageId within DuplicateDetectionHistoryTimeWindow, accepts it after', async () => {
    const sender = h.client.createSender('deduplicated');
    await sender.sendMessages([
      { body: 'first', messageId: 'same' },
      { body: 'other', messageId: 'different' },
    ]);
    await sender.sendMessages({ body: 'second', messageId: 'same' });
    expect((await h.client.createReceiver('deduplicated').peekMessages(10)).map((m) => m.body)).toEqual([
      'first',
      'other',
    ]);
    const sentAt = Date.now();
    await waitFor('the window to pass', () => Date.now() > sentAt + 1100);
    await sender.sendMessages({ body: 'third', messageId: 'same' });
    // A fresh connection: the SDK keeps one peek cursor per entity and connection.
    expect((await h.newClient().createReceiver('deduplicated').peekMessages(10)).map((m) => m.body)).toEqual([
      'first',
      'other',
      'third',
    ]);
  });

  it('keeps repeated ids when the queue does not require duplicate detection', async () => {
    const sender = h.client.createSender('notDeduplicated');
    await sender.sendMessages({ body: 1, messageId: 'same' });
    await sender.sendMessages({ body: 2, messageId: 'same' });
    expect((await h.client.createReceiver('notDeduplicated').peekMessages(10)).map((m) => m.body)).toEqual([
      1, 2,
    ]);
  });
});

describe('bounded entities', () => {
  it('refuses sends with QuotaExceeded when the entity (with its dead letters) is full, accepts again once drained', async () => {
    const sender = h.client.createSender('small');
    const payload = Buffer.alloc(200 * 1024, 7);
    let error: unknown;
    let accepted = 0;
    for (let i = 0; i < 8 && !error; i++) {
      try {
        await sender.sendMessages({ body: payload });
        accepted += 1;
      } catch (caught) {
        error = caught;
      }
    }
    expect(accepted).toBe(5);
    expect(isServiceBusError(error) && error.code).toBe('QuotaExceeded');
    // Dead-lettered messages still count toward the entity's size...
    const receiver = h.client.createReceiver('small');
    const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 1000 });
    await receiver.deadLetterMessage(message!, {
      deadLetterReason: 'test',
      deadLetterErrorDescription: 'quota',
    });
    const stillFull = await sender.sendMessages({ body: payload }).catch((e: unknown) => e);
    expect(isServiceBusError(stillFull) && stillFull.code).toBe('QuotaExceeded');
    // ...until they are removed from the dead-letter queue.
    const dlq = h.client.createReceiver('small', {
      subQueueType: 'deadLetter',
      receiveMode: 'receiveAndDelete',
    });
    expect(await dlq.receiveMessages(1, { maxWaitTimeInMs: 1000 })).toHaveLength(1);
    await sender.sendMessages({ body: payload });
  });
});

describe('sequence numbers and concurrency', () => {
  it('numbers messages monotonically per entity across concurrent senders', async () => {
    const senders = Array.from({ length: 4 }, () => h.newClient().createSender('sequenced'));
    await Promise.all(
      senders.map((sender, s) =>
        sender.sendMessages(Array.from({ length: 25 }, (_, i) => ({ body: `${s}-${i}` }))),
      ),
    );
    const receiver = h.client.createReceiver('sequenced', { receiveMode: 'receiveAndDelete' });
    const got: ServiceBusReceivedMessage[] = [];
    await waitFor('100 messages', async () => {
      got.push(...(await receiver.receiveMessages(100, { maxWaitTimeInMs: 300 })));
      return got.length >= 100;
    });
    const sequence = got.map((m) => m.sequenceNumber!.toNumber());
    expect(sequence).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    const enqueued = got.map((m) => m.enqueuedTimeUtc!.getTime());
    expect(enqueued).toEqual([...enqueued].sort((a, b) => a - b));
  });

  it('serves many connections at once, and a slow consumer does not block the others', async () => {
    const sender = h.client.createSender('shared');
    const slow = h.newClient().createReceiver('shared');
    await sender.sendMessages(Array.from({ length: 5 }, (_, i) => ({ body: `held-${i}` })));
    const held = await waitFor('the slow consumer to hold five messages', async () => {
      const got = await slow.receiveMessages(5, { maxWaitTimeInMs: 300 });
      return got.length > 0 ? got : undefined;
    });
    await sender.sendMessages(Array.from({ length: 40 }, (_, i) => ({ body: i })));
    const clients = Array.from({ length: 20 }, () => h.newClient());
    const seen = new Set<unknown>();
    await Promise.all(
      clients.map(async (client) => {
        const receiver = client.createReceiver('shared');
        while (seen.size < 40) {
          for (const message of await receiver.receiveMessages(5, { maxWaitTimeInMs: 200 })) {
            if (typeof message.body === 'number') seen.add(message.body);
            await receiver.completeMessage(message);
          }
        }
      }),
    );
    expect(seen.size).toBe(40);
    for (const message of held) await slow.completeMessage(message);
  });
});
