import type { DeliveryMessage, EventRecord } from '../../../shared/domain/types';
import { deliverAttempt } from '../../../shared/pipeline/deliver';
import { type RouteDependencies, routeIngressMessage } from '../../../shared/pipeline/route';
import { fakeDeliver, webhookSubscription } from './fakeDeliver';

/**
 * Route and deliver over in-memory stores and queues. The queues keep every message: they stand
 * for a send that comes after the duplicate-detection window, when Service Bus no longer drops it.
 */
function pipeline(webhookStatus: () => number) {
  const events = new Map<string, EventRecord>();
  const queue: DeliveryMessage[] = [];
  const now = () => new Date('2026-01-01T01:00:00Z');

  const route: RouteDependencies = {
    subscriptionsOf: async () => [webhookSubscription],
    createEventIfAbsent: async (record) => {
      const existing = events.get(record.eventKey);
      if (existing) return { record: existing, created: false };
      events.set(record.eventKey, record);
      return { record, created: true };
    },
    getPayload: async () => undefined,
    putPayload: async () => {
      throw new Error('this test has no event large enough for a claim check');
    },
    sendDeliveries: async (messages) => {
      queue.push(...messages);
    },
    sendRejectedIngress: async () => undefined,
    now,
  };

  const deliver = fakeDeliver({ webhookStatus, now });

  const ingress = {
    body: { specversion: '1.0', id: 'order-1', source: '/shop', type: 'order.created', data: { total: 5 } },
    contentType: 'application/cloudevents+json',
    applicationProperties: { topic: 'orders' },
  };
  return { route, deliver: deliver.dependencies, ingress, queue, ...deliver };
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
