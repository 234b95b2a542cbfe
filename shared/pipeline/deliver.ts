import { RECORD_TTL_SECONDS } from '../config/names';
import type {
  CloudEventJson,
  DeadLetterMessage,
  DeliveryAttempt,
  DeliveryMessage,
  DeliveryRecord,
  Destination,
  SubscriptionRecord,
} from '../domain/types';
import { type AttemptClassification, classifyOutcome } from '../delivery/classifyOutcome';
import type { RandomSource } from '../delivery/retrySchedule';
import type { WebhookDelivery } from '../delivery/webhookClient';
import type { WebhookResult } from '../delivery/webhookResult';
import {
  type DeliveryDecision,
  decideAfterAttempt,
  expiredBeforeAttempt,
  statusAfter,
} from './deliveryDecision';

export interface DeliverDependencies {
  subscription(topic: string, name: string): Promise<SubscriptionRecord | undefined>;
  getDelivery(eventKey: string, deliveryId: string): Promise<DeliveryRecord | undefined>;
  createDeliveryIfAbsent(record: DeliveryRecord): Promise<{ record: DeliveryRecord; created: boolean }>;
  recordAttempt(
    eventKey: string,
    deliveryId: string,
    attempt: DeliveryAttempt,
    update: Pick<DeliveryRecord, 'status' | 'nextAttemptAt' | 'deadLetter'>,
  ): Promise<DeliveryRecord>;
  getPayload(ref: string): Promise<string | undefined>;
  /** POSTs the signed event; never throws for network trouble. `message`: whose attempt it is. */
  deliverWebhook(delivery: WebhookDelivery, message: DeliveryMessage): Promise<WebhookResult>;
  /** Sends the event to a Service Bus queue or topic destination; throws on failure. */
  sendToServiceBus(
    destination: Exclude<Destination, { endpointType: 'WebHook' }>,
    event: CloudEventJson,
    deliveryId: string,
  ): Promise<void>;
  /** Classifies an error thrown by sendToServiceBus. */
  classifyServiceBusError(error: unknown): AttemptClassification;
  scheduleDelivery(
    message: DeliveryMessage,
    at: Date,
    traceProperties: Record<string, string>,
  ): Promise<void>;
  sendDeadLetter(message: DeadLetterMessage, traceProperties: Record<string, string>): Promise<void>;
  /**
   * After 410 Gone: disables the subscription, but only the version that was called (`called`),
   * never one replaced since (shared/pipeline/disableSubscription.ts).
   */
  disableSubscription(called: SubscriptionRecord, reason: string): Promise<void>;
  now(): Date;
  random?: RandomSource;
  /**
   * True when Service Bus hands this message over for the first time (trigger metadata
   * DeliveryCount 1). Lets the first attempt skip reading a delivery record that cannot exist yet.
   */
  firstReceipt?: boolean;
}

export type DeliverResult =
  | { kind: 'alreadyProcessed'; status: DeliveryRecord['status'] }
  | {
      kind: 'attempted';
      decision: DeliveryDecision;
      attempt: DeliveryAttempt;
      record: DeliveryRecord;
      /** False when the delivery was given up before calling its destination (deleted, disabled, expired). */
      destinationCalled: boolean;
    };

/**
 * One attempt of one delivery. The order makes a crash at any point safe: the next step (retry
 * message or dead letter) is sent before the attempt is recorded, so a recorded attempt always
 * has its follow-up; a redelivered message whose attempt is recorded does nothing again.
 */
