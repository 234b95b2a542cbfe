import type { DeliveryRecord, EventRecord, SubscriptionRecord } from '../../../shared/domain/types';

/** Records as the functions would write them, with fields a test may override. */
export function subscriptionRecord(
  overrides: Partial<SubscriptionRecord> & { topic: string; name: string },
): SubscriptionRecord {
  const now = new Date().toISOString();
  return {
    id: overrides.name,
    destination: { endpointType: 'WebHook', endpointUrl: 'https://receiver.example/hook' },
    filter: { includedEventTypes: ['order.created'] },
    retryPolicy: { maxDeliveryAttempts: 30, eventTimeToLiveInMinutes: 1440 },
    status: 'active',
    signingSecret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}

export function eventRecord(eventKey: string, overrides: Partial<EventRecord> = {}): EventRecord {
  return {
    id: eventKey,
    eventKey,
    topic: 'orders',
    source: '/shop',
    ceId: eventKey,
    type: 'order.created',
    receivedAt: new Date().toISOString(),
    sizeBytes: 120,
    event: { specversion: '1.0', id: eventKey, source: '/shop', type: 'order.created', data: { total: 150 } },
    matchedSubscriptions: [],
    ...overrides,
  };
}

export function deliveryRecord(
  eventKey: string,
  deliveryId: string,
  overrides: Partial<DeliveryRecord> = {},
): DeliveryRecord {
  const now = new Date().toISOString();
  return {
    id: deliveryId,
    deliveryId,
    eventKey,
    topic: 'orders',
    subscription: 'audit',
    status: 'pending',
    attempts: [],
    createdAt: now,
    updatedAt: now,
    ...overrides,
  };
}
