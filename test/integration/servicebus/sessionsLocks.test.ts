import {
  isServiceBusError,
  type ServiceBusReceivedMessage,
  type ServiceBusSessionReceiver,
} from '@azure/service-bus';
import { waitFor } from '../../support/wait';
import { configWith, startHarness, type Harness } from './support/emulator';

let h: Harness;

beforeAll(async () => {
  h = await startHarness(
    configWith({
      // Two seconds leave room for a loaded machine between receiving and renewing.
      short: { RequiresSession: true, LockDuration: 'PT2S' },
      stateful: { RequiresSession: true, LockDuration: 'PT2S' },
    }),
  );
});
afterAll(() => h.close());

async function receiveOne(receiver: ServiceBusSessionReceiver): Promise<ServiceBusReceivedMessage> {
  return waitFor('a message', async () => (await receiver.receiveMessages(1, { maxWaitTimeInMs: 300 }))[0]);
}

async function errorCode(promise: Promise<unknown>): Promise<string | false> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof Error)) throw new Error('expected the call to fail');
  return isServiceBusError(error) && error.code;
}

describe('session locks', () => {
  it('renewSessionLock extends the lock; once it expires, settling fails with SessionLockLost and the message goes to the next receiver', async () => {
    await h.client.createSender('short').sendMessages({ body: 'slow work', sessionId: 's1' });
    const receiver = await h.client.acceptSession('short', 's1', { maxAutoLockRenewalDurationInMs: 0 });
    const firstUntil = receiver.sessionLockedUntilUtc.getTime();
    const message = await receiveOne(receiver);
    expect(Math.abs(message.lockedUntilUtc!.getTime() - firstUntil)).toBeLessThan(50);

    await waitFor('half the lock duration', () => Date.now() > firstUntil - 1000);
    await receiver.renewSessionLock();
    const renewedUntil = receiver.sessionLockedUntilUtc.getTime();
    expect(renewedUntil).toBeGreaterThan(firstUntil + 500);
    await waitFor('the first lock time to pass', () => Date.now() > firstUntil + 100);
    // Still held: nobody else may take the session.
    expect(await errorCode(h.newClient().acceptSession('short', 's1'))).toBe('SessionCannotBeLocked');

    await waitFor('the renewed lock to expire', () => Date.now() > renewedUntil + 100);
    expect(await errorCode(receiver.completeMessage(message))).toBe('SessionLockLost');
    const next = await waitFor('the session to be free', () =>
      h
        .newClient()
        .acceptSession('short', 's1')
        .catch(() => undefined),
    );
    const again = await receiveOne(next);
    expect(again).toMatchObject({ messageId: message.messageId, deliveryCount: 1 });
    await next.completeMessage(again);
    await next.close();
  });

  it('the SDK renews the session lock by itself while the receiver is open', async () => {
    await h.client.createSender('short').sendMessages({ body: 'long job', sessionId: 's2' });
    const receiver = await h.client.acceptSession('short', 's2', { maxAutoLockRenewalDurationInMs: 10_000 });
    const message = await receiveOne(receiver);
    const firstUntil = receiver.sessionLockedUntilUtc.getTime();
    await waitFor('the first lock to pass', () => Date.now() > firstUntil + 500, { timeoutMs: 5000 });
    await receiver.completeMessage(message);
    expect(receiver.sessionLockedUntilUtc.getTime()).toBeGreaterThan(firstUntil);
    await receiver.close();
  });
});

describe('session state', () => {
  it('is kept with the session between receivers, and cleared by setting null', async () => {
    await h.client.createSender('stateful').sendMessages({ body: 'step 1', sessionId: 'order-7' });
    const first = await h.client.acceptSession('stateful', 'order-7');
    expect(await first.getSessionState()).toBeNull();
    await first.setSessionState(JSON.stringify({ step: 1, total: 42 }));
    await first.completeMessage(await receiveOne(first));
    await first.close();

    const second = await h.newClient().acceptSession('stateful', 'order-7');
    const state = (await second.getSessionState()) as Buffer;
    expect(JSON.parse(Buffer.from(state).toString('utf8'))).toEqual({ step: 1, total: 42 });
    await second.setSessionState(null);
    expect(await second.getSessionState()).toBeNull();
    await second.close();
  });

  it('needs the session lock: after it expired, get and set fail with SessionLockLost', async () => {
    const receiver = await h.client.acceptSession('stateful', 'expiring-state', {
      maxAutoLockRenewalDurationInMs: 0,
    });
    const until = receiver.sessionLockedUntilUtc.getTime();
    await waitFor('the session lock to expire', () => Date.now() > until + 100);
    expect(await errorCode(receiver.getSessionState())).toBe('SessionLockLost');
    expect(await errorCode(receiver.setSessionState('late'))).toBe('SessionLockLost');
    expect(await errorCode(receiver.renewSessionLock())).toBe('SessionLockLost');
  });
});
