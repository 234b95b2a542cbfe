import type { DeliveryAttempt, DeliveryRecord } from '../../../shared/domain/types';
import {
  MAX_ERROR_BYTES,
  MAX_RESPONSE_BODY_BYTES,
  planAttempt,
  planRedrive,
  truncateUtf8,
  type AttemptPlan,
} from '../../../shared/store/deliveryAttempts';

const CREATED = '2026-01-01T00:00:00.000Z';
const NOW = '2026-01-01T00:05:00.000Z';
const LATER = '2026-01-01T00:06:00.000Z';

function delivery(overrides: Partial<DeliveryRecord> = {}): DeliveryRecord {
  return {
    id: 'd-1',
    deliveryId: 'd-1',
    eventKey: 'ev-1',
    topic: 'orders',
    subscription: 'audit',
    status: 'pending',
    attempts: [],
    createdAt: CREATED,
    updatedAt: CREATED,
    ...overrides,
  };
}

function attempt(n: number, extra: Partial<DeliveryAttempt> = {}): DeliveryAttempt {
  return { n, at: CREATED, outcome: 'retryableFailure', httpStatus: 503, durationMs: 7, ...extra };
}

function written(plan: AttemptPlan): Extract<AttemptPlan, { kind: 'write' }> {
  if (plan.kind !== 'write') throw new Error('expected a write');
  return plan;
}

describe('planAttempt', () => {
  it('appends the first attempt and sets status, nextAttemptAt and updatedAt in one write', () => {
    const plan = written(
      planAttempt(delivery(), attempt(1), { status: 'retrying', nextAttemptAt: LATER }, NOW),
    );
    expect(plan.operations).toEqual([
      { op: 'add', path: '/attempts/-', value: attempt(1) },
      { op: 'set', path: '/updatedAt', value: NOW },
      { op: 'set', path: '/status', value: 'retrying' },
      { op: 'set', path: '/nextAttemptAt', value: LATER },
    ]);
    expect(plan.next).toEqual(
      delivery({ attempts: [attempt(1)], status: 'retrying', nextAttemptAt: LATER, updatedAt: NOW }),
    );
  });

  it('plans nothing for an attempt number already recorded (a redelivered message)', () => {
    const current = delivery({ status: 'retrying', attempts: [attempt(1)] });
    expect(planAttempt(current, attempt(1, { httpStatus: 500 }), { status: 'succeeded' }, NOW)).toEqual({
      kind: 'nothingToWrite',
    });
  });

  it('removes nextAttemptAt and sets the dead letter when the newest attempt ends the delivery', () => {
    const deadLetter = { reason: 'EndpointRejected', description: 'HTTP 400', at: NOW };
    const current = delivery({ status: 'retrying', attempts: [attempt(1)], nextAttemptAt: NOW });
    const plan = written(
      planAttempt(
        current,
        attempt(2, { outcome: 'permanentFailure', httpStatus: 400 }),
        { status: 'deadLettered', deadLetter },
        NOW,
      ),
    );
    expect(plan.operations.slice(2)).toEqual([
      { op: 'set', path: '/status', value: 'deadLettered' },
      { op: 'remove', path: '/nextAttemptAt' },
      { op: 'set', path: '/deadLetter', value: deadLetter },
    ]);
    expect(plan.next.nextAttemptAt).toBeUndefined();
    expect(plan.next).toMatchObject({ status: 'deadLettered', deadLetter });
  });

  it('does not try to remove a nextAttemptAt that is not there', () => {
    const plan = written(
      planAttempt(
        delivery(),
        attempt(1, { outcome: 'succeeded', httpStatus: 200 }),
        { status: 'succeeded' },
        NOW,
      ),
    );
    expect(plan.operations.map((operation) => operation.op)).not.toContain('remove');
    expect('nextAttemptAt' in plan.next).toBe(false);
  });

  it('inserts a late older attempt in order without overwriting the newer status', () => {
    const current = delivery({
      status: 'succeeded',
      attempts: [attempt(1), attempt(3, { outcome: 'succeeded' })],
    });
    const plan = written(planAttempt(current, attempt(2), { status: 'retrying', nextAttemptAt: LATER }, NOW));
    expect(plan.operations).toEqual([
      { op: 'add', path: '/attempts/1', value: attempt(2) },
      { op: 'set', path: '/updatedAt', value: NOW },
    ]);
    expect(plan.next.attempts.map((recorded) => recorded.n)).toEqual([1, 2, 3]);
    expect(plan.next.status).toBe('succeeded');
    expect(plan.next.nextAttemptAt).toBeUndefined();
  });

  it('does not change the record it plans from', () => {
    const current = delivery({ status: 'retrying', attempts: [attempt(1)], nextAttemptAt: NOW });
    const before = structuredClone(current);
    planAttempt(current, attempt(2), { status: 'succeeded' }, NOW);
    expect(current).toEqual(before);
  });

  it('stores at most 4 KB of response body and 1 KB of error, cut on a character boundary', () => {
    const body = `a${'é'.repeat(3000)}`; // 6001 bytes: the limit falls inside an é
    const error = `${'x'.repeat(MAX_ERROR_BYTES - 1)}€ and more`; // the euro sign (3 bytes) straddles the limit
    const plan = written(
      planAttempt(delivery(), attempt(1, { responseBody: body, error }), { status: 'retrying' }, NOW),
    );
    const stored = plan.next.attempts[0];
    expect(stored?.responseBody).toBe(`a${'é'.repeat(MAX_RESPONSE_BODY_BYTES / 2 - 1)}`);
    expect(Buffer.byteLength(stored?.responseBody ?? '', 'utf8')).toBe(MAX_RESPONSE_BODY_BYTES - 1);
    expect(stored?.error).toBe('x'.repeat(MAX_ERROR_BYTES - 1));
    expect(plan.operations[0]).toMatchObject({ value: stored });
  });

  it('keeps bodies and errors under the limits as they are', () => {
    const plan = written(
      planAttempt(
        delivery(),
        attempt(1, { responseBody: 'busy', error: 'HTTP 503' }),
        { status: 'retrying' },
        NOW,
      ),
    );
    expect(plan.next.attempts[0]).toMatchObject({ responseBody: 'busy', error: 'HTTP 503' });
  });
});

