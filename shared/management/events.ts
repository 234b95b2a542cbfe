import type { DeliveryRecord, EventRecord } from '../domain/types';
import { isEventKey } from '../events/eventKey';
import { invalidField, notFoundProblem } from '../http/problems';
import { deliveryIdOf } from '../pipeline/deliveryId';
import { type ApiResponse, json } from './apiResponse';
import type { DeliveryView, EventStatusView } from './views';

export interface EventStatusDependencies {
  getEvent(eventKey: string): Promise<EventRecord | undefined>;
  listDeliveries(eventKey: string): Promise<DeliveryRecord[]>;
  /** Throws 403 unless the caller may read events of this topic (known only once the event is read). */
  requireTopic(topic: string): void;
}

/**
 * "What happened to event X?": the event, the subscriptions it matched, and each delivery with
 * its status and attempts. A matched subscription whose first attempt has not run yet shows as
 * `pending` with no attempts.
 */
export async function getEventStatus(
  dependencies: EventStatusDependencies,
  eventKey: unknown,
): Promise<ApiResponse> {
  if (typeof eventKey !== 'string' || !isEventKey(eventKey)) {
    throw invalidField('eventKey', 'must be the 32-character eventKey returned by publish');
  }
  const [event, deliveries] = await Promise.all([
    dependencies.getEvent(eventKey),
    dependencies.listDeliveries(eventKey),
  ]);
  if (!event) {
    throw notFoundProblem(
      `no event ${eventKey}: it was never published, or it is not routed yet`,
      `/events/${eventKey}`,
    );
  }
  dependencies.requireTopic(event.topic);
  const byId = new Map(deliveries.map((delivery) => [delivery.deliveryId, delivery]));
  return json(200, {
    eventKey: event.eventKey,
    topic: event.topic,
    id: event.ceId,
    source: event.source,
    type: event.type,
    ...(event.subject !== undefined ? { subject: event.subject } : {}),
    receivedAt: event.receivedAt,
    sizeBytes: event.sizeBytes,
    matchedSubscriptions: event.matchedSubscriptions,
    deliveries: event.matchedSubscriptions.map((subscription) => {
      const deliveryId = deliveryIdOf(event.eventKey, event.topic, subscription);
      const delivery = byId.get(deliveryId);
      return delivery
        ? deliveryView(delivery)
        : { deliveryId, subscription, status: 'pending', attempts: [] };
    }),
    ...(event.event ? { event: event.event } : { payloadRef: event.payloadRef }),
  } satisfies EventStatusView);
}

/** A delivery as the API shows it, without storage details (id, ttl). */
export function deliveryView(delivery: DeliveryRecord): Omit<DeliveryRecord, 'id' | 'ttl'> & DeliveryView {
  const { id: _id, ttl: _ttl, ...view } = delivery;
  return view;
}
