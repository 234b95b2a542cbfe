import {
  isServiceBusError,
  ServiceBusClient,
  type ServiceBusReceivedMessage,
  type ServiceBusSessionReceiver,
} from '@azure/service-bus';
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

async function receiveAll(
  receiver: ServiceBusSessionReceiver,
  expected: number,
): Promise<ServiceBusReceivedMessage[]> {
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
    expect(audit.sessionLockedUntilUtc.getTime()).toBeGreaterThan(Date.now() + 3000);
    const drained = await receiveAll(audit, 3);
    expect(drained.map((m) => m.body)).toEqual(['a1', 'a2', 'a3']);
    expect(drained.every((m) => m.sessionId === 'orders/audit')).toBe(true);
    for (const message of drained) await audit.completeMessage(message);
    expect(await audit.receiveMessages(5, { maxWaitTimeInMs: 200 })).toEqual([]);
    await audit.close();

    // A plain receiver may peek a session queue across its sessions (no session lock needed).
    const everything = await h.newClient().createReceiver('deadletters').peekMessages(10);
    expect(everything.map((m) => [m.sessionId, m.body])).toEqual([
      ['orders/billing', 'b1'],
      ['orders/billing', 'b2'],
    ]);
    const billing = await h.client.acceptSession('deadletters', 'orders/billing');
    const left = await billing.peekMessages(10);
    expect(left.map((m) => m.body)).toEqual(['b1', 'b2']);
    const rest = await receiveAll(billing, 2);
    for (const message of rest) await billing.completeMessage(message);
    await billing.close();
  });
});

describe('sessions: acceptNextSession', () => {
  it('locks the session with the oldest message first, then the next one, then times out with ServiceTimeout', async () => {
    await h.client.createSender('nextup').sendMessages([
      { body: 'x1', sessionId: 'x' },
      { body: 'y1', sessionId: 'y' },
      { body: 'x2', sessionId: 'x' },
    ]);
    const first = await h.client.acceptNextSession('nextup');
    const second = await h.client.acceptNextSession('nextup');
    expect([first.sessionId, second.sessionId]).toEqual(['x', 'y']);
    const fromX = await receiveAll(first, 2);
    const fromY = await receiveAll(second, 1);
    expect(fromX.map((m) => m.body)).toEqual(['x1', 'x2']);
    expect(fromY.map((m) => m.body)).toEqual(['y1']);
    for (const message of fromX) await first.completeMessage(message);
    await second.completeMessage(fromY[0]!);

    const impatient = new ServiceBusClient(h.emulator.connectionString, {
      retryOptions: { maxRetries: 0, timeoutInMs: 1000 },
    });
    try {
      const startedAt = Date.now();
      const none = await failure(impatient.acceptNextSession('nextup'));
      expect(none.code).toBe('ServiceTimeout');
      // The emulator waited for a session (as Service Bus does) instead of failing at once.
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(800);
    } finally {
      await impatient.close();
    }
    await first.close();
    await second.close();
  });

  it('waits for a session that gets its first message while the receiver is waiting', async () => {
    const waiting = h.client.acceptNextSession('nextup');
    await waitFor('the accept to wait at the emulator', () => h.emulator.waitingSessionAccepts('nextup') > 0);
    await h.client.createSender('nextup').sendMessages({ body: 'late', sessionId: 'late-session' });
    const receiver = await waiting;
    expect(receiver.sessionId).toBe('late-session');
    const [message] = await receiveAll(receiver, 1);
    expect(message!.body).toBe('late');
    await receiver.completeMessage(message!);
    await receiver.close();
  });
});

describe('sessions: one receiver per session', () => {
  it('refuses a second receiver on a locked session with SessionCannotBeLocked, and hands the session on when the first closes', async () => {
    await h.client.createSender('fifo').sendMessages({ body: 'contended', sessionId: 'one-at-a-time' });
    const holder = await h.client.acceptSession('fifo', 'one-at-a-time');
    const [held] = await receiveAll(holder, 1);
    const refused = await failure(h.newClient().acceptSession('fifo', 'one-at-a-time'));
    expect(refused.code).toBe('SessionCannotBeLocked');
    await holder.close();
    // Closing the receiver released its lock; the unsettled message comes back, one delivery counted.
    const next = await h.newClient().acceptSession('fifo', 'one-at-a-time');
    const [again] = await receiveAll(next, 1);
    expect(again).toMatchObject({ messageId: held!.messageId, body: 'contended', deliveryCount: 1 });
    await next.completeMessage(again!);
    await next.close();
  });
});

