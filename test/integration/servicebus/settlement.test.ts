import {
  isServiceBusError,
  type ServiceBusReceivedMessage,
  type ServiceBusReceiver,
} from '@azure/service-bus';
import { waitFor } from '../../support/wait';
import { configWith, startHarness, type Harness } from './support/emulator';

let h: Harness;

beforeAll(async () => {
  h = await startHarness(
    configWith({
      completed: {},
      abandoned: { MaxDeliveryCount: 10 },
      deferred: {},
      deadlettered: {},
      viaManagement: {},
      poison: { MaxDeliveryCount: 2 },
      longRunning: { MaxSizeInMegabytes: 64 },
    }),
  );
});
afterAll(() => h.close());

async function receiveOne(receiver: ServiceBusReceiver): Promise<ServiceBusReceivedMessage> {
  return waitFor('a message', async () => (await receiver.receiveMessages(1, { maxWaitTimeInMs: 500 }))[0]);
}

describe('settlement', () => {
  it('complete removes the message; settling it again fails', async () => {
    await h.client.createSender('completed').sendMessages({ body: 'done' });
    const receiver = h.client.createReceiver('completed');
    const message = await receiveOne(receiver);
    await receiver.completeMessage(message);
    expect(await receiver.peekMessages(5)).toEqual([]);
    const error = await receiver.completeMessage(message).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/deleted or already settled/);
  });

  it('abandon makes it available again with deliveryCount + 1 and the modified properties', async () => {
    await h.client
      .createSender('abandoned')
      .sendMessages({ body: 'again', applicationProperties: { keep: 'yes' } });
    const receiver = h.client.createReceiver('abandoned');
    const first = await receiveOne(receiver);
    expect(first.deliveryCount).toBe(0);
    await receiver.abandonMessage(first, { reason: 'busy', attempt: 1 });
    const second = await receiveOne(receiver);
    expect(second.messageId).toBe(first.messageId);
    expect(second.sequenceNumber!.toNumber()).toBe(first.sequenceNumber!.toNumber());
    expect(second.deliveryCount).toBe(1);
    expect(second.applicationProperties).toEqual({ keep: 'yes', reason: 'busy', attempt: 1 });
    expect(second.lockToken).not.toBe(first.lockToken);
    await receiver.completeMessage(second);
  });

  it('defer hides the message until receiveDeferredMessages, settled over $management', async () => {
    await h.client.createSender('deferred').sendMessages([{ body: 'later' }, { body: 'next' }]);
    const receiver = h.client.createReceiver('deferred');
    const message = await receiveOne(receiver);
    expect(message.body).toBe('later');
    await receiver.deferMessage(message, { why: 'waiting' });
    const next = await receiveOne(receiver);
    expect(next.body).toBe('next');
    await receiver.completeMessage(next);
    const [peeked] = await receiver.peekMessages(1, { fromSequenceNumber: message.sequenceNumber! });
    expect(peeked!.state).toBe('deferred');
    const [deferred] = await receiver.receiveDeferredMessages(message.sequenceNumber!);
    expect(deferred!.body).toBe('later');
    expect(deferred!.applicationProperties).toEqual({ why: 'waiting' });
    expect(deferred!.lockToken).toEqual(expect.any(String));
    expect(deferred!.deliveryCount).toBe(1); // the delivery it was deferred from counts
    await receiver.abandonMessage(deferred!);
    const [stillDeferred] = await receiver.receiveDeferredMessages(message.sequenceNumber!);
    expect(stillDeferred!.deliveryCount).toBe(2);
    await receiver.completeMessage(stillDeferred!);
    const error = await receiver.receiveDeferredMessages(message.sequenceNumber!).catch((e: unknown) => e);
    expect(isServiceBusError(error) && error.code).toBe('MessageNotFound');
  });

  it('deadLetter moves it to $DeadLetterQueue with reason, description and source', async () => {
    await h.client
      .createSender('deadlettered')
      .sendMessages({ body: 'bad', messageId: 'dl-1', applicationProperties: { a: 1 } });
    const receiver = h.client.createReceiver('deadlettered');
    const message = await receiveOne(receiver);
    await receiver.deadLetterMessage(message, {
      deadLetterReason: 'Invalid',
      deadLetterErrorDescription: 'no total',
      extra: 'x',
    });
    expect(await receiver.peekMessages(5)).toEqual([]);
    const dlq = h.client.createReceiver('deadlettered', { subQueueType: 'deadLetter' });
    const dead = await receiveOne(dlq);
    expect(dead).toMatchObject({
      body: 'bad',
      messageId: 'dl-1',
      deadLetterReason: 'Invalid',
      deadLetterErrorDescription: 'no total',
      deadLetterSource: 'deadlettered',
    });
    expect(dead.applicationProperties).toMatchObject({ a: 1, extra: 'x' });
    await dlq.completeMessage(dead);
    expect(
      await h.newClient().createReceiver('deadlettered', { subQueueType: 'deadLetter' }).peekMessages(5),
    ).toEqual([]);
  });

  it('refuses to dead-letter a message of the dead-letter queue, and keeps it', async () => {
    await h.client.createSender('deadlettered').sendMessages({ body: 'twice', messageId: 'dl-2' });
    const receiver = h.client.createReceiver('deadlettered');
    await receiver.deadLetterMessage(await receiveOne(receiver));
    const dlq = h.client.createReceiver('deadlettered', { subQueueType: 'deadLetter' });
    const dead = await receiveOne(dlq);
    const error = await dlq.deadLetterMessage(dead).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    const peeked = await h
      .newClient()
      .createReceiver('deadlettered', { subQueueType: 'deadLetter' })
      .peekMessages(5);
    expect(peeked.map((m) => m.messageId)).toEqual(['dl-2']);
  });

  it('opens the transfer dead-letter sub-queue (empty: nothing is forwarded)', async () => {
    const transfer = h.client.createReceiver('deadlettered', { subQueueType: 'transferDeadLetter' });
    expect(await transfer.receiveMessages(1, { maxWaitTimeInMs: 200 })).toEqual([]);
    expect(await transfer.peekMessages(5)).toEqual([]);
  });

  it('settles deferred messages over $management update-disposition', async () => {
    await h.client.createSender('viaManagement').sendMessages([{ body: 1 }, { body: 2 }]);
    const receiver = h.newClient().createReceiver('viaManagement');
    const messages = await waitFor('two messages', async () => {
      const got = await receiver.receiveMessages(2, { maxWaitTimeInMs: 500 });
      return got.length === 2 ? got : undefined;
    });
    // Messages got by sequence number have no delivery on a link: they settle through $management.
    await receiver.deferMessage(messages[0]!);
    await receiver.deferMessage(messages[1]!);
    const deferred = await receiver.receiveDeferredMessages([
      messages[0]!.sequenceNumber!,
      messages[1]!.sequenceNumber!,
    ]);
    await receiver.completeMessage(deferred[0]!);
    await receiver.deadLetterMessage(deferred[1]!, {
      deadLetterReason: 'ByManagement',
      deadLetterErrorDescription: 'update-disposition',
    });
    expect(await receiver.peekMessages(5)).toEqual([]);
    const [dead] = await h.client
      .createReceiver('viaManagement', { subQueueType: 'deadLetter' })
      .peekMessages(1);
    expect(dead).toMatchObject({
      body: 2,
      deadLetterReason: 'ByManagement',
      deadLetterErrorDescription: 'update-disposition',
    });
  });

  it('dead-letters with MaxDeliveryCountExceeded after MaxDeliveryCount abandons', async () => {
    await h.client.createSender('poison').sendMessages({ body: 'poison' });
    const receiver = h.client.createReceiver('poison');
    await receiver.abandonMessage(await receiveOne(receiver));
    await receiver.abandonMessage(await receiveOne(receiver));
    expect(await receiver.receiveMessages(1, { maxWaitTimeInMs: 300 })).toEqual([]);
    const dead = await receiveOne(h.client.createReceiver('poison', { subQueueType: 'deadLetter' }));
    expect(dead).toMatchObject({
      body: 'poison',
      deliveryCount: 2,
      deadLetterReason: 'MaxDeliveryCountExceeded',
      deadLetterSource: 'poison',
    });
  });

  it('keeps a subscribe() receiver going past 2048 settled messages on one link', async () => {
    // A long-running consumer (the Functions host's trigger) must never stall: every delivery the
    // client settled has to leave the AMQP session's window, or the link stops at its size.
    const total = 2_100;
    const sender = h.client.createSender('longRunning');
    for (let start = 0; start < total; start += 300) {
      const batch = await sender.createMessageBatch();
      for (let i = start; i < Math.min(start + 300, total); i++) batch.tryAddMessage({ body: i });
      await sender.sendMessages(batch);
    }
    const receiver = h.client.createReceiver('longRunning');
    let completed = 0;
    const subscription = receiver.subscribe(
      {
        processMessage: async () => {
          completed += 1;
        },
        processError: async () => undefined,
      },
      { autoCompleteMessages: true, maxConcurrentCalls: 16 },
    );
    try {
      await waitFor(`all ${total} messages completed (got ${completed})`, () => completed >= total, {
        timeoutMs: 45_000,
      });
    } finally {
      await subscription.close();
      await receiver.close();
    }
    expect(completed).toBe(total);
  }, 60_000);
});
