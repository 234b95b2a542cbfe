import { ServiceBusError } from '@azure/service-bus';
import type { DeliveryMessage } from '../../../shared/domain/types';
import {
  decideAfterFailure,
  MAX_PROCESSING_FAILURES,
  PROCESSING_FAILURES_PROPERTY,
  processBatch,
  processingFailuresOf,
} from '../../../shared/pipeline/batch';
import { deliverAttempt } from '../../../shared/pipeline/deliver';
import { crashingAt, fakeDeliver } from './fakeDeliver';

const outage = () => new ServiceBusError('busy', 'ServiceBusy');

describe('processBatch: outcomes per message', () => {
  const items = Array.from({ length: 50 }, (_, n) => n);

  it('a message that fails (no outage) goes its own way; the other 49 are done and the batch succeeds', async () => {
    const failed: Array<[number, string]> = [];
    const report = await processBatch(items, {
      process: async (n) => {
        if (n === 17) throw new Error('poison');
      },
      failed: async (n, error) => {
        failed.push([n, (error as Error).message]);
      },
    });
    expect(report).toEqual({ done: 49, failed: 1 });
    expect(failed).toEqual([[17, 'poison']]);
  });

  it('an outage a message could not ride out fails the whole batch, after every message ran', async () => {
    const processed: number[] = [];
    const failed: number[] = [];
    await expect(
      processBatch(items, {
        process: async (n) => {
          processed.push(n);
          if (n === 3) throw outage();
          if (n === 4) throw new Error('poison');
        },
        failed: async (n) => {
          failed.push(n);
        },
      }),
    ).rejects.toMatchObject({ code: 'ServiceBusy' });
    expect(processed).toHaveLength(50);
    // The failed message's copy went out anyway; a redelivered batch sends it again under the same id.
    expect(failed).toEqual([4]);
  });

  it('a failure whose own path is down fails the batch, so the message comes back', async () => {
    await expect(
      processBatch([1, 2], {
        process: async (n) => {
          if (n === 2) throw new Error('poison');
        },
        failed: async () => {
          throw outage();
        },
      }),
    ).rejects.toMatchObject({ code: 'ServiceBusy' });
  });
});

describe('decideAfterFailure', () => {
  it('redelivers under a derived id, then dead-letters at the queue MaxDeliveryCount', () => {
    expect(decideAfterFailure('m-1', 0)).toEqual({
      kind: 'redeliver',
      failures: 1,
      messageId: 'm-1~failed-1',
    });
    // A copy of a copy keeps the first id as root: no growing ids.
    expect(decideAfterFailure('m-1~failed-1', 1)).toMatchObject({ messageId: 'm-1~failed-2' });
    expect(decideAfterFailure('m-1', 8)).toMatchObject({ kind: 'redeliver', failures: 9 });
    expect(decideAfterFailure('m-1~failed-9', MAX_PROCESSING_FAILURES - 1)).toEqual({
      kind: 'deadLetter',
      failures: MAX_PROCESSING_FAILURES,
    });
    expect(decideAfterFailure('x'.repeat(128), 0)).toMatchObject({ kind: 'redeliver' });
    const long = decideAfterFailure('x'.repeat(128), 0);
    expect(long.kind === 'redeliver' && long.messageId.length).toBeLessThanOrEqual(128);
  });

  it('reads a forged or broken failure count as 0', () => {
    for (const value of [-1, 1.5, '3', MAX_PROCESSING_FAILURES, null]) {
      expect(processingFailuresOf({ [PROCESSING_FAILURES_PROPERTY]: value })).toBe(0);
    }
    expect(processingFailuresOf({ [PROCESSING_FAILURES_PROPERTY]: 4 })).toBe(4);
  });
});

describe('crash ordering per message in a batch', () => {
  const message = (n: number): DeliveryMessage => ({
    deliveryId: `dlv_${n}`,
    eventKey: `event-${n}`,
    topic: 'orders',
    subscription: 'hook',
    attempt: 1,
    firstAttemptAt: '2026-01-01T00:59:00Z',
    event: { specversion: '1.0', id: `e${n}`, source: '/s', type: 't' },
  });

  for (const crashPoint of ['scheduleDelivery', 'createDeliveryIfAbsent'] as const) {
    it(`a crash at ${crashPoint} in one message leaves it unrecorded; its redelivery completes it once`, async () => {
      const fake = fakeDeliver({ webhookStatus: () => 503 });
      const crashing = crashingAt(fake.dependencies(true), crashPoint);
      const messages = [message(1), message(2), message(3)];
      const redeliveries: DeliveryMessage[] = [];
      const report = await processBatch(messages, {
        process: async (m) => {
          await deliverAttempt(m.deliveryId === 'dlv_2' ? crashing : fake.dependencies(true), m);
        },
        failed: async (m) => {
          redeliveries.push(m);
        },
      });
      expect(report).toEqual({ done: 2, failed: 1 });
      expect([...fake.deliveries.keys()].sort()).toEqual(['dlv_1', 'dlv_3']);
      expect(redeliveries.map((m) => m.deliveryId)).toEqual(['dlv_2']);

      // The copy comes back as a redelivery (not a first receipt): the attempt is recorded once,
      // with its retry scheduled.
      for (const copy of redeliveries) await deliverAttempt(fake.dependencies(false), copy);
      const record = fake.deliveries.get('dlv_2');
      expect(record?.status).toBe('retrying');
      expect(record?.attempts.map((attempt) => attempt.n)).toEqual([1]);
      expect(
        fake.scheduled.filter((next) => next.deliveryId === 'dlv_2').map((next) => next.attempt),
      ).toContain(2);
      expect((await deliverAttempt(fake.dependencies(false), message(2))).kind).toBe('alreadyProcessed');
    });
  }
});
