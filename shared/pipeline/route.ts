import type { ServiceBusMessage } from '@azure/service-bus';
import { RECORD_TTL_SECONDS } from '../config/names';
import type { CloudEventJson, DeliveryMessage, EventRecord, SubscriptionRecord } from '../domain/types';
import { eventKey as eventKeyOf } from '../events/eventKey';
import { fromServiceBusMessage } from '../events/fromServiceBusMessage';
import {
  type ClaimCheckOwner,
  claimCheckNameProblem,
  eventFromClaimCheck,
  needsClaimCheck,
  type StoredPayload,
} from '../payloads/claimCheck';
import { compileFilter } from '../routing/matchesFilter';
import { deliveryIdOf } from './deliveryId';
import { PAYLOAD_REF_PROPERTY } from './ingressPayload';
import {
  type IngressRejection,
  type OriginalIngressMessage,
  rejectedIngressMessage,
} from './rejectedIngress';

export interface RouteDependencies {
  subscriptionsOf(topic: string): Promise<SubscriptionRecord[]>;
  createEventIfAbsent(record: EventRecord): Promise<{ record: EventRecord; created: boolean }>;
  /** The payload under a claim-check reference, undefined if there is none; throws on an outage. */
  getPayload(ref: string): Promise<StoredPayload | undefined>;
  /** Stores a claim-check payload for the event it belongs to; returns its reference. */
  putPayload(owner: ClaimCheckOwner, json: string): Promise<string>;
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
 * A message that can never be routed (no valid event, a claim check that is not this event's)
 * goes to the dead-letter queue with its reason: route throws only when a dependency fails.
 */
export async function routeIngressMessage(
  dependencies: RouteDependencies,
  input: OriginalIngressMessage & { traceProperties?: Record<string, string> },
): Promise<RouteResult> {
  const parsed = fromServiceBusMessage(input);
  if (!parsed.ok) return reject(dependencies, input, parsed.rejection);
  const { topic } = parsed;
  const eventKey = eventKeyOf(topic, parsed.event.source, parsed.event.id);
  const claimed = await claimedEvent(dependencies, input, { topic, eventKey });
  if (claimed === undefined) return routeEvent(dependencies, input, topic, eventKey, parsed);
  if (!claimed.ok) {
    return reject(dependencies, input, { reason: 'InvalidClaimCheck', description: claimed.description });
  }
  return routeEvent(dependencies, input, topic, eventKey, claimed);
}

async function routeEvent(
  dependencies: RouteDependencies,
  input: { traceProperties?: Record<string, string> },
  topic: string,
  eventKey: string,
  claimed: { event: CloudEventJson; sizeBytes: number; payloadRef?: string },
): Promise<RouteResult> {
  const { event, sizeBytes } = claimed;
  const subscriptions = await dependencies.subscriptionsOf(topic);
  const matched = subscriptions
    .filter((subscription) => subscription.status === 'active' && predicateOf(subscription)(event))
    .map((subscription) => subscription.name);
  const payloadRef =
    claimed.payloadRef ?? (await ownClaimCheck(dependencies, { topic, eventKey }, claimed, matched));

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
    sizeBytes,
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

/**
 * A publisher sending to `ingress` directly has no claim check, and its event may fit its own
 * message but not a delivery message (a binary body becomes base64, the envelope adds to it):
 * route stores such an event itself, as publish would have, so its deliveries carry the reference.
 */
async function ownClaimCheck(
  dependencies: RouteDependencies,
  owner: ClaimCheckOwner,
  { event, sizeBytes }: { event: CloudEventJson; sizeBytes: number },
  matched: string[],
): Promise<string | undefined> {
  // sizeBytes is the UTF-8 size of the event's JSON (eventSizeBytes): no second serialization
  // for the many events that travel inline.
  if (matched.length === 0 || !needsClaimCheck(sizeBytes)) return undefined;
  return dependencies.putPayload(owner, JSON.stringify(event));
}

/**
 * The event a message's claim check stands for; undefined when it carries none. The message is
 * anyone's: a reference is followed only if it is the one Switchyard wrote for this very topic
 * and event (shared/payloads/claimCheck.ts says how and why). A missing blob is no outage: the
 * publish function stores the payload before it sends the message, so it is refused like any
 * other reference that is not this event's. Only a storage failure throws (Service Bus retries).
 */
async function claimedEvent(
  dependencies: RouteDependencies,
  input: OriginalIngressMessage,
  owner: ClaimCheckOwner,
): Promise<
  | { ok: true; event: CloudEventJson; sizeBytes: number; payloadRef: string }
  | { ok: false; description: string }
  | undefined
> {
  const properties = input.applicationProperties ?? {};
  const ref = Object.hasOwn(properties, PAYLOAD_REF_PROPERTY) ? properties[PAYLOAD_REF_PROPERTY] : undefined;
  if (ref === undefined) return undefined;
  if (typeof ref !== 'string') return { ok: false, description: 'payloadRef must be a string' };
  const nameProblem = claimCheckNameProblem(ref, owner);
  if (nameProblem) return { ok: false, description: nameProblem };
  const loaded = eventFromClaimCheck(owner, await dependencies.getPayload(ref));
  return loaded.ok ? { ...loaded, payloadRef: ref } : loaded;
}

async function reject(
  dependencies: RouteDependencies,
  input: OriginalIngressMessage,
  { reason, description }: IngressRejection,
): Promise<RouteResult> {
  await dependencies.sendRejectedIngress(
    rejectedIngressMessage({ reason, description }, input, dependencies.now()),
  );
  return { kind: 'rejected', reason, description };
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
