import type { ServiceBusMessage } from '@azure/service-bus';
import type {
  DeadLetterMessage,
  DeliveryMessage,
  DeliveryRecord,
  EventRecord,
  RouteFailure,
} from '../../../shared/domain/types';
import { originalFromDeadLetter } from '../../../shared/pipeline/ingressDeadLetter';
import {
  type Disposition,
  type NativeDeadLetter,
  type NativeQueue,
  reconcile,
  type ReconcileDependencies,
} from '../../../shared/pipeline/reconcile';
import { planAttempt } from '../../../shared/store/deliveryAttempts';

const NOW = new Date('2026-01-01T12:00:00Z');

const delivery: DeliveryMessage = {
  deliveryId: 'dlv_1',
  eventKey: 'key1',
  topic: 'orders',
  subscription: 'hook',
  attempt: 2,
  firstAttemptAt: '2026-01-01T11:00:00Z',
  payloadRef: 'payloads/key1',
};

function retryingRecord(overrides: Partial<DeliveryRecord> = {}): DeliveryRecord {
  return {
    id: 'dlv_1',
    deliveryId: 'dlv_1',
    eventKey: 'key1',
    topic: 'orders',
    subscription: 'hook',
    status: 'retrying',
    attempts: [
      { n: 1, at: '2026-01-01T11:00:00Z', outcome: 'retryableFailure', durationMs: 5, httpStatus: 503 },
    ],
    createdAt: '2026-01-01T11:00:00Z',
    updatedAt: '2026-01-01T11:00:00Z',
    nextAttemptAt: '2026-01-01T11:00:10Z',
    ...overrides,
  };
}

/** Reconcile's dependencies over in-memory sub-queues and records (records as DeliveryStore keeps them). */
function fakeReconcile(native: Partial<Record<NativeQueue, NativeDeadLetter[]>>) {
  const records = new Map<string, DeliveryRecord>();
  const events = new Map<string, EventRecord>();
  const routeFailures = new Map<string, RouteFailure>();
  const rawDeadLetters: ServiceBusMessage[] = [];
  const deadLetters: DeadLetterMessage[] = [];
  const sent: DeliveryMessage[] = [];
  const left: NativeDeadLetter[] = [];
  let ids = 0;
  const dependencies: ReconcileDependencies = {
    async drainNativeDeadLetters(queue, max, handle: (message: NativeDeadLetter) => Promise<Disposition>) {
      const counts = { handled: 0, left: 0, failed: 0 };
      for (const message of (native[queue] ?? []).splice(0, max)) {
        try {
          const disposition = await handle(message);
          counts[disposition] += 1;
          if (disposition === 'left') left.push(message);
        } catch {
          counts.failed += 1;
        }
      }
      return counts;
    },
    sendRawDeadLetter: async (message) => void rawDeadLetters.push(message),
    sendDeadLetter: async (message) => void deadLetters.push(message),
    sendDeliveries: async (messages) => void sent.push(...messages),
    getDelivery: async (_eventKey, deliveryId) => records.get(deliveryId),
    createDeliveryIfAbsent: async (record) => {
      const existing = records.get(record.deliveryId);
      if (existing) return { record: existing, created: false };
      records.set(record.deliveryId, record);
      return { record, created: true };
    },
    recordAttempt: async (_eventKey, deliveryId, attempt, update) => {
      const current = records.get(deliveryId)!;
      const plan = planAttempt(current, attempt, update, NOW.toISOString());
      if (plan.kind === 'write') records.set(deliveryId, plan.next);
      return records.get(deliveryId)!;
    },
    listOverdueRetries: async (dueBefore) =>
      [...records.values()].filter(
        (record) => record.status === 'retrying' && record.nextAttemptAt! < dueBefore.toISOString(),
      ),
    markRetryReenqueued: async (_eventKey, deliveryId, nextAttemptAt) => {
      const record = records.get(deliveryId)!;
      records.set(deliveryId, { ...record, nextAttemptAt });
    },
    getEvent: async (eventKey) => events.get(eventKey),
    getRouteFailure: async (messageId) => routeFailures.get(messageId),
    newMessageId: () => `id-${(ids += 1)}`,
    now: () => NOW,
  };
  return { dependencies, records, events, routeFailures, rawDeadLetters, deadLetters, sent, left };
}

const GRACE = { graceMs: 15 * 60_000 };

