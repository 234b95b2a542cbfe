import type { DeliveryMessage } from '../../../shared/domain/types';
import { DeliveryStore } from '../../../shared/store/DeliveryStore';
import { startTestCosmos, type TestCosmos } from '../../support/cosmos';
import { deliveryRecord } from './records';

let cosmos: TestCosmos;
let store: DeliveryStore;

beforeAll(async () => {
  cosmos = await startTestCosmos();
  store = new DeliveryStore(cosmos.database);
});

afterAll(async () => {
  await cosmos?.close();
});

const message = (eventKey: string, deliveryId: string): DeliveryMessage => ({
  deliveryId,
  eventKey,
  topic: 'orders',
  subscription: 'billing',
  attempt: 1,
  firstAttemptAt: new Date().toISOString(),
  payloadRef: 'ref',
});

describe('DeliveryStore for reconcile', () => {
  it('keeps the error of a failed invocation, making a pending record if there was none', async () => {
    await store.recordInvocationFailure(message('ev-f1', 'd-f1'), {
      at: '2026-01-01T00:00:00Z',
      attempt: 1,
      deliveryCount: 1,
      error: 'claim-check payload ref not found',
    });
    expect(await store.get('ev-f1', 'd-f1')).toMatchObject({
      status: 'pending',
      attempts: [],
      topic: 'orders',
      subscription: 'billing',
      lastInvocationError: { attempt: 1, deliveryCount: 1, error: 'claim-check payload ref not found' },
    });
    await store.recordInvocationFailure(message('ev-f1', 'd-f1'), {
      at: '2026-01-01T00:00:01Z',
      attempt: 1,
      deliveryCount: 2,
      error: 'x'.repeat(5000),
    });
    const record = await store.get('ev-f1', 'd-f1');
    expect(record?.lastInvocationError?.deliveryCount).toBe(2);
    expect(record?.lastInvocationError?.error.length).toBe(1024);
  });

  it('lists deliveries retrying past a moment, oldest due first, and moves one on once re-enqueued', async () => {
    await store.createIfAbsent(
      deliveryRecord('ev-o1', 'd-o1', { status: 'retrying', nextAttemptAt: '2026-01-01T00:02:00Z' }),
    );
    await store.createIfAbsent(
      deliveryRecord('ev-o2', 'd-o2', { status: 'retrying', nextAttemptAt: '2026-01-01T00:01:00Z' }),
    );
    await store.createIfAbsent(
      deliveryRecord('ev-o3', 'd-o3', { status: 'retrying', nextAttemptAt: '2026-01-01T00:09:00Z' }),
    );
    await store.createIfAbsent(deliveryRecord('ev-o4', 'd-o4', { status: 'succeeded' }));

    const overdue = await store.listOverdueRetries(new Date('2026-01-01T00:05:00Z'), 10);
    expect(overdue.map((record) => record.deliveryId)).toEqual(['d-o2', 'd-o1']);

    await store.markRetryReenqueued('ev-o2', 'd-o2', '2026-01-01T00:10:00Z');
    const after = await store.listOverdueRetries(new Date('2026-01-01T00:05:00Z'), 10);
    expect(after.map((record) => record.deliveryId)).toEqual(['d-o1']);
    expect((await store.get('ev-o2', 'd-o2'))?.nextAttemptAt).toBe('2026-01-01T00:10:00Z');

    // A delivery that moved on is left as it is.
    await store.markRetryReenqueued('ev-o4', 'd-o4', '2026-01-01T00:10:00Z');
    expect((await store.get('ev-o4', 'd-o4'))?.nextAttemptAt).toBeUndefined();
  });
});