export async function deliverAttempt(
  dependencies: DeliverDependencies,
  message: DeliveryMessage,
  traceProperties: Record<string, string> = {},
): Promise<DeliverResult> {
  const existing = mayExistAlready(dependencies, message)
    ? await dependencies.getDelivery(message.eventKey, message.deliveryId)
    : undefined;
  if (existing?.attempts.some((attempt) => attempt.n === message.attempt)) {
    return { kind: 'alreadyProcessed', status: existing.status };
  }

  const subscription = await dependencies.subscription(message.topic, message.subscription);
  const started = dependencies.now();
  let attempt: DeliveryAttempt;
  let decision: DeliveryDecision;
  let destinationCalled = false;
  const skipped = whyNotAttempted(subscription, message, started);
  if (skipped || !subscription) {
    const reason = skipped ?? { reason: 'SubscriptionDeleted', description: 'the subscription was deleted' };
    attempt = {
      n: message.attempt,
      at: started.toISOString(),
      outcome: 'permanentFailure',
      durationMs: 0,
      error: reason.description,
    };
    decision = { kind: 'deadLetter', ...reason, disableSubscription: false };
  } else {
    destinationCalled = true;
    const event = await eventOf(dependencies, message);
    const { classification, httpStatus, responseBody } = await attemptOnce(
      dependencies,
      subscription,
      message,
      event,
    );
    attempt = {
      n: message.attempt,
      at: started.toISOString(),
      outcome: classification.outcome,
      durationMs: dependencies.now().getTime() - started.getTime(),
      ...(httpStatus !== undefined ? { httpStatus } : {}),
      ...(classification.outcome !== 'succeeded' ? { error: classification.description } : {}),
      ...(responseBody !== undefined ? { responseBody } : {}),
    };
    decision = decideAfterAttempt({
      classification,
      attempt: message.attempt - (message.firstAttemptNumber ?? 1) + 1,
      firstAttemptAt: message.firstAttemptAt,
      policy: subscription.retryPolicy,
      now: dependencies.now(),
      ...(dependencies.random ? { random: dependencies.random } : {}),
    });
  }

  await followUp(dependencies, message, subscription, decision, traceProperties);
  const recorded = await recordOutcome(dependencies, message, attempt, decision, existing);
  return { kind: 'attempted', decision, attempt, record: recorded, destinationCalled };
}

/**
 * Whether the delivery record must be read before attempting. The read is the idempotency check
 * for redeliveries (a crash after the attempt but before completing the message). A first
 * attempt (not a redrive) that Service Bus delivers for the first time has no record yet, so the
 * read (a 404, one of three Cosmos requests per delivery) is skipped and createIfAbsent decides.
 * Trade-off: a duplicate delivery message that the deliveries queue's duplicate detection (10
 * min) let through would POST the event a second time with the same webhook-id, which receivers
 * dedupe by contract; the record still gets the attempt once (recordAttempt is idempotent).
 * Redeliveries (DeliveryCount > 1), redrives and route re-runs (which name firstAttemptNumber 1,
 * see route.ts) always read, so crash safety and republish idempotency are unchanged.
 */
function mayExistAlready(dependencies: DeliverDependencies, message: DeliveryMessage): boolean {
  const firstAttempt = message.firstAttemptNumber === undefined && message.attempt === 1;
  return !(firstAttempt && dependencies.firstReceipt === true);
}

function whyNotAttempted(
  subscription: SubscriptionRecord | undefined,
  message: DeliveryMessage,
  now: Date,
): { reason: string; description: string } | undefined {
  if (!subscription) return { reason: 'SubscriptionDeleted', description: 'the subscription was deleted' };
  if (subscription.status === 'disabled') {
    return {
      reason: 'SubscriptionDisabled',
      description: `the subscription is disabled${subscription.disabledReason ? `: ${subscription.disabledReason}` : ''}`,
    };
  }
  if (expiredBeforeAttempt(message.firstAttemptAt, subscription.retryPolicy, now)) {
    return {
      reason: 'TimeToLiveExceeded',
      description: `the event's time to live of ${subscription.retryPolicy.eventTimeToLiveInMinutes} min ran out before attempt ${message.attempt}`,
    };
  }
  return undefined;
}

