import type {
  DeadLetterMessage,
  DeliveryMessage,
  DeliveryRecord,
  SubscriptionRecord,
} from '../../../shared/domain/types';
import { type DeadLetterDependencies, redriveDeadLetters } from '../../../shared/management/deadletters';
import { DeliveryNotFoundError } from '../../../shared/domain/repositories';

const subscription: SubscriptionRecord = {
  id: 'hook',
  topic: 'orders',
  name: 'hook',
  status: 'active',
  signingSecret: 'whsec_test',
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
  destination: { endpointType: 'WebHook', endpointUrl: 'https://example.test/hook' },
  filter: {},
  retryPolicy: { maxDeliveryAttempts: 30, eventTimeToLiveInMinutes: 1440 },
};

function deadLetter(deliveryId: string, attempt: number): DeadLetterMessage {
  return {
    deliveryId,
    eventKey: `event-of-${deliveryId}`,
    topic: 'orders',
    subscription: 'hook',
    attempt,
    firstAttemptAt: '2026-01-01T00:00:00Z',
    event: { specversion: '1.0', id: deliveryId, source: '/s', type: 't' },
    reason: 'BadRequest',
    description: 'the webhook answered 400',
    deadLetteredAt: '2026-01-01T00:00:01Z',
  };
}

/**
 * The dead-letter queue and the delivery records as plain data: draining removes a message only
 * when its redrive succeeded, like the Service Bus session receiver does.
 */
function fakeDependencies(queue: DeadLetterMessage[], records: Map<string, DeliveryRecord>) {
  const sent: DeliveryMessage[] = [];
  const dependencies: DeadLetterDependencies = {
    subscription: async () => subscription,
    listDeadLettered: async () => ({ items: [] }),
    peekPoison: async () => [],
    drainDeadLetters: async (_topic, _name, max, redrive) => {
      const redriven: string[] = [];
      while (redriven.length < max && queue.length > 0) {
        const message = queue[0]!;
        await redrive(message);
        queue.shift();
        redriven.push(message.deliveryId);
      }
      return redriven;
    },
    sendDeliveries: async (messages) => {
      sent.push(...messages);
    },
    markRedriven: async (eventKey, deliveryId) => {
      const record = records.get(deliveryId);
      if (!record) throw new DeliveryNotFoundError(eventKey, deliveryId);
      record.status = 'pending';
      return record;
    },
    now: () => new Date('2026-01-02T00:00:00Z'),
  };
  return { dependencies, sent };
}

describe('redrive', () => {
  it('redrives a dead letter whose delivery record was never written (a crash between the dead letter and the record)', async () => {
    const queue = [deadLetter('dlv_orphan', 3), deadLetter('dlv_other', 1)];
    const records = new Map<string, DeliveryRecord>([
      [
        'dlv_other',
        {
          id: 'dlv_other',
          deliveryId: 'dlv_other',
          eventKey: 'event-of-dlv_other',
          topic: 'orders',
          subscription: 'hook',
          status: 'deadLettered',
          attempts: [{ n: 1, at: '2026-01-01T00:00:00Z', outcome: 'permanentFailure', durationMs: 3 }],
          createdAt: '2026-01-01T00:00:00Z',
          updatedAt: '2026-01-01T00:00:00Z',
        },
      ],
    ]);
    const { dependencies, sent } = fakeDependencies(queue, records);

    const response = await redriveDeadLetters(dependencies, {
      topic: 'orders',
      name: 'hook',
      body: undefined,
    });

    expect(response.status).toBe(202);
    expect(response.body).toEqual({ redriven: 2, deliveryIds: ['dlv_orphan', 'dlv_other'] });
    expect(queue).toEqual([]);
    // The re-sent attempt creates the missing record when it runs.
    expect(sent.map((message) => [message.deliveryId, message.attempt, message.firstAttemptNumber])).toEqual([
      ['dlv_orphan', 4, 4],
      ['dlv_other', 2, 2],
    ]);
    expect(records.get('dlv_other')?.status).toBe('pending');
  });

  it('keeps a dead letter on the queue when its re-send fails, and says so', async () => {
    const queue = [deadLetter('dlv_a', 1)];
    const { dependencies } = fakeDependencies(queue, new Map());
    dependencies.sendDeliveries = async () => {
      throw new Error('Service Bus unavailable');
    };
    await expect(
      redriveDeadLetters(dependencies, { topic: 'orders', name: 'hook', body: { max: 5 } }),
    ).rejects.toThrow('Service Bus unavailable');
    expect(queue).toHaveLength(1);
  });

  it('leaves the record dead-lettered when the redriven attempt dead-letters again at once', async () => {
    const queue = [deadLetter('dlv_still_bad', 2)];
    const records = new Map<string, DeliveryRecord>([
      [
        'dlv_still_bad',
        {
          id: 'dlv_still_bad',
          deliveryId: 'dlv_still_bad',
          eventKey: 'event-of-dlv_still_bad',
          topic: 'orders',
          subscription: 'hook',
          status: 'deadLettered',
          attempts: [],
          createdAt: '2026-01-01T00:00:00Z',
          updatedAt: '2026-01-01T00:00:00Z',
        },
      ],
    ]);
    const { dependencies } = fakeDependencies(queue, records);
    // The endpoint still answers 400: the new attempt runs and dead-letters as soon as it is sent.
    dependencies.sendDeliveries = async () => {
      const record = records.get('dlv_still_bad');
      if (record) record.status = 'deadLettered';
    };
    await redriveDeadLetters(dependencies, { topic: 'orders', name: 'hook', body: {} });
    expect(records.get('dlv_still_bad')?.status).toBe('deadLettered');
  });
});
