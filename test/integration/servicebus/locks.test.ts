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
      expiring: { LockDuration: 'PT1S', MaxDeliveryCount: 5 },
      renewed: { LockDuration: 'PT2S' },
      abandonedByTimeout: { LockDuration: 'PT0.5S', MaxDeliveryCount: 2 },
    }),
  );
});
afterAll(() => h.close());

async function receiveOne(
  receiver: ServiceBusReceiver,
  timeoutMs = 5000,
): Promise<ServiceBusReceivedMessage> {
  return waitFor('a message', async () => (await receiver.receiveMessages(1, { maxWaitTimeInMs: 500 }))[0], {
    timeoutMs,
  });
}

describe('message locks', () => {
  it('honours LockDuration: an expired lock redelivers with deliveryCount + 1 and settling fails with MessageLockLost', async () => {
    await h.client.createSender('expiring').sendMessages({ body: 'slow' });
    const receiver = h.client.createReceiver('expiring', { maxAutoLockRenewalDurationInMs: 0 });
    const askedAt = Date.now();
    const first = await receiveOne(receiver);
    // Locked for LockDuration (1 s) from the moment it was handed out.
    expect(first.lockedUntilUtc!.getTime()).toBeGreaterThanOrEqual(askedAt + 1000 - 20);
    expect(first.lockedUntilUtc!.getTime()).toBeLessThanOrEqual(Date.now() + 1000 + 20);
    const other = h.newClient().createReceiver('expiring');
    const second = await receiveOne(other);
    expect(Date.now()).toBeGreaterThanOrEqual(first.lockedUntilUtc!.getTime() - 20);
    expect(second.messageId).toBe(first.messageId);
    expect(second.deliveryCount).toBe(1);
    const error = await receiver.completeMessage(first).catch((e: unknown) => e);
    expect(isServiceBusError(error) && error.code).toBe('MessageLockLost');
    await other.completeMessage(second);
  });

  it('renewMessageLock extends the lock so the message is not redelivered', async () => {
    await h.client.createSender('renewed').sendMessages({ body: 'long job' });
    const receiver = h.client.createReceiver('renewed', { maxAutoLockRenewalDurationInMs: 0 });
    const message = await receiveOne(receiver);
    const originalUntil = message.lockedUntilUtc!.getTime();
    await waitFor('half the lock duration', () => Date.now() > originalUntil - 1000);
    const renewedUntil = await receiver.renewMessageLock(message);
    expect(renewedUntil.getTime()).toBeGreaterThan(originalUntil + 500);
    await waitFor('the original lock to pass', () => Date.now() > originalUntil + 100);
    expect(
      await h.newClient().createReceiver('renewed').receiveMessages(1, { maxWaitTimeInMs: 200 }),
    ).toEqual([]);
    await receiver.completeMessage(message);
  });

  it('renewing a lost lock fails with MessageLockLost', async () => {
    await h.client.createSender('renewed').sendMessages({ body: 'forgotten' });
    const receiver = h.client.createReceiver('renewed', { maxAutoLockRenewalDurationInMs: 0 });
    const message = await receiveOne(receiver);
    await waitFor('lock expiry', () => Date.now() > message.lockedUntilUtc!.getTime() + 50);
    const error = await receiver.renewMessageLock(message).catch((e: unknown) => e);
    expect(isServiceBusError(error) && error.code).toBe('MessageLockLost');
    await receiver.completeMessage(await receiveOne(receiver));
  });

  it('lock expiries count toward MaxDeliveryCount, then the message is dead-lettered', async () => {
    await h.client.createSender('abandonedByTimeout').sendMessages({ body: 'crashy' });
    const receiver = h.client.createReceiver('abandonedByTimeout', { maxAutoLockRenewalDurationInMs: 0 });
    const first = await receiveOne(receiver);
    const second = await receiveOne(receiver);
    expect([first.deliveryCount, second.deliveryCount]).toEqual([0, 1]);
    const dlq = h.client.createReceiver('abandonedByTimeout', { subQueueType: 'deadLetter' });
    const dead = await receiveOne(dlq);
    expect(dead).toMatchObject({
      body: 'crashy',
      deadLetterReason: 'MaxDeliveryCountExceeded',
      deliveryCount: 2,
    });
  });
});