describe('reconcile: poisoned deliveries', () => {
  it('dead-letters a delivery whose payload vanished, with the error deliver kept', async () => {
    const fake = fakeReconcile({
      deliveries: [
        {
          body: Buffer.from(JSON.stringify(delivery)),
          applicationProperties: {},
          deadLetterReason: 'MaxDeliveryCountExceeded',
          deliveryCount: 10,
        },
      ],
    });
    fake.records.set(
      'dlv_1',
      retryingRecord({
        lastInvocationError: {
          at: '2026-01-01T11:00:11Z',
          attempt: 2,
          deliveryCount: 10,
          error: 'claim-check payload payloads/key1 not found',
        },
      }),
    );
    const report = await reconcile(fake.dependencies, GRACE);
    expect(report.deliveries).toEqual({ handled: 1, left: 0, failed: 0 });
    const record = fake.records.get('dlv_1')!;
    expect(record.status).toBe('deadLettered');
    expect(record.nextAttemptAt).toBeUndefined();
    expect(record.deadLetter?.reason).toBe('ProcessingFailed');
    expect(record.deadLetter?.description).toContain('claim-check payload payloads/key1 not found');
    expect(record.deadLetter?.description).toContain('MaxDeliveryCountExceeded');
    expect(record.attempts.map((attempt) => attempt.n)).toEqual([1, 2]);
    // In the subscription's dead letters, so redrive takes it.
    expect(fake.deadLetters).toEqual([
      expect.objectContaining({
        deliveryId: 'dlv_1',
        attempt: 2,
        payloadRef: 'payloads/key1',
        reason: 'ProcessingFailed',
      }),
    ]);
    // Nothing left overdue afterwards.
    expect(report.overdueRetries).toEqual({ reenqueued: 0, deadLettered: 0, failed: 0 });
  });

  it('creates the record when deliver failed before it made one', async () => {
    const fake = fakeReconcile({
      deliveries: [
        {
          body: { ...delivery, attempt: 1 },
          applicationProperties: {},
          deadLetterReason: 'MaxDeliveryCountExceeded',
        },
      ],
    });
    await reconcile(fake.dependencies, GRACE);
    expect(fake.records.get('dlv_1')).toMatchObject({
      status: 'deadLettered',
      topic: 'orders',
      subscription: 'hook',
    });
  });

  it('takes off a message whose attempt was recorded after all, without a dead letter', async () => {
    const fake = fakeReconcile({
      deliveries: [{ body: { ...delivery, attempt: 1 }, applicationProperties: {} }],
    });
    fake.records.set('dlv_1', retryingRecord({ nextAttemptAt: '2026-01-01T11:59:59Z' }));
    const report = await reconcile(fake.dependencies, GRACE);
    expect(report.deliveries.handled).toBe(1);
    expect(fake.deadLetters).toEqual([]);
    expect(fake.records.get('dlv_1')!.status).toBe('retrying');
  });

  it('leaves a message that is no delivery message where it is', async () => {
    const fake = fakeReconcile({
      deliveries: [{ body: Buffer.from('not json'), applicationProperties: {} }],
    });
    const report = await reconcile(fake.dependencies, GRACE);
    expect(report.deliveries).toEqual({ handled: 0, left: 1, failed: 0 });
  });
});

describe('reconcile: ingress poison', () => {
  it('becomes an ingress dead letter in the $ingress session that carries the whole original', async () => {
    const body = Buffer.from(JSON.stringify({ specversion: '1.0', id: 'e1', source: '/s', type: 't' }));
    const fake = fakeReconcile({
      ingress: [
        {
          body,
          messageId: 'key1',
          contentType: 'application/cloudevents+json',
          applicationProperties: { topic: 'orders', payloadRef: 'ref' },
          deadLetterReason: 'MaxDeliveryCountExceeded',
          deliveryCount: 10,
        },
      ],
    });
    const report = await reconcile(fake.dependencies, GRACE);
    expect(report.ingress).toEqual({ handled: 1, left: 0, failed: 0 });
    const [deadLetter] = fake.rawDeadLetters;
    expect(deadLetter).toMatchObject({
      sessionId: '$ingress',
      subject: 'MaxDeliveryCountExceeded',
      applicationProperties: { stage: 'ingress', topic: 'orders', reason: 'MaxDeliveryCountExceeded' },
      body: { stage: 'ingress', topic: 'orders', reason: 'MaxDeliveryCountExceeded' },
    });
    expect(originalFromDeadLetter(deadLetter!.body)).toEqual({
      messageId: 'key1',
      contentType: 'application/cloudevents+json',
      applicationProperties: { topic: 'orders', payloadRef: 'ref' },
      body: body.toString('utf8'),
      bodyEncoding: 'utf8',
    });
    // Route never failed on it (it expired, say): the description names only Service Bus's cause.
    expect((deadLetter!.body as { description: string }).description).not.toContain('last error');
  });

  it("says why route failed on it, from the error the route trigger kept under the message's id", async () => {
    const fake = fakeReconcile({
      ingress: [
        {
          body: Buffer.from('{}'),
          messageId: 'key2',
          applicationProperties: { topic: 'orders' },
          deadLetterReason: 'MaxDeliveryCountExceeded',
          deliveryCount: 10,
        },
        {
          body: Buffer.from('{}'),
          messageId: 'other',
          applicationProperties: { topic: 'orders' },
          deadLetterReason: 'MaxDeliveryCountExceeded',
          deliveryCount: 10,
        },
      ],
    });
    fake.routeFailures.set('key2', {
      messageId: 'key2',
      at: '2026-01-01T11:59:00Z',
      deliveryCount: 10,
      error: "Cannot read properties of null (reading 'advancedFilters')",
    });
    const report = await reconcile(fake.dependencies, GRACE);
    expect(report.ingress).toEqual({ handled: 2, left: 0, failed: 0 });
    const [withCause, withoutCause] = fake.rawDeadLetters.map(
      (message) => message.body as { reason: string; description: string },
    );
    expect(withCause!.reason).toBe('MaxDeliveryCountExceeded');
    expect(withCause!.description).toContain(
      "last error (delivery 10, 2026-01-01T11:59:00Z): Cannot read properties of null (reading 'advancedFilters')",
    );
    expect(withoutCause!.description).not.toContain('last error');
  });

  it('leaves the message for the next run when the kept error cannot be read', async () => {
    const fake = fakeReconcile({
      ingress: [{ body: Buffer.from('{}'), messageId: 'key3', applicationProperties: {} }],
    });
    fake.dependencies.getRouteFailure = async () => {
      throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    };
    const report = await reconcile(fake.dependencies, GRACE);
    expect(report.ingress).toEqual({ handled: 0, left: 0, failed: 1 });
    expect(fake.rawDeadLetters).toEqual([]);
  });
});