describe('truncateUtf8', () => {
  it('cuts at the byte limit, dropping a character the limit would split', () => {
    expect(truncateUtf8('abc', 3)).toBe('abc');
    expect(truncateUtf8('abcd', 3)).toBe('abc');
    expect(truncateUtf8('a€', 3)).toBe('a');
    expect(truncateUtf8('a€', 4)).toBe('a€');
    expect(truncateUtf8('😀😀', 6)).toBe('😀');
    expect(truncateUtf8('😀😀', 3)).toBe('');
  });

  it('keeps a replacement character that was in the text (U+FFFD is 3 bytes of its own)', () => {
    expect(truncateUtf8('ab\uFFFDcd', 5)).toBe('ab\uFFFD');
  });
});

describe('planRedrive', () => {
  it('reopens a dead-lettered delivery: pending, dead letter and next attempt removed, attempts kept', () => {
    const current = delivery({
      status: 'deadLettered',
      attempts: [attempt(1)],
      nextAttemptAt: NOW,
      deadLetter: { reason: 'MaxDeliveryAttemptsExceeded', description: 'gave up', at: NOW },
    });
    const plan = written(planRedrive(current, LATER));
    expect(plan.operations).toEqual([
      { op: 'set', path: '/status', value: 'pending' },
      { op: 'set', path: '/updatedAt', value: LATER },
      { op: 'remove', path: '/deadLetter' },
      { op: 'remove', path: '/nextAttemptAt' },
    ]);
    expect(plan.next).toEqual(delivery({ status: 'pending', attempts: [attempt(1)], updatedAt: LATER }));
  });

  it('removes only what is there', () => {
    const plan = written(planRedrive(delivery({ status: 'deadLettered' }), LATER));
    expect(plan.operations.map((operation) => operation.op)).toEqual(['set', 'set']);
  });

  it('plans nothing unless the delivery is dead-lettered', () => {
    for (const status of ['pending', 'retrying', 'succeeded'] as const) {
      expect(planRedrive(delivery({ status }), LATER)).toEqual({ kind: 'nothingToWrite' });
    }
  });
});
