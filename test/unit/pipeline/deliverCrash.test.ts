import type { DeliveryMessage } from '../../../shared/domain/types';
import {
  type AnsweredAttempt,
  deliverAttempt,
  type DeliverDependencies,
} from '../../../shared/pipeline/deliver';
import type { DeliveryGate } from '../../../shared/protection/deliveryGate';
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

  /** A gate that admits everything and notes, among the effects, when the outcome is counted. */
  const countingGate = (effects: string[]): DeliveryGate => ({
    admit: async () => ({
      kind: 'admitted',
      settle: async (outcome) => {
        effects.push(`settle:${outcome ?? 'none'}`);
      },
    }),
  });
  const withGate = (dependencies: DeliverDependencies, effects: string[]): DeliverDependencies => ({
    ...dependencies,
    gate: countingGate(effects),
  });

  it('counts the outcome for the protections only once the attempt is recorded', async () => {
    // A crash between the answer and the record makes the attempt again (a duplicate): nothing
    // but the follow-up and the record may stand in that window.
    for (const [status, expected] of [
      [200, ['post', 'record', 'settle:succeeded']],
      [503, ['post', 'schedule', 'record', 'settle:retryableFailure']],
      [400, ['post', 'deadLetter', 'record', 'settle:permanentFailure']],
    ] as const) {
      const fake = fakeDeliver({ webhookStatus: () => status });
      await deliverAttempt(withGate(fake.dependencies(true), fake.effects), message);
      expect(fake.effects).toEqual(expected);
    }
  });

  it('counts the outcome for the protections even when recording fails (the lease goes back)', async () => {
    const fake = fakeDeliver({ webhookStatus: () => 200 });
    await expect(
      deliverAttempt(
        withGate(crashingAt(fake.dependencies(true), 'createDeliveryIfAbsent'), fake.effects),
        message,
      ),
    ).rejects.toThrow('crash at createDeliveryIfAbsent');
    expect(fake.effects).toEqual(['post', 'settle:succeeded']);
  });

  it('an attempt answered before recording failed is recorded on the next run without calling again', async () => {
    for (const [status, expected, followUp] of [
      [200, 'succeeded', []],
      [503, 'retrying', ['schedule']],
      [400, 'deadLettered', ['deadLetter']],
    ] as const) {
      const fake = fakeDeliver({ webhookStatus: () => status });
      let answered: AnsweredAttempt | undefined;
      const keep = (dependencies: DeliverDependencies): DeliverDependencies => ({
        ...dependencies,
        ...(answered ? { answered } : {}),
        onAnswered: (attempt) => {
          answered = attempt;
        },
      });
      // The record write is refused (Cosmos DB down) after the webhook answered...
      await expect(
        deliverAttempt(keep(crashingAt(fake.dependencies(true), 'createDeliveryIfAbsent')), message),
      ).rejects.toThrow('crash at createDeliveryIfAbsent');
      expect(answered?.n).toBe(1);
      // ...and the invocation's next run records the answer it kept: one POST in all.
      const result = await deliverAttempt(keep(fake.dependencies(false)), message);
      expect(result).toMatchObject({ kind: 'attempted', destinationCalled: true });
      expect(fake.posts).toHaveLength(1);
      expect(fake.deliveries.get('dlv_crash')?.status).toBe(expected);
      expect(fake.deliveries.get('dlv_crash')?.attempts.map((attempt) => attempt.n)).toEqual([1]);
      // The refused record write left no effect; the follow-up goes again (duplicate detection drops it).
      expect(fake.effects).toEqual(['post', ...followUp, ...followUp, 'record']);
    }
  });

  it('a kept answer of another attempt number is not used', async () => {
    const fake = fakeDeliver({ webhookStatus: () => 200 });
    let answered: AnsweredAttempt | undefined;
    await deliverAttempt(
      {
        ...fake.dependencies(true),
        onAnswered: (attempt) => {
          answered = attempt;
        },
      },
      message,
    );
    const next = { ...message, attempt: 2 };
    await deliverAttempt({ ...fake.dependencies(false), answered: answered! }, next);
    expect(fake.posts).toHaveLength(2);
  });

  it('an attempt that comes back after a later one was recorded calls nobody again', async () => {
    // Attempt 1 failed and its retry was sent; the host died before recording attempt 1. The
    // retry (attempt 2) succeeded; then attempt 1's message came back (its lock expired).
    const statuses = [503, 200];
    const fake = fakeDeliver({ webhookStatus: () => statuses.shift() ?? 200 });
    await expect(
      deliverAttempt(crashingAt(fake.dependencies(true), 'createDeliveryIfAbsent'), message),
    ).rejects.toThrow('crash at createDeliveryIfAbsent');
    expect(fake.scheduled.map((next) => next.attempt)).toEqual([2]);
    await deliverAttempt(fake.dependencies(true), fake.scheduled[0]!);
    expect(fake.deliveries.get('dlv_crash')?.status).toBe('succeeded');
    expect(fake.posts).toHaveLength(2);
    expect(await deliverAttempt(fake.dependencies(false), message)).toEqual({
      kind: 'alreadyProcessed',
      status: 'succeeded',
    });
    expect(fake.posts).toHaveLength(2);
  });

  it('records an attempt only after its follow-up was sent', async () => {
    for (const status of [503, 400]) {
      const fake = fakeDeliver({ webhookStatus: () => status });
      await deliverAttempt(fake.dependencies(true), message);
      expect(fake.effects).toEqual(['post', status === 503 ? 'schedule' : 'deadLetter', 'record']);
    }
  });
});
