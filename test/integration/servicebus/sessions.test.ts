import { isServiceBusError, type ServiceBusReceivedMessage, type ServiceBusSessionReceiver } from '@azure/service-bus';
import { waitFor } from '../../support/wait';
import { configWith, startHarness, type Harness } from './support/emulator';

let h: Harness;

beforeAll(async () => {
  h = await startHarness(
    configWith({
      deadletters: { RequiresSession: true, LockDuration: 'PT5S' },
      fifo: { RequiresSession: true, LockDuration: 'PT5S', MaxDeliveryCount: 3 },
      nextup: { RequiresSession: true },
      plain: {},
    }),
  );
});
afterAll(() => h.close());

async function receiveAll(receiver: ServiceBusSessionReceiver, expected: number): Promise<ServiceBusReceivedMessage[]> {
  const got: ServiceBusReceivedMessage[] = [];
  await waitFor(`${expected} messages in session ${receiver.sessionId}`, async () => {
    got.push(...(await receiver.receiveMessages(expected - got.length, { maxWaitTimeInMs: 300 })));
    return got.length >= expected;
  });
  return got;
}

async function failure(promise: Promise<unknown>): Promise<{ code: string | false; message: string }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof Error)) throw new Error('expected the call to fail');
  return { code: isServiceBusError(error) && error.code, message: error.message };
}

describe('sessions: accepting and draining', () => {
  it('acceptSession drains one session in order while the other sessions stay', async () => {
    const sender = h.client.createSender('deadletters');
    await sender.sendMessages([
      { body: 'a1', sessionId: 'orders/audit' },
      { body: 'b1', sessionId: 'orders/billing' },
      { body: 'a2', sessionId: 'orders/audit' },
      { body: 'b2', sessionId: 'orders/billing' },
      { body: 'a3', sessionId: 'orders/audit' },
    ]);
    const audit = await h.client.acceptSession('deadletters', 'orders/audit');
    expect(audit.sessionId).toBe('orders/audit');
    expect(audit.sessionLockedUntilUtc!.getTime()).toBeGreaterThan(Date.now() + 3000);
    const drained = await receiveAll(audit, 3);
    expect(drained.map((m) => m.body)).toEqual(['a1', 'a2', 'a3']);
    expect(drained.every((m) => m.sessionId === 'orders/audit')).toBe(true);
    for (const message of drained) await audit.completeMessage(message);
    expect(await audit.receiveMessages(5, { maxWaitTimeInMs: 200 })).toEqual([]);
    await audit.close();

    const billing = await h.client.acceptSession('deadletters', 'orders/billing');
    const left = await billing.peekMessages(10);
    expect(left.map((m) => m.body)).toEqual(['b1', 'b2']);
    const rest = await receiveAll(billing, 2);
    for (const message of rest) await billing.completeMessage(message);
    await billing.close();
  });
});