async function eventOf(dependencies: DeliverDependencies, message: DeliveryMessage): Promise<CloudEventJson> {
  if (message.event) return message.event;
  if (!message.payloadRef)
    {throw new Error(`delivery ${message.deliveryId} carries neither event nor payloadRef`);}
  const json = await dependencies.getPayload(message.payloadRef);
  // Thrown, not dead-lettered: storage may be briefly unavailable; Service Bus retries.
  if (json === undefined) throw new Error(`claim-check payload ${message.payloadRef} not found`);
  return JSON.parse(json) as CloudEventJson;
}

async function attemptOnce(
  dependencies: DeliverDependencies,
  subscription: SubscriptionRecord,
  message: DeliveryMessage,
  event: CloudEventJson,
): Promise<{ classification: AttemptClassification; httpStatus?: number; responseBody?: string }> {
  const destination = subscription.destination;
  if (destination.endpointType === 'WebHook') {
    const result = await dependencies.deliverWebhook(
      {
        endpointUrl: destination.endpointUrl,
        event,
        signingSecret: subscription.signingSecret,
        deliveryId: message.deliveryId,
        ...(destination.headers ? { headers: destination.headers } : {}),
      },
      message,
    );
    return {
      classification: classifyOutcome(result),
      ...(result.status !== undefined ? { httpStatus: result.status } : {}),
      ...(result.responseBodyPrefix !== undefined ? { responseBody: result.responseBodyPrefix } : {}),
    };
  }
  try {
    await dependencies.sendToServiceBus(destination, event, message.deliveryId);
    return {
      classification: {
        outcome: 'succeeded',
        reason: 'Delivered',
        description: 'sent to Service Bus',
        disableSubscription: false,
      },
    };
  } catch (error) {
    return { classification: dependencies.classifyServiceBusError(error) };
  }
}

async function followUp(
  dependencies: DeliverDependencies,
  message: DeliveryMessage,
  subscription: SubscriptionRecord | undefined,
  decision: DeliveryDecision,
  traceProperties: Record<string, string>,
): Promise<void> {
  if (decision.kind === 'retry') {
    const next: DeliveryMessage = { ...message, attempt: message.attempt + 1 };
    await dependencies.scheduleDelivery(next, decision.at, traceProperties);
  } else if (decision.kind === 'deadLetter') {
    await dependencies.sendDeadLetter(
      {
        ...message,
        reason: decision.reason,
        description: decision.description,
        deadLetteredAt: dependencies.now().toISOString(),
      },
      traceProperties,
    );
    if (decision.disableSubscription && subscription) {
      await dependencies.disableSubscription(subscription, decision.description);
    }
  }
}

async function recordOutcome(
  dependencies: DeliverDependencies,
  message: DeliveryMessage,
  attempt: DeliveryAttempt,
  decision: DeliveryDecision,
  existing: DeliveryRecord | undefined,
): Promise<DeliveryRecord> {
  const now = dependencies.now().toISOString();
  const update: Pick<DeliveryRecord, 'status' | 'nextAttemptAt' | 'deadLetter'> = {
    status: statusAfter(decision),
    ...(decision.kind === 'retry' ? { nextAttemptAt: decision.at.toISOString() } : {}),
    ...(decision.kind === 'deadLetter'
      ? { deadLetter: { reason: decision.reason, description: decision.description, at: now } }
      : {}),
  };
  if (!existing) {
    // The first attempt creates the record: one write, as for every later attempt.
    const { record: created, created: wasCreated } = await dependencies.createDeliveryIfAbsent({
      id: message.deliveryId,
      deliveryId: message.deliveryId,
      eventKey: message.eventKey,
      topic: message.topic,
      subscription: message.subscription,
      attempts: [attempt],
      createdAt: now,
      updatedAt: now,
      ttl: RECORD_TTL_SECONDS,
      ...update,
    });
    if (wasCreated) return created;
  }
  return dependencies.recordAttempt(message.eventKey, message.deliveryId, attempt, update);
}
