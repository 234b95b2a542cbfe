import type { DeliveryAttempt } from '../../../shared/domain/types';
import { MAX_RESPONSE_BODY_BYTES } from '../../../shared/store/deliveryAttempts';
import { DeliveryNotFoundError } from '../../../shared/domain/repositories';
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

function failed(n: number, extra: Partial<DeliveryAttempt> = {}): DeliveryAttempt {
  return {
    n,
    at: new Date().toISOString(),
    outcome: 'retryableFailure',
    httpStatus: 503,
    durationMs: 12,
    ...extra,
  };
}

describe('DeliveryStore', () => {
  it('creates a delivery once', async () => {
    const first = await store.createIfAbsent(deliveryRecord('ev-1', 'd-1'));
    const again = await store.createIfAbsent(deliveryRecord('ev-1', 'd-1', { status: 'succeeded' }));
    expect([first.created, again.created]).toEqual([true, false]);
    expect(again.record.status).toBe('pending');
  });

  it('records an attempt once even when the same attempt is recorded twice (a redelivered message)', async () => {
    await store.createIfAbsent(deliveryRecord('ev-2', 'd-2'));
    const next = new Date(Date.now() + 10_000).toISOString();

    await store.recordAttempt('ev-2', 'd-2', failed(1), { status: 'retrying', nextAttemptAt: next });
    const twice = await store.recordAttempt('ev-2', 'd-2', failed(1), {
      status: 'retrying',
      nextAttemptAt: next,
    });

    expect(twice.attempts.map((a) => a.n)).toEqual([1]);
    expect(twice).toMatchObject({ status: 'retrying', nextAttemptAt: next });

    const done = await store.recordAttempt(
      'ev-2',
      'd-2',
      { ...failed(2), outcome: 'succeeded', httpStatus: 200 },
      {
        status: 'succeeded',
      },
    );
    expect(done.status).toBe('succeeded');
    expect(done.nextAttemptAt).toBeUndefined();
    expect((await store.get('ev-2', 'd-2'))?.attempts.map((a) => [a.n, a.outcome])).toEqual([
      [1, 'retryableFailure'],
      [2, 'succeeded'],
    ]);
  });

  it('keeps every attempt when many are recorded concurrently (ETag retries)', async () => {
    await store.createIfAbsent(deliveryRecord('ev-3', 'd-3'));
    const numbers = [1, 2, 3, 4, 5, 6];
    // Each attempt twice, all at once: six distinct attempts must end up stored exactly once.
    await Promise.all(
      [...numbers, ...numbers].map((n) =>
        store.recordAttempt('ev-3', 'd-3', failed(n), { status: 'retrying' }),
      ),
    );
    const stored = await store.get('ev-3', 'd-3');
    expect(stored?.attempts.map((a) => a.n)).toEqual(numbers);
  });

  it('a late, older attempt is inserted in order without overwriting the newer status', async () => {
    await store.createIfAbsent(deliveryRecord('ev-4', 'd-4'));
    await store.recordAttempt('ev-4', 'd-4', failed(1), { status: 'retrying' });
    await store.recordAttempt('ev-4', 'd-4', failed(3, { outcome: 'succeeded', httpStatus: 204 }), {
      status: 'succeeded',
    });
    const record = await store.recordAttempt('ev-4', 'd-4', failed(2), { status: 'retrying' });
    expect(record.attempts.map((a) => a.n)).toEqual([1, 2, 3]);
    expect(record.status).toBe('succeeded');
  });

  it('stores only the first 4 KB of a response body', async () => {
    await store.createIfAbsent(deliveryRecord('ev-5', 'd-5'));
    const body = 'é'.repeat(10_000);
    const record = await store.recordAttempt('ev-5', 'd-5', failed(1, { responseBody: body }), {
      status: 'deadLettered',
      deadLetter: {
        reason: 'MaxDeliveryAttemptsExceeded',
        description: 'gave up',
        at: new Date().toISOString(),
      },
    });
    const stored = record.attempts[0]?.responseBody ?? '';
    expect(Buffer.byteLength(stored)).toBeLessThanOrEqual(MAX_RESPONSE_BODY_BYTES);
    expect(Buffer.byteLength(stored)).toBeGreaterThan(MAX_RESPONSE_BODY_BYTES - 2);
    expect(body.startsWith(stored)).toBe(true);
    expect(record.deadLetter?.reason).toBe('MaxDeliveryAttemptsExceeded');
  });

  it('fails clearly for a delivery that does not exist', async () => {
    await expect(
      store.recordAttempt('ev-none', 'd-none', failed(1), { status: 'retrying' }),
    ).rejects.toBeInstanceOf(DeliveryNotFoundError);
  });

  it('lists one event’s deliveries', async () => {
    await store.createIfAbsent(deliveryRecord('ev-6', 'd-6a', { subscription: 'audit' }));
    await store.createIfAbsent(deliveryRecord('ev-6', 'd-6b', { subscription: 'billing' }));
    expect((await store.listForEvent('ev-6')).map((d) => d.deliveryId).sort()).toEqual(['d-6a', 'd-6b']);
  });

  it('lists a subscription’s deliveries newest first across events, by status, page by page', async () => {
    const base = Date.parse('2026-03-01T00:00:00Z');
    for (let i = 0; i < 8; i += 1) {
      await store.createIfAbsent(
        deliveryRecord(`ev-list-${i}`, `d-list-${i}`, {
          topic: 'listing',
          subscription: 'audit',
          status: i % 2 === 0 ? 'succeeded' : 'retrying',
          createdAt: new Date(base + i * 1000).toISOString(),
        }),
      );
    }
    await store.createIfAbsent(
      deliveryRecord('ev-list-x', 'd-list-x', { topic: 'listing', subscription: 'other' }),
    );

    const pages: string[][] = [];
    let continuationToken: string | undefined;
    do {
      const page = await store.listForSubscription('listing', 'audit', { maxItems: 3, continuationToken });
      pages.push(page.items.map((d) => d.deliveryId));
      continuationToken = page.continuationToken;
    } while (continuationToken);
    expect(pages.flat()).toEqual([7, 6, 5, 4, 3, 2, 1, 0].map((i) => `d-list-${i}`));
    expect(pages[0]).toHaveLength(3);

    const retrying = await store.listForSubscription('listing', 'audit', {
      status: 'retrying',
      maxItems: 10,
    });
    expect(retrying.items.map((d) => d.deliveryId)).toEqual(['d-list-7', 'd-list-5', 'd-list-3', 'd-list-1']);
    expect(retrying.continuationToken).toBeUndefined();
  });

  it('lists dead letters for redrive, and a redriven delivery leaves that list', async () => {
    const deadLetter = { reason: 'PermanentFailure', description: 'HTTP 400', at: new Date().toISOString() };
    for (const id of ['a', 'b']) {
      await store.createIfAbsent(
        deliveryRecord(`ev-dl-${id}`, `d-dl-${id}`, { topic: 'dl', subscription: 'audit' }),
      );
      await store.recordAttempt(`ev-dl-${id}`, `d-dl-${id}`, failed(1, { outcome: 'permanentFailure' }), {
        status: 'deadLettered',
        deadLetter,
      });
    }
    await store.createIfAbsent(deliveryRecord('ev-dl-c', 'd-dl-c', { topic: 'dl', subscription: 'audit' }));

    const dead = await store.listDeadLettered('dl', 'audit', { maxItems: 10 });
    expect(dead.items.map((d) => d.deliveryId)).toEqual(['d-dl-a', 'd-dl-b']);

    const reopened = await store.markRedriven('ev-dl-a', 'd-dl-a');
    expect(reopened.status).toBe('pending');
    expect(reopened.deadLetter).toBeUndefined();
    expect(reopened.attempts).toHaveLength(1);
    expect((await store.listDeadLettered('dl', 'audit')).items.map((d) => d.deliveryId)).toEqual(['d-dl-b']);
  });
});
