import { isServiceBusError, type ServiceBusReceivedMessage } from '@azure/service-bus';
import { waitFor } from '../../support/wait';
import { configWith, startHarness, type Harness } from './support/emulator';

let h: Harness;

beforeAll(async () => {
  h = await startHarness(
    configWith({
      props: { LockDuration: 'PT30S' },
      batches: {},
      deleted: {},
      streamed: {},
      drained: {},
      peeked: {},
      fifo: {},
      big: {},
    }),
  );
});
afterAll(() => h.close());

describe('sending and receiving through @azure/service-bus', () => {
  it('round-trips message properties, annotations and body types', async () => {
    const sender = h.client.createSender('props');
    const receiver = h.client.createReceiver('props');
    const scheduled = new Date(Date.now() - 1000);
    const before = Date.now();
    await sender.sendMessages([
      {
        body: { order: 42, items: ['a', 'b'] },
        messageId: 'm-1',
        correlationId: 'c-1',
        subject: 'order.created',
        contentType: 'application/json',
        to: 'someone',
        replyTo: 'replies',
        timeToLive: 60_000,
        partitionKey: 'pk-1',
        scheduledEnqueueTimeUtc: scheduled,
        applicationProperties: { topic: 'orders', n: 7, yes: true, when: new Date(1_700_000_000_000) },
      },
      { body: 'plain text' },
      { body: Buffer.from([1, 2, 3]) },
      { body: 12.5 },
    ]);
    const messages = await receiver.receiveMessages(4, { maxWaitTimeInMs: 2000 });
    while (messages.length < 4)
      messages.push(...(await receiver.receiveMessages(4 - messages.length, { maxWaitTimeInMs: 2000 })));
    const [first, second, third, fourth] = messages as [
      ServiceBusReceivedMessage,
      ServiceBusReceivedMessage,
      ServiceBusReceivedMessage,
      ServiceBusReceivedMessage,
    ];
    expect(first.body).toEqual({ order: 42, items: ['a', 'b'] });
    expect(first).toMatchObject({
      messageId: 'm-1',
      correlationId: 'c-1',
      subject: 'order.created',
      contentType: 'application/json',
      to: 'someone',
      replyTo: 'replies',
      timeToLive: 60_000,
      partitionKey: 'pk-1',
      deliveryCount: 0,
      applicationProperties: { topic: 'orders', n: 7, yes: true, when: 1_700_000_000_000 },
    });
    expect(first.scheduledEnqueueTimeUtc?.getTime()).toBe(scheduled.getTime());
    expect(first.enqueuedTimeUtc!.getTime()).toBeGreaterThanOrEqual(before - 5);
    expect(first.expiresAtUtc!.getTime()).toBe(first.enqueuedTimeUtc!.getTime() + 60_000);
    expect(first.lockedUntilUtc!.getTime()).toBeGreaterThan(Date.now() + 20_000);
    expect(first.lockToken).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(second.body).toBe('plain text');
    expect(second.messageId).toEqual(expect.any(String));
    expect(Buffer.from(third.body as Uint8Array)).toEqual(Buffer.from([1, 2, 3]));
    expect(fourth.body).toBe(12.5);
    const sequence = messages.map((m) => m.sequenceNumber!.toNumber());
    expect(sequence).toEqual([...sequence].sort((a, b) => a - b));
    expect(new Set(sequence).size).toBe(4);
    for (const message of messages) await receiver.completeMessage(message);
  });

  it('round-trips AMQP value and sequence bodies', async () => {
    const sender = h.client.createSender('props');
    const receiver = h.client.createReceiver('props', { receiveMode: 'receiveAndDelete' });
    await sender.sendMessages({ body: { kind: 'value', list: [1, 2] }, bodyType: 'value' });
    await sender.sendMessages({ body: [[1, 'two']], bodyType: 'sequence' });
    const got: ServiceBusReceivedMessage[] = [];
    await waitFor('two messages', async () => {
      got.push(...(await receiver.receiveMessages(2, { maxWaitTimeInMs: 500 })));
      return got.length >= 2;
    });
    expect(got.map((m) => m.body)).toEqual([{ kind: 'value', list: [1, 2] }, [[1, 'two']]]);
    expect(got.map((m) => m._rawAmqpMessage.bodyType)).toEqual(['value', 'sequence']);
  });

  it('sends batches made with createMessageBatch, honouring the 256 KB limit', async () => {
    const sender = h.client.createSender('batches');
    const batch = await sender.createMessageBatch();
    expect(batch.maxSizeInBytes).toBe(256 * 1024);
    for (let i = 0; i < 50; i++)
      expect(batch.tryAddMessage({ body: `m${i}`, applicationProperties: { i } })).toBe(true);
    expect(batch.tryAddMessage({ body: 'x'.repeat(300 * 1024) })).toBe(false);
    await sender.sendMessages(batch);
    const receiver = h.client.createReceiver('batches', { receiveMode: 'receiveAndDelete' });
    const got: ServiceBusReceivedMessage[] = [];
    await waitFor('50 batched messages', async () => {
      got.push(...(await receiver.receiveMessages(50, { maxWaitTimeInMs: 500 })));
      return got.length >= 50;
    });
    expect(got.map((m) => m.body)).toEqual(Array.from({ length: 50 }, (_, i) => `m${i}`));
    expect(got.map((m) => m.applicationProperties?.i)).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('refuses a message over 256 KB with MessageSizeExceeded', async () => {
    const sender = h.client.createSender('big');
    const error = await sender.sendMessages({ body: Buffer.alloc(300 * 1024, 1) }).catch((e: unknown) => e);
    expect(isServiceBusError(error) && error.code).toBe('MessageSizeExceeded');
    await sender.sendMessages({ body: Buffer.alloc(200 * 1024, 1) });
    const [message] = await h.client
      .createReceiver('big', { receiveMode: 'receiveAndDelete' })
      .receiveMessages(1, { maxWaitTimeInMs: 2000 });
    expect((message!.body as Buffer).length).toBe(200 * 1024);
  });

  it('receiveAndDelete removes messages on delivery', async () => {
    await h.client.createSender('deleted').sendMessages([{ body: 1 }, { body: 2 }]);
    const receiver = h.client.createReceiver('deleted', { receiveMode: 'receiveAndDelete' });
    const got = await waitFor('both messages', async () => {
      const batch = await receiver.receiveMessages(2, { maxWaitTimeInMs: 1000 });
      return batch.length === 2 ? batch : undefined;
    });
    expect(got.map((m) => m.body)).toEqual([1, 2]);
    expect(got[0]!.lockToken).toBeUndefined();
    expect(await h.client.createReceiver('deleted').peekMessages(10)).toEqual([]);
  });

  it('ends a batch receive with drain and keeps the link usable', async () => {
    const sender = h.client.createSender('drained');
    const receiver = h.client.createReceiver('drained', { receiveMode: 'receiveAndDelete' });
    expect(await receiver.receiveMessages(5, { maxWaitTimeInMs: 300 })).toEqual([]);
    await sender.sendMessages([{ body: 'a' }, { body: 'b' }, { body: 'c' }]);
    const first = await receiver.receiveMessages(10, { maxWaitTimeInMs: 1000 });
    const rest = first.length < 3 ? await receiver.receiveMessages(10, { maxWaitTimeInMs: 1000 }) : [];
    expect([...first, ...rest].map((m) => m.body)).toEqual(['a', 'b', 'c']);
    await sender.sendMessages({ body: 'd' });
    const later = await receiver.receiveMessages(10, { maxWaitTimeInMs: 1000 });
    expect(later.map((m) => m.body)).toEqual(['d']);
  });

  it('streams messages to subscribe() handlers', async () => {
    const receiver = h.client.createReceiver('streamed');
    const seen: unknown[] = [];
    const subscription = receiver.subscribe(
      {
        processMessage: async (message) => {
          seen.push(message.body);
        },
        processError: async () => undefined,
      },
      { autoCompleteMessages: true },
    );
    await h.client.createSender('streamed').sendMessages(Array.from({ length: 20 }, (_, i) => ({ body: i })));
    await waitFor('20 streamed messages', () => seen.length >= 20);
    await subscription.close();
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => i));
    await waitFor(
      'queue emptied by auto-complete',
      async () => (await receiver.peekMessages(5)).length === 0,
    );
  });

  it('peeks without locking, from a sequence number, in pages', async () => {
    await h.client.createSender('peeked').sendMessages(Array.from({ length: 5 }, (_, i) => ({ body: i })));
    const receiver = h.client.createReceiver('peeked');
    const firstPage = await receiver.peekMessages(3);
    const secondPage = await receiver.peekMessages(3);
    expect(firstPage.map((m) => m.body)).toEqual([0, 1, 2]);
    expect(secondPage.map((m) => m.body)).toEqual([3, 4]);
    const fromThird = await receiver.peekMessages(10, { fromSequenceNumber: firstPage[2]!.sequenceNumber! });
    expect(fromThird.map((m) => m.body)).toEqual([2, 3, 4]);
    expect(firstPage[0]!.lockToken).toBeUndefined();
    const received = await receiver.receiveMessages(5, { maxWaitTimeInMs: 1000 });
    expect(received[0]!.body).toBe(0);
  });

  it('delivers FIFO within a queue, apart from retries', async () => {
    const sender = h.client.createSender('fifo');
    for (let i = 0; i < 10; i++) await sender.sendMessages({ body: i });
    const receiver = h.client.createReceiver('fifo');
    const [head] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 1000 });
    expect(head!.body).toBe(0);
    await receiver.abandonMessage(head!);
    const bodies: unknown[] = [];
    await waitFor('all ten', async () => {
      for (const m of await receiver.receiveMessages(10, { maxWaitTimeInMs: 300 })) {
        bodies.push(m.body);
        await receiver.completeMessage(m);
      }
      return bodies.length >= 10;
    });
    expect(bodies).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});