describe('reconcile: dead letters that failed to redrive', () => {
  it('go back to their session as fresh copies; strangers stay', async () => {
    const deadLetter: DeadLetterMessage = {
      ...delivery,
      reason: 'EndpointRejected',
      description: '403',
      deadLetteredAt: '2026-01-01T11:00:00Z',
    };
    const fake = fakeReconcile({
      deadletters: [
        { body: deadLetter, sessionId: 'orders/hook', applicationProperties: {} },
        { body: { stage: 'ingress' }, sessionId: '$ingress', applicationProperties: { stage: 'ingress' } },
        { body: Buffer.from('?'), sessionId: 'orders/hook', applicationProperties: {} },
      ],
    });
    const report = await reconcile(fake.dependencies, GRACE);
    expect(report.deadletters).toEqual({ handled: 2, left: 1, failed: 0 });
    expect(fake.deadLetters).toEqual([deadLetter]);
    expect(fake.rawDeadLetters).toEqual([
      expect.objectContaining({ sessionId: '$ingress', body: { stage: 'ingress' } }),
    ]);
  });
});

describe('reconcile: overdue retries', () => {
  it('enqueues the next attempt again once the grace period is over, and not before', async () => {
    const fake = fakeReconcile({});
    fake.records.set('dlv_1', retryingRecord({ nextAttemptAt: '2026-01-01T11:50:00Z' }));
    fake.events.set('key1', { payloadRef: 'payloads/key1' } as EventRecord);
    expect((await reconcile(fake.dependencies, GRACE)).overdueRetries.reenqueued).toBe(0);

    fake.records.set('dlv_1', retryingRecord({ nextAttemptAt: '2026-01-01T11:40:00Z' }));
    const report = await reconcile(fake.dependencies, GRACE);
    expect(report.overdueRetries).toEqual({ reenqueued: 1, deadLettered: 0, failed: 0 });
    expect(fake.sent).toEqual([
      {
        deliveryId: 'dlv_1',
        eventKey: 'key1',
        topic: 'orders',
        subscription: 'hook',
        attempt: 2,
        firstAttemptAt: '2026-01-01T11:00:00Z',
        payloadRef: 'payloads/key1',
      },
    ]);
    // Not again on the next run: the record's next attempt moved to now.
    expect(fake.records.get('dlv_1')!.nextAttemptAt).toBe(NOW.toISOString());
    expect((await reconcile(fake.dependencies, GRACE)).overdueRetries.reenqueued).toBe(0);
  });

  it('dead-letters a retry that cannot be rebuilt because the event record is gone', async () => {
    const fake = fakeReconcile({});
    fake.records.set('dlv_1', retryingRecord());
    const report = await reconcile(fake.dependencies, GRACE);
    expect(report.overdueRetries.deadLettered).toBe(1);
    expect(fake.records.get('dlv_1')).toMatchObject({
      status: 'deadLettered',
      deadLetter: { reason: 'RetryLost' },
    });
  });
});
