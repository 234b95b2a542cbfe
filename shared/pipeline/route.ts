import type { ServiceBusMessage } from '@azure/service-bus';
import { RECORD_TTL_SECONDS } from '../config/names';
import { REJECTED_INGRESS_SESSION_ID } from '../domain/deadLetterSession';
import type { CloudEventJson, DeliveryMessage, EventRecord, SubscriptionRecord } from '../domain/types';
import { eventKey as eventKeyOf } from '../events/eventKey';
import { fromServiceBusMessage } from '../events/fromServiceBusMessage';
import type { ServiceBusEventInput } from '../events/serviceBusEventInput';
import { compileFilter } from '../routing/matchesFilter';
import { deliveryIdOf } from './deliveryId';
import type { OriginalIngressMessage } from './ingressDeadLetter';
import { PAYLOAD_REF_PROPERTY } from './ingressPayload';

export interface RouteDependencies {
  subscriptionsOf(topic: string): Promise<SubscriptionRecord[]>;
  createEventIfAbsent(record: EventRecord): Promise<{ record: EventRecord; created: boolean }>;
  getPayload(ref: string): Promise<string | undefined>;
  sendDeliveries(messages: DeliveryMessage[], traceProperties?: Record<string, string>): Promise<void>;
  /** A message that is no valid event, kept in the dead-letter queue with its reason. */
  sendRejectedIngress(message: ServiceBusMessage): Promise<void>;
  now(): Date;
}

export type RouteResult =
  | { kind: 'routed'; eventKey: string; topic: string; matched: string[]; firstTime: boolean }
  | { kind: 'rejected'; reason: string; description: string };

/**
 * Routes one ingress message: records the event with the subscriptions it matches, then sends
 * one delivery message per match. Safe to run again for the same message (Service Bus
 * redelivers after a crash): the event record is created once, and a re-sent delivery message
 * carries the same messageId, so duplicate detection (and deliver's own check) drops it.
 * A message that can never be a valid event goes to the dead-letter queue with its reason.
 */
export async function routeIngressMessage(
  dependencies: RouteDependencies,
  input: ServiceBusEventInput & { traceProperties?: Record<string, string> },
): Promise<RouteResult> {
  const parsed = fromServiceBusMessage(input);
  if (!parsed.ok) {
    const { reason, description } = parsed.rejection;
    await dependencies.sendRejectedIngress(
      rejectedIngressMessage(reason, description, input, dependencies.now()),
    );
    return { kind: 'rejected', reason, description };
  }
  const { topic } = parsed;
  const payloadRef = stringProperty(input.applicationProperties?.[PAYLOAD_REF_PROPERTY]);
  const event = payloadRef ? await loadPayload(dependencies, payloadRef) : parsed.event;
  const eventKey = eventKeyOf(topic, event.source, event.id);

  const subscriptions = await dependencies.subscriptionsOf(topic);
  const matched = subscriptions
    .filter((subscription) => subscription.status === 'active' && predicateOf(subscription)(event))
    .map((subscription) => subscription.name);

  const now = dependencies.now().toISOString();
  const { record, created } = await dependencies.createEventIfAbsent({
    id: eventKey,
    eventKey,
    topic,
    source: event.source,
    ceId: event.id,
    type: event.type,
    ...(event.subject !== undefined ? { subject: event.subject } : {}),
    receivedAt: now,
    sizeBytes: parsed.sizeBytes,
    ...(payloadRef ? { payloadRef } : { event }),
    matchedSubscriptions: matched,
    routedAt: now,
    ttl: RECORD_TTL_SECONDS,
  });

  // On a re-run the record is the truth: deliver to what matched the first time.
  const messages = record.matchedSubscriptions.map((subscription) =>
    deliveryMessage(record, subscription, now, payloadRef ? undefined : event, payloadRef, !created),
  );
  if (messages.length > 0) await dependencies.sendDeliveries(messages, input.traceProperties);
  return { kind: 'routed', eventKey, topic, matched: record.matchedSubscriptions, firstTime: created };
}

function deliveryMessage(
  record: EventRecord,
  subscription: string,
  now: string,
  event: CloudEventJson | undefined,
  payloadRef: string | undefined,
  rerun: boolean,
): DeliveryMessage {
  return {
    deliveryId: deliveryIdOf(record.eventKey, record.topic, subscription),
    eventKey: record.eventKey,
    topic: record.topic,
    subscription,
    attempt: 1,
    firstAttemptAt: now,
    // The event was recorded before (a republish, or a re-run after a crash), so its deliveries
    // may have run already, perhaps longer ago than duplicate detection remembers. Naming the
    // first attempt number makes deliver read the record before attempting (its check for
    // "first attempt, nothing to read" is `firstAttemptNumber === undefined`), so a delivery
    // that already ran is not POSTed again nor given a new run of retries.
    ...(rerun ? { firstAttemptNumber: 1 } : {}),
    ...(event ? { event } : {}),
    ...(payloadRef ? { payloadRef } : {}),
  };
}

async function loadPayload(dependencies: RouteDependencies, ref: string): Promise<CloudEventJson> {
  const json = await dependencies.getPayload(ref);
  // Missing payload: throw so Service Bus retries (storage may be briefly unavailable) and,
  // if it stays missing, dead-letters the message natively as poison.
  if (json === undefined) throw new Error(`claim-check payload ${ref} not found`);
  return JSON.parse(json) as CloudEventJson;
}

function stringProperty(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Compiled filters, kept as long as the cache keeps the subscription object. */
const predicates = new WeakMap<SubscriptionRecord, (event: CloudEventJson) => boolean>();

function predicateOf(subscription: SubscriptionRecord): (event: CloudEventJson) => boolean {
  let predicate = predicates.get(subscription);
  if (!predicate) {
    predicate = compileFilter(subscription.filter);
    predicates.set(subscription, predicate);
  }
  return predicate;
}

/**
 * A rejected ingress message, kept with its reason so the publisher can find out what was wrong.
 * The reconcile function writes ingress poison in the same shape, with `original` (the whole
 * message) so it can be redriven (shared/pipeline/ingressDeadLetter.ts).
 */
export function rejectedIngressMessage(
  reason: string,
  description: string,
  input: ServiceBusEventInput,
  now: Date,
  original?: OriginalIngressMessage,
): ServiceBusMessage {
  const topic = stringProperty(input.applicationProperties?.topic) ?? '';
  const body =
    typeof input.body === 'string' || Buffer.isBuffer(input.body)
      ? String(input.body)
      : JSON.stringify(input.body);
  return {
    body: {
      stage: 'ingress',
      topic,
      reason,
      description,
      deadLetteredAt: now.toISOString(),
      originalBody: body.slice(0, 4096),
      ...(original ? { original } : {}),
    },
    contentType: 'application/json',
    sessionId: REJECTED_INGRESS_SESSION_ID,
    subject: reason,
    applicationProperties: { stage: 'ingress', topic, reason },
  };
}
