import {
  ServiceBusAdministrationClient,
  type ServiceBusReceivedMessage,
  type ServiceBusReceiver,
} from '@azure/service-bus';
import { emulatorHttpPolicy } from '../../../local/servicebus-emulator';
import { waitFor } from '../../support/wait';
import { configWith, startHarness, type Harness } from './support/emulator';

let h: Harness;

beforeAll(async () => {
  h = await startHarness(
    configWith({}, [
      {
        Name: 'routed',
        Subscriptions: [
          {
            Name: 'by-session',
            Properties: { RequiresSession: true, LockDuration: 'PT5S', MaxDeliveryCount: 2 },
          },
          { Name: 'everything' },
        ],
      },
    ]),
  );
});
afterAll(() => h.close());

async function receiveN(
  receiver: ServiceBusReceiver,
  expected: number,
): Promise<ServiceBusReceivedMessage[]> {
  const got: ServiceBusReceivedMessage[] = [];
  await waitFor(`${expected} messages`, async () => {
    got.push(...(await receiver.receiveMessages(expected - got.length, { maxWaitTimeInMs: 300 })));
    return got.length >= expected;
  });
  return got;
}

describe('sessions on topic subscriptions', () => {
  it('copies into the session subscription by session, drained one session at a time, while a plain subscription gets everything', async () => {
    await h.client.createSender('routed').sendMessages([
      { body: 1, sessionId: 'tenant-a' },
      { body: 2, sessionId: 'tenant-b' },
      { body: 3, sessionId: 'tenant-a' },
    ]);
    const tenantA = await h.client.acceptSession('routed', 'by-session', 'tenant-a');
    const fromA = await receiveN(tenantA, 2);
    expect(fromA.map((m) => m.body)).toEqual([1, 3]);
    for (const message of fromA) await tenantA.completeMessage(message);
    await tenantA.close();

    const next = await h.client.acceptNextSession('routed', 'by-session');
    expect(next.sessionId).toBe('tenant-b');
    const [fromB] = await receiveN(next, 1);
    await next.completeMessage(fromB!);
    await next.close();

    const all = await receiveN(
      h.client.createReceiver('routed', 'everything', { receiveMode: 'receiveAndDelete' }),
      3,
    );
    expect(all.map((m) => m.body)).toEqual([1, 2, 3]);
  });

  it('dead-letters, in the session subscription only, a topic message without sessionId', async () => {
    await h.client.createSender('routed').sendMessages({ body: 'sessionless', messageId: 'no-session-1' });
    const plain = await receiveN(
      h.client.createReceiver('routed', 'everything', { receiveMode: 'receiveAndDelete' }),
      1,
    );
    expect(plain[0]!.body).toBe('sessionless');
    const dlq = h.client.createReceiver('routed', 'by-session', { subQueueType: 'deadLetter' });
    const [dead] = await receiveN(dlq, 1);
    expect(dead).toMatchObject({
      messageId: 'no-session-1',
      deadLetterReason: 'Session id is null.',
      deadLetterErrorDescription:
        "Session enabled entity doesn't allow a message whose session identifier is null.",
      deadLetterSource: 'routed/Subscriptions/by-session',
    });
    await dlq.completeMessage(dead!);
  });

  it('abandons within a subscription session up to MaxDeliveryCount, then dead-letters it', async () => {
    await h.client.createSender('routed').sendMessages({ body: 'crashy', sessionId: 'tenant-c' });
    await receiveN(h.client.createReceiver('routed', 'everything', { receiveMode: 'receiveAndDelete' }), 1);
    const receiver = await h.client.acceptSession('routed', 'by-session', 'tenant-c');
    for (let attempt = 0; attempt < 2; attempt++) {
      const [message] = await receiveN(receiver, 1);
      expect(message!.deliveryCount).toBe(attempt);
      await receiver.abandonMessage(message!);
    }
    expect(await receiver.receiveMessages(1, { maxWaitTimeInMs: 200 })).toEqual([]);
    await receiver.close();
    const dlq = h.client.createReceiver('routed', 'by-session', { subQueueType: 'deadLetter' });
    const [dead] = await receiveN(dlq, 1);
    expect(dead).toMatchObject({
      body: 'crashy',
      sessionId: 'tenant-c',
      deadLetterReason: 'MaxDeliveryCountExceeded',
    });
    await dlq.completeMessage(dead!);
  });
});

describe('session entities created at run time', () => {
  it('behave like configured ones: a session queue and a session subscription made through ServiceBusAdministrationClient', async () => {
    const admin = new ServiceBusAdministrationClient(h.emulator.adminConnectionString, {
      retryOptions: { maxRetries: 0 },
    });
    admin.pipeline.addPolicy(emulatorHttpPolicy);
    const queue = await admin.createQueue('runtime-sessions', {
      requiresSession: true,
      lockDuration: 'PT5S',
    });
    expect(queue.requiresSession).toBe(true);
    await admin.createSubscription('routed', 'runtime-by-session', { requiresSession: true });

    await h.client.createSender('runtime-sessions').sendMessages([
      { body: 'r1', sessionId: 'k' },
      { body: 'other', sessionId: 'j' },
      { body: 'r2', sessionId: 'k' },
    ]);
    const k = await h.client.acceptSession('runtime-sessions', 'k');
    const fromK = await receiveN(k, 2);
    expect(fromK.map((m) => m.body)).toEqual(['r1', 'r2']);
    for (const message of fromK) await k.completeMessage(message);
    await k.close();
    expect(
      (await h.newClient().createReceiver('runtime-sessions').peekMessages(10)).map((m) => m.body),
    ).toEqual(['other']);

    await h.client.createSender('routed').sendMessages({ body: 'to the new subscription', sessionId: 'z' });
    const z = await h.client.acceptNextSession('routed', 'runtime-by-session');
    expect(z.sessionId).toBe('z');
    const [message] = await receiveN(z, 1);
    await z.completeMessage(message!);
    await z.close();
    await admin.deleteSubscription('routed', 'runtime-by-session');
    await receiveN(h.client.createReceiver('routed', 'everything', { receiveMode: 'receiveAndDelete' }), 1);
  });
});
