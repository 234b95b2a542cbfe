import type {
  DeliveryMessage,
  DeliveryRecord,
  EventRecord,
  SubscriptionRecord,
} from '../../../shared/domain/types';
import { type DeliverDependencies, deliverAttempt } from '../../../shared/pipeline/deliver';
import { planAttempt } from '../../../shared/store/deliveryAttempts';
import { type RouteDependencies, routeIngressMessage } from '../../../shared/pipeline/route';

const subscription: SubscriptionRecord = {
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
 * Route and deliver over in-memory stores and queues. The queues keep every message: they stand
 * for a send that comes after the duplicate-detection window, when Service Bus no longer drops it.
 */
function pipeline(webhookStatus: () => number) {
  const events = new Map<string, EventRecord>();
  const deliveries = new Map<string, DeliveryRecord>();
  const queue: DeliveryMessage[] = [];
  const scheduled: DeliveryMessage[] = [];
  const posts: string[] = [];
  const now = () => new Date('2026-01-01T01:00:00Z');

  const route: RouteDependencies = {
    subscriptionsOf: async () => [subscription],
    createEventIfAbsent: async (record) => {
      const existing = events.get(record.eventKey);
      if (existing) return { record: existing, created: false };
      events.set(record.eventKey, record);
      return { record, created: true };
    },
    getPayload: async () => undefined,
    sendDeliveries: async (messages) => {
      queue.push(...messages);
    },
    sendRejectedIngress: async () => undefined,
    now,
  };

  const deliver = (firstReceipt: boolean): DeliverDependencies => ({
    subscription: async () => subscription,
    getDelivery: async (_eventKey, deliveryId) => deliveries.get(deliveryId),
    createDeliveryIfAbsent: async (record) => {
      const existing = deliveries.get(record.deliveryId);
      if (existing) return { record: existing, created: false };
      deliveries.set(record.deliveryId, record);
      return { record, created: true };
    },
    recordAttempt: async (_eventKey, deliveryId, attempt, update) => {
      const current = deliveries.get(deliveryId);
      if (!current) throw new Error('no record');
      const plan = planAttempt(current, attempt, update, now().toISOString());
      if (plan.kind === 'write') deliveries.set(deliveryId, plan.next);
      return deliveries.get(deliveryId)!;
    },
    getPayload: async () => undefined,
    deliverWebhook: async (delivery) => {
      posts.push(delivery.deliveryId);
      const status = webhookStatus();
      return { ok: status >= 200 && status <= 204, status, durationMs: 1 };
    },
    sendToServiceBus: async () => undefined,
    classifyServiceBusError: () => {
      throw new Error('not used');
    },
    scheduleDelivery: async (message) => {
      scheduled.push(message);
    },
    sendDeadLetter: async () => undefined,
    disableSubscription: async () => undefined,
    now,
    random: () => 0.5,
    firstReceipt,
  });

  const ingress = {
    body: { specversion: '1.0', id: 'order-1', source: '/shop', type: 'order.created', data: { total: 5 } },
    contentType: 'application/cloudevents+json',
    applicationProperties: { topic: 'orders' },
  };
  return { route, deliver, ingress, queue, scheduled, posts, deliveries };
}

describe('publishing the same event again after the duplicate-detection windows', () => {
  it('does not deliver it a second time, nor start retries for a delivery that already succeeded', async () => {
    let status = 200;
    const p = pipeline(() => status);
    await routeIngressMessage(p.route, p.ingress);
    const first = p.queue.shift()!;
    // Service Bus hands the first copy over for the first time.
    expect((await deliverAttempt(p.deliver(true), first)).kind).toBe('attempted');
    expect([...p.deliveries.values()][0]?.status).toBe('succeeded');

    // Republished later: the receiver has since started failing.
    status = 503;
    await routeIngressMessage(p.route, p.ingress);
    const again = p.queue.shift()!;
    expect(again.deliveryId).toBe(first.deliveryId);
    const result = await deliverAttempt(p.deliver(true), again);

    expect(result.kind).toBe('alreadyProcessed');
    expect(p.posts).toEqual([first.deliveryId]);
    expect(p.scheduled).toEqual([]);
    expect([...p.deliveries.values()][0]?.status).toBe('succeeded');
  });
});
