import type { DeliveryMessage } from '../../../shared/domain/types';
import { deliverAttempt } from '../../../shared/pipeline/deliver';
import { crashingAt, fakeDeliver } from './fakeDeliver';

const message: DeliveryMessage = {
  deliveryId: 'dlv_crash',
  eventKey: 'event-1',
  topic: 'orders',
  subscription: 'hook',
  attempt: 1,
  firstAttemptAt: '2026-01-01T00:59:00Z',
  event: { specversion: '1.0', id: 'e1', source: '/s', type: 't' },
};

const cases = [
  { status: 200, expected: 'succeeded', crashPoints: ['createDeliveryIfAbsent'] },
  { status: 503, expected: 'retrying', crashPoints: ['scheduleDelivery', 'createDeliveryIfAbsent'] },
  { status: 400, expected: 'deadLettered', crashPoints: ['sendDeadLetter', 'createDeliveryIfAbsent'] },
] as const;

describe('deliver after a crash between any two of its side effects', () => {
  for (const { status, expected, crashPoints } of cases) {
    for (const crashPoint of crashPoints) {
      it(`webhook ${status}, crash at ${crashPoint}: the redelivery ends ${expected} with its follow-up, attempt recorded once`, async () => {
        const fake = fakeDeliver({ webhookStatus: () => status });
        await expect(
          deliverAttempt(crashingAt(fake.dependencies(true), crashPoint), message),
        ).rejects.toThrow(`crash at ${crashPoint}`);
        // Nothing is recorded before the attempt's follow-up is out: a recorded attempt whose
        // retry or dead letter was never sent would stop the delivery for good.
        expect(fake.deliveries.size).toBe(0);

        // Service Bus redelivers the message (its lock expired or it was abandoned).
        const result = await deliverAttempt(fake.dependencies(false), message);
        expect(result.kind).toBe('attempted');
        const record = fake.deliveries.get('dlv_crash');
        expect(record?.status).toBe(expected);
        expect(record?.attempts.map((attempt) => attempt.n)).toEqual([1]);
        expect(fake.posts.length).toBeGreaterThanOrEqual(1);
        if (expected === 'retrying') {
          expect(fake.scheduled.length).toBeGreaterThanOrEqual(1);
          expect(new Set(fake.scheduled.map((next) => `${next.deliveryId}:${next.attempt}`))).toEqual(
            new Set(['dlv_crash:2']),
          );
        }
        if (expected === 'deadLettered') {
          expect(fake.deadLetters.length).toBeGreaterThanOrEqual(1);
          expect(fake.deadLetters.every((letter) => letter.attempt === 1 && letter.reason !== '')).toBe(true);
        }

        // A third copy (another redelivery) does nothing more.
        const postsBefore = fake.posts.length;
        expect((await deliverAttempt(fake.dependencies(false), message)).kind).toBe('alreadyProcessed');
        expect(fake.posts.length).toBe(postsBefore);
      });
    }
  }

  it('records an attempt only after its follow-up was sent', async () => {
    for (const status of [503, 400]) {
      const fake = fakeDeliver({ webhookStatus: () => status });
      await deliverAttempt(fake.dependencies(true), message);
      expect(fake.effects).toEqual(['post', status === 503 ? 'schedule' : 'deadLetter', 'record']);
    }
  });
});