describe('sessions: what does not fit', () => {
  it('refuses a message without sessionId on a session queue with Service Bus words', async () => {
    const refused = await failure(h.client.createSender('fifo').sendMessages({ body: 'no session' }));
    expect(refused.message).toContain(
      'The SessionId was not set on a message, and it cannot be sent to the entity',
    );
    const scheduled = await failure(
      h.client.createSender('fifo').scheduleMessages({ body: 'no session' }, new Date(Date.now() + 60_000)),
    );
    expect(scheduled.message).toContain('The SessionId was not set on a message');
    // A batch with one such message is refused whole: nothing of it is enqueued.
    const batch = await failure(
      h.client
        .createSender('fifo')
        .sendMessages([{ body: 'fine', sessionId: 'batch' }, { body: 'no session' }]),
    );
    expect(batch.message).toContain('The SessionId was not set on a message');
    const batchSession = await h.newClient().acceptSession('fifo', 'batch');
    expect(await batchSession.peekMessages(5)).toEqual([]);
    await batchSession.close();
  });

  it('refuses a plain receiver on a session queue and a session receiver on a plain queue', async () => {
    const plainOnSessions = await failure(
      h.client.createReceiver('fifo').receiveMessages(1, { maxWaitTimeInMs: 300 }),
    );
    expect(plainOnSessions.message).toContain('requires sessions');
    // The emulator detaches saying the queue does not require sessions; the SDK, seeing no
    // session echoed, reports its own SessionCannotBeLocked first.
    const sessionOnPlain = await failure(h.client.acceptSession('plain', 'any'));
    expect(sessionOnPlain.code).toBe('SessionCannotBeLocked');
  });
});

describe('sessions: settlement within a session', () => {
  it('keeps FIFO across abandon, and dead-letters after MaxDeliveryCount with the sessionId kept', async () => {
    await h.client.createSender('fifo').sendMessages([
      { body: 'first', sessionId: 'poison' },
      { body: 'second', sessionId: 'poison' },
    ]);
    const receiver = await h.client.acceptSession('fifo', 'poison');
    for (let attempt = 0; attempt < 3; attempt++) {
      const [head] = await receiveAll(receiver, 1);
      // An abandoned message goes back to the head of its session, ahead of 'second'.
      expect(head).toMatchObject({ body: 'first', deliveryCount: attempt });
      await receiver.abandonMessage(head!);
    }
    const [second] = await receiveAll(receiver, 1);
    expect(second).toMatchObject({ body: 'second', deliveryCount: 0 });
    await receiver.deadLetterMessage(second!, {
      deadLetterReason: 'Unprocessable',
      deadLetterErrorDescription: 'by hand',
    });
    await receiver.close();

    const dlq = h.client.createReceiver('fifo', { subQueueType: 'deadLetter' });
    const dead: ServiceBusReceivedMessage[] = [];
    await waitFor('two dead letters', async () => {
      dead.push(...(await dlq.receiveMessages(2, { maxWaitTimeInMs: 300 })));
      return dead.length >= 2;
    });
    expect(dead.map((m) => [m.body, m.sessionId, m.deadLetterReason])).toEqual([
      ['first', 'poison', 'MaxDeliveryCountExceeded'],
      ['second', 'poison', 'Unprocessable'],
    ]);
    for (const message of dead) await dlq.completeMessage(message);
  });

  it('defers within a session: only a receiver holding that session gets the message back', async () => {
    await h.client.createSender('fifo').sendMessages({ body: 'later', sessionId: 'deferring' });
    const receiver = await h.client.acceptSession('fifo', 'deferring');
    const [message] = await receiveAll(receiver, 1);
    await receiver.deferMessage(message!);
    const seq = message!.sequenceNumber!;
    const other = await h.client.acceptSession('fifo', 'someone-else');
    const elsewhere = await failure(other.receiveDeferredMessages(seq));
    expect(elsewhere.code).toBe('MessageNotFound');
    await other.close();
    const [deferred] = await receiver.receiveDeferredMessages(seq);
    expect(deferred).toMatchObject({ body: 'later', sessionId: 'deferring' });
    await receiver.completeMessage(deferred!);
    expect(await receiver.peekMessages(5)).toEqual([]);
    await receiver.close();
  });

  it('peeks only the messages of the receiver’s session', async () => {
    await h.client.createSender('fifo').sendMessages([
      { body: 'p1', sessionId: 'peek-a' },
      { body: 'q1', sessionId: 'peek-b' },
      { body: 'p2', sessionId: 'peek-a' },
    ]);
    const receiver = await h.newClient().acceptSession('fifo', 'peek-a');
    expect((await receiver.peekMessages(10)).map((m) => m.body)).toEqual(['p1', 'p2']);
    const drained = await receiveAll(receiver, 2);
    for (const message of drained) await receiver.completeMessage(message);
    await receiver.close();
    const b = await h.newClient().acceptSession('fifo', 'peek-b');
    const [q1] = await receiveAll(b, 1);
    await b.completeMessage(q1!);
    await b.close();
  });
});

describe('sessions: scheduled messages and receiveAndDelete', () => {
  it('a scheduled message joins its session when due; receiveAndDelete takes messages for good', async () => {
    const sender = h.client.createSender('fifo');
    const at = new Date(Date.now() + 800);
    await sender.scheduleMessages({ body: 'scheduled', sessionId: 'timed' }, at);
    await sender.sendMessages({ body: 'now', sessionId: 'timed' });
    const receiver = await h.client.acceptSession('fifo', 'timed', { receiveMode: 'receiveAndDelete' });
    const got = await receiveAll(receiver, 2);
    expect(got.map((m) => m.body).sort()).toEqual(['now', 'scheduled']);
    expect(Date.now()).toBeGreaterThanOrEqual(at.getTime());
    await receiver.close();
    // receiveAndDelete took them: nothing comes back once the session is released.
    const again = await h.client.acceptSession('fifo', 'timed');
    expect(await again.receiveMessages(5, { maxWaitTimeInMs: 200 })).toEqual([]);
    await again.close();
  });
});
