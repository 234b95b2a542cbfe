import type { ServiceBusReceivedMessage, ServiceBusReceiver } from '@azure/service-bus';
import { waitFor } from '../../support/wait';
import { configWith, startHarness, type Harness } from './support/emulator';

let h: Harness;

beforeAll(async () => {
  h = await startHarness(
    configWith({
      expiresToDlq: { DeadLetteringOnMessageExpiration: true },
      expiresAndDrops: {},
      defaultTtl: { DefaultMessageTimeToLive: 'PT0.3S', DeadLetteringOnMessageExpiration: true },
      scheduled: {},
      cancelled: {},
    }),
  );
});
afterAll(() => h.close());

async function receiveOne(receiver: ServiceBusReceiver): Promise<ServiceBusReceivedMessage> {
  return waitFor('a message', async () => (await receiver.receiveMessages(1, { maxWaitTimeInMs: 300 }))[0]);
}

describe('time to live', () => {
  it('dead-letters expired messages with TTLExpiredException when DeadLetteringOnMessageExpiration is set', async () => {
    await h.client.createSender('expiresToDlq').sendMessages([
      { body: 'short', timeToLive: 200 },
      { body: 'long', timeToLive: 60_000 },
    ]);
    const dead = await receiveOne(h.client.createReceiver('expiresToDlq', { subQueueType: 'deadLetter' }));
    expect(dead).toMatchObject({
      body: 'short',
      deadLetterReason: 'TTLExpiredException',
      deadLetterSource: 'expiresToDlq',
    });
    const live = await h.client
      .createReceiver('expiresToDlq', { receiveMode: 'receiveAndDelete' })
      .receiveMessages(5, { maxWaitTimeInMs: 500 });
    expect(live.map((m) => m.body)).toEqual(['long']);
  });

  it('drops expired messages otherwise, and never delivers them', async () => {
    const sentAt = Date.now();
    await h.client.createSender('expiresAndDrops').sendMessages({ body: 'gone', timeToLive: 150 });
    await waitFor('the message to pass its expiry', () => Date.now() > sentAt + 300);
    const receiver = h.client.createReceiver('expiresAndDrops');
    expect(await receiver.receiveMessages(1, { maxWaitTimeInMs: 300 })).toEqual([]);
    expect(await receiver.peekMessages(5)).toEqual([]);
    expect(
      await h.client.createReceiver('expiresAndDrops', { subQueueType: 'deadLetter' }).peekMessages(5),
    ).toEqual([]);
  });

  it('applies the entity DefaultMessageTimeToLive as an upper bound', async () => {
    await h.client.createSender('defaultTtl').sendMessages({ body: 'capped', timeToLive: 3_600_000 });
    const dead = await receiveOne(h.client.createReceiver('defaultTtl', { subQueueType: 'deadLetter' }));
    expect(dead).toMatchObject({ body: 'capped', deadLetterReason: 'TTLExpiredException' });
  });
});

describe('scheduled messages', () => {
  it('scheduleMessages and scheduledEnqueueTimeUtc deliver at their time, not before', async () => {
    const sender = h.client.createSender('scheduled');
    const at = new Date(Date.now() + 800);
    const [sequenceNumber] = await sender.scheduleMessages({ body: 'by schedule' }, at);
    await sender.sendMessages({ body: 'by property', scheduledEnqueueTimeUtc: new Date(at.getTime() + 100) });
    expect(sequenceNumber!.toNumber()).toBeGreaterThan(0);
    const receiver = h.client.createReceiver('scheduled', { receiveMode: 'receiveAndDelete' });
    const [peeked] = await receiver.peekMessages(1);
    expect(peeked).toMatchObject({ body: 'by schedule', state: 'scheduled' });
    const arrivals: Array<{ body: unknown; at: number; scheduled: number }> = [];
    await waitFor('both scheduled messages', async () => {
      for (const m of await receiver.receiveMessages(2, { maxWaitTimeInMs: 100 })) {
        arrivals.push({ body: m.body, at: Date.now(), scheduled: m.scheduledEnqueueTimeUtc!.getTime() });
      }
      return arrivals.length >= 2;
    });
    expect(arrivals.map((a) => a.body)).toEqual(['by schedule', 'by property']);
    for (const arrival of arrivals) {
      expect(arrival.at).toBeGreaterThanOrEqual(arrival.scheduled);
    }
  });

  // How soon after its time a message arrives is speed: npm run bench:scheduled measures it.
  it('the broker does not activate a scheduled message before its time', async () => {
    const receiver = h.client.createReceiver('scheduled', { receiveMode: 'receiveAndDelete' });
    const arrived = new Promise<number>((resolve) => {
      receiver.subscribe({
        processMessage: async () => resolve(Date.now()),
        processError: async () => undefined,
      });
    });
    const at = Date.now() + 500;
    await h.client.createSender('scheduled').scheduleMessages({ body: 'punctual' }, new Date(at));
    const lateness = (await arrived) - at;
    await receiver.close();
    expect(lateness).toBeGreaterThanOrEqual(0);
  });

  it('cancelScheduledMessages removes a scheduled message', async () => {
    const sender = h.client.createSender('cancelled');
    const at = new Date(Date.now() + 1000);
    const [cancelled] = await sender.scheduleMessages({ body: 'never' }, at);
    await sender.scheduleMessages({ body: 'kept' }, at);
    await sender.cancelScheduledMessages(cancelled!);
    const receiver = h.client.createReceiver('cancelled', { receiveMode: 'receiveAndDelete' });
    const got = await receiveOne(receiver);
    expect(got.body).toBe('kept');
    expect(await receiver.receiveMessages(1, { maxWaitTimeInMs: 300 })).toEqual([]);
  });
});
