import type {
  DeadLetterMessage,
  DeliveryMessage,
  DeliveryRecord,
  SubscriptionRecord,
} from '../../../shared/domain/types';
import type { DeliverDependencies } from '../../../shared/pipeline/deliver';
import { planAttempt } from '../../../shared/store/deliveryAttempts';

export const webhookSubscription: SubscriptionRecord = {
  id: 'hook',
  topic: 'orders',
  name: 'hook',
  status: 'active',
  signingSecret: 'whsec_dGVzdHNlY3JldHRlc3RzZWNyZXQ=',
  createdAt: '2026-01-01T00:00:00Z',
  updatedAt: '2026-01-01T00:00:00Z',
  destination: { endpointType: 'WebHook', endpointUrl: 'https://example.test/hook' },
  filter: {},
  retryPolicy: { maxDeliveryAttempts: 30, eventTimeToLiveInMinutes: 1440 },
};

/**
 * deliver's dependencies over in-memory records and queues, with the record store behaving like
 * DeliveryStore (createIfAbsent, idempotent recordAttempt via the same planAttempt). The queues
 * keep every message, as Service Bus does once duplicate detection has forgotten the first.
 */
export function fakeDeliver(options: { webhookStatus: () => number; now?: () => Date }) {
  const deliveries = new Map<string, DeliveryRecord>();
  const scheduled: DeliveryMessage[] = [];
  const deadLetters: DeadLetterMessage[] = [];
  const posts: string[] = [];
  /** Every side effect, in order, so tests can ask what happened before what. */
  const effects: string[] = [];
  const now = options.now ?? (() => new Date('2026-01-01T01:00:00Z'));

  const dependencies = (firstReceipt: boolean): DeliverDependencies => ({
    subscription: async () => webhookSubscription,
    getDelivery: async (_eventKey, deliveryId) => deliveries.get(deliveryId),
    createDeliveryIfAbsent: async (record) => {
      effects.push('record');
      const existing = deliveries.get(record.deliveryId);
      if (existing) return { record: existing, created: false };
      deliveries.set(record.deliveryId, record);
      return { record, created: true };
    },
    recordAttempt: async (_eventKey, deliveryId, attempt, update) => {
      effects.push('record');
      const current = deliveries.get(deliveryId);
      if (!current) throw new Error(`no record ${deliveryId}`);
      const plan = planAttempt(current, attempt, update, now().toISOString());
      if (plan.kind === 'write') deliveries.set(deliveryId, plan.next);
      return deliveries.get(deliveryId)!;
    },
    getPayload: async () => undefined,
    deliverWebhook: async (delivery) => {
      effects.push('post');
      posts.push(delivery.deliveryId);
      const status = options.webhookStatus();
      return { ok: status >= 200 && status <= 204, status, durationMs: 1 };
    },
    sendToServiceBus: async () => undefined,
    classifyServiceBusError: () => {
      throw new Error('no Service Bus destination in these tests');
    },
    scheduleDelivery: async (message) => {
      effects.push('schedule');
      scheduled.push(message);
    },
    sendDeadLetter: async (message) => {
      effects.push('deadLetter');
      deadLetters.push(message);
    },
    disableSubscription: async () => undefined,
    now,
    random: () => 0.5,
    firstReceipt,
  });

  return { dependencies, deliveries, scheduled, deadLetters, posts, effects };
}

/** Makes the first call of `name` fail, as a process dying (or a dependency failing) there would. */
export function crashingAt(
  dependencies: DeliverDependencies,
  name: 'scheduleDelivery' | 'sendDeadLetter' | 'createDeliveryIfAbsent' | 'recordAttempt',
): DeliverDependencies {
  const original = dependencies[name].bind(dependencies) as (...args: unknown[]) => Promise<unknown>;
  let crashed = false;
  return {
    ...dependencies,
    [name]: async (...args: unknown[]) => {
      if (!crashed) {
        crashed = true;
        throw new Error(`crash at ${name}`);
      }
      return original(...args);
    },
  };
}
