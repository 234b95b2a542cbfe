import type { ServiceBusMessage } from '@azure/service-bus';
import type { DeliveryMessage, EventRecord, SubscriptionRecord } from '../../../shared/domain/types';
import { eventKey } from '../../../shared/events/eventKey';
import {
  type ClaimCheckOwner,
  payloadBlobName,
  type StoredPayload,
} from '../../../shared/payloads/claimCheck';
import type { RouteDependencies } from '../../../shared/pipeline/route';

export const NOW = new Date('2026-01-01T01:00:00Z');

export function subscription(
  topic: string,
  name: string,
  filter: SubscriptionRecord['filter'] = {},
): SubscriptionRecord {
  return {
    id: name,
    topic,
    name,
    status: 'active',
    signingSecret: 'whsec_dGVzdHNlY3JldHRlc3RzZWNyZXQ=',
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    destination: { endpointType: 'WebHook', endpointUrl: 'https://example.test/hook' },
    filter,
    retryPolicy: { maxDeliveryAttempts: 30, eventTimeToLiveInMinutes: 1440 },
  };
}

/**
 * route's dependencies over in-memory stores and queues. What would be serialized on the way to
 * Cosmos DB or Service Bus is serialized here too, so a value those cannot take fails as it
 * would there. `payloads` is the claim-check container: put what publish would have stored.
 */
export function fakeRoute(subscriptions: SubscriptionRecord[]) {
  const events = new Map<string, EventRecord>();
  const payloads = new Map<string, StoredPayload>();
  const deliveries: DeliveryMessage[] = [];
  const rejected: ServiceBusMessage[] = [];

  const dependencies: RouteDependencies = {
    subscriptionsOf: async (topic) => subscriptions.filter((candidate) => candidate.topic === topic),
    createEventIfAbsent: async (record) => {
      const stored = JSON.parse(JSON.stringify(record)) as EventRecord;
      const existing = events.get(record.eventKey);
      if (existing) return { record: existing, created: false };
      events.set(record.eventKey, stored);
      return { record: stored, created: true };
    },
    getPayload: async (ref) => payloads.get(ref),
    putPayload: async (owner, json) => {
      const ref = payloadBlobName(owner.eventKey);
      if (!payloads.has(ref)) payloads.set(ref, { json, owner });
      return ref;
    },
    sendDeliveries: async (messages) => {
      deliveries.push(...messages.map((message) => JSON.parse(JSON.stringify(message)) as DeliveryMessage));
    },
    sendRejectedIngress: async (message) => {
      rejected.push(JSON.parse(JSON.stringify(message)) as ServiceBusMessage);
    },
    now: () => NOW,
  };

  /** Stores a payload as publish does: under the derived name, with its owner as metadata. */
  function storePayload(topic: string, event: { source: string; id: string }, json?: string): string {
    const owner: ClaimCheckOwner = { topic, eventKey: eventKey(topic, event.source, event.id) };
    const ref = payloadBlobName(owner.eventKey);
    payloads.set(ref, { json: json ?? JSON.stringify({ specversion: '1.0', type: 't', ...event }), owner });
    return ref;
  }

  return { dependencies, events, payloads, deliveries, rejected, storePayload };
}
