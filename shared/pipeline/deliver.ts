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
import { type DeliveryAttemptStore, recordDeliveryAttempt } from './deliveryRecord';
import { signingSecretsAt } from '../subscriptions/signingSecret';
import type { SystemEventSink } from '../system/systemEvents';
import { type DeliveryGate, OPEN_GATE } from '../protection/deliveryGate';
import type { HoldReason } from '../protection/deliveryProtection';
import { claimCheckNameProblem, eventFromClaimCheck, type StoredPayload } from '../payloads/claimCheck';
import {
  type DeliveryDecision,
  decideAfterAttempt,
  expiredBeforeAttempt,
  statusAfter,
} from './deliveryDecision';

export interface DeliverDependencies extends DeliveryAttemptStore {
  subscription(topic: string, name: string): Promise<SubscriptionRecord | undefined>;
  getDelivery(eventKey: string, deliveryId: string): Promise<DeliveryRecord | undefined>;
  /** The payload under a claim-check reference, undefined if there is none; throws on an outage. */
  getPayload(ref: string): Promise<StoredPayload | undefined>;
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
  /** Where `delivery.deadLettered` goes for subscriptions with notifications.deadLettered. */
  systemEvents?: SystemEventSink;
  /**
   * The delivery-path protections (rate and concurrency limits, circuit breaker, auto-disable;
   * shared/protection). Absent: every delivery is attempted.
   */
  gate?: DeliveryGate;
  now(): Date;
  random?: RandomSource;
  /**
   * True when Service Bus hands this message over for the first time (trigger metadata
   * DeliveryCount 1). Lets the first attempt skip reading a delivery record that cannot exist yet.
   */
  firstReceipt?: boolean;
  /**
   * The attempt an earlier run of this invocation made and could not record (a dependency
   * outage after the destination answered): recorded now, without calling the destination again.
   */
  answered?: AnsweredAttempt;
  /** Told once the destination has answered, before the follow-up and the record. */
  onAnswered?(answered: AnsweredAttempt): void;
}

/** An attempt whose destination answered, as the invocation keeps it until it is recorded. */
export interface AnsweredAttempt {
  /** The message's attempt number it belongs to. */
  n: number;
  subscription: SubscriptionRecord;
  attempt: DeliveryAttempt;
  decision: DeliveryDecision;
}

export type DeliverResult =
  | { kind: 'alreadyProcessed'; status: DeliveryRecord['status'] }
  /** Held by a protection and scheduled again for `until`, without using an attempt. */
  | { kind: 'held'; reason: HoldReason; until: Date }
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
 * has its follow-up; a redelivered message whose attempt is recorded does nothing again. Nothing
 * else stands between the destination's answer and the record (the protections count after it),
 * so the window in which a crash repeats an answered attempt is as short as it can be.
 */
export async function deliverAttempt(
  dependencies: DeliverDependencies,
  message: DeliveryMessage,
  traceProperties: Record<string, string> = {},
): Promise<DeliverResult> {
  const existing = mayExistAlready(dependencies, message)
    ? await dependencies.getDelivery(message.eventKey, message.deliveryId)
    : undefined;
  // This attempt, or a later one, is recorded: the delivery has moved on. A later one exists only
  // once this one's follow-up was sent (or a redrive or reconcile went on from it), so a message
  // of an earlier attempt that comes back (its host died after the follow-up, before recording;
  // the lock expired a minute later) would only call the destination again for nothing.
  if (existing?.attempts.some((attempt) => attempt.n >= message.attempt)) {
    return { kind: 'alreadyProcessed', status: existing.status };
  }
  const answered = dependencies.answered;
  if (answered?.n === message.attempt) {
    // Answered in an earlier run of this invocation: only the follow-up and the record are left.
    await followUp(dependencies, message, answered.subscription, answered.decision, traceProperties);
    const record = await recordOutcome(dependencies, message, answered.attempt, answered.decision, existing);
    return {
      kind: 'attempted',
      decision: answered.decision,
      attempt: answered.attempt,
      record,
      destinationCalled: true,
    };
  }

  const subscription = await dependencies.subscription(message.topic, message.subscription);
  const started = dependencies.now();
  let attempt: DeliveryAttempt;
  let decision: DeliveryDecision;
  let destinationCalled = false;
  /** The protections' count of the attempt, made once the attempt is recorded (see below). */
  let settleProtections: (() => Promise<void>) | undefined;
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
    const admission = dependencies.gate
      ? await dependencies.gate.admit(subscription, message, traceProperties)
      : OPEN_GATE;
    if (admission.kind === 'held') return { kind: 'held', reason: admission.reason, until: admission.until };
    const loaded = await eventOf(dependencies, message);
    if (!loaded.ok) {
      await admission.settle(undefined);
      return giveUpBeforeAttempt(dependencies, message, subscription, existing, started, traceProperties, {
        reason: 'InvalidClaimCheck',
        description: loaded.description,
      });
    }
    const { event } = loaded;
    destinationCalled = true;
    const { classification, httpStatus, responseBody } = await attemptOnce(
      dependencies,
      subscription,
      message,
      event,
    );
    settleProtections = () => admission.settle(classification.outcome);
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
    dependencies.onAnswered?.({ n: message.attempt, subscription, attempt, decision });
  }

  // The destination has answered: from here to the recorded attempt, a crash makes the attempt
  // again (a duplicate with the same webhook-id). So the protections' count (reads and writes
  // of a document shared by every delivery of the subscription, which queue behind each other
  // under load) waits until the attempt is recorded; a crash in between loses the count, not
  // the record. It runs even when recording throws, so a lease is given back.
  try {
    await followUp(dependencies, message, subscription, decision, traceProperties);
    const recorded = await recordOutcome(dependencies, message, attempt, decision, existing);
    return { kind: 'attempted', decision, attempt, record: recorded, destinationCalled };
  } finally {
    await settleProtections?.();
  }
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
  // Its endpoint changed and has not agreed to the handshake: nothing goes there until it does.
  if (subscription.status === 'pendingValidation') {
    return {
      reason: 'SubscriptionPendingValidation',
      description: `the subscription's endpoint has not agreed to the validation handshake${subscription.validationState?.reason ? `: ${subscription.validationState.reason}` : ''}`,
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

/**
 * The event to deliver. A claim check is followed only when it is the one route wrote for this
 * message's topic and event key (the same checks as at ingress, shared/payloads/claimCheck.ts):
 * a message forged onto `deliveries` cannot make a subscription of one topic receive another
 * topic's event. Only a storage failure throws (Service Bus retries).
 */
async function eventOf(
  dependencies: DeliverDependencies,
  message: DeliveryMessage,
): Promise<{ ok: true; event: CloudEventJson } | { ok: false; description: string }> {
  if (message.event) return { ok: true, event: message.event };
  if (!message.payloadRef)
    throw new Error(`delivery ${message.deliveryId} carries neither event nor payloadRef`);
  const owner = { topic: message.topic, eventKey: message.eventKey };
  const nameProblem = claimCheckNameProblem(message.payloadRef, owner);
  if (nameProblem) return { ok: false, description: nameProblem };
  return eventFromClaimCheck(owner, await dependencies.getPayload(message.payloadRef));
}

/** A delivery given up before its destination was called: dead-lettered with the reason. */
async function giveUpBeforeAttempt(
  dependencies: DeliverDependencies,
  message: DeliveryMessage,
  subscription: SubscriptionRecord,
  existing: DeliveryRecord | undefined,
  started: Date,
  traceProperties: Record<string, string>,
  why: { reason: string; description: string },
): Promise<DeliverResult> {
  const attempt: DeliveryAttempt = {
    n: message.attempt,
    at: started.toISOString(),
    outcome: 'permanentFailure',
    durationMs: 0,
    error: why.description,
  };
  const decision: DeliveryDecision = { kind: 'deadLetter', ...why, disableSubscription: false };
  await followUp(dependencies, message, subscription, decision, traceProperties);
  const record = await recordOutcome(dependencies, message, attempt, decision, existing);
  return { kind: 'attempted', decision, attempt, record, destinationCalled: false };
}

async function attemptOnce(
  dependencies: DeliverDependencies,
  subscription: SubscriptionRecord,
  message: DeliveryMessage,
  event: CloudEventJson,
): Promise<{ classification: AttemptClassification; httpStatus?: number; responseBody?: string }> {
  const destination = subscription.destination;
  if (destination.endpointType === 'WebHook') {
    const secrets = signingSecretsAt(subscription, dependencies.now());
    const result = await dependencies.deliverWebhook(
      {
        endpointUrl: destination.endpointUrl,
        event,
        signingSecret: secrets.current,
        ...(secrets.previous ? { previousSigningSecret: secrets.previous } : {}),
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
    // Before the attempt is recorded, like the dead letter: a re-run emits the same event again,
    // whose id (from the delivery and attempt) makes the copy a duplicate.
    if (subscription?.notifications?.deadLettered && dependencies.systemEvents) {
      await dependencies.systemEvents.emit({
        type: 'delivery.deadLettered',
        topic: message.topic,
        subscription: message.subscription,
        data: {
          deliveryId: message.deliveryId,
          eventKey: message.eventKey,
          attempt: message.attempt,
          reason: decision.reason,
          description: decision.description,
        },
      });
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
  return recordDeliveryAttempt(dependencies, message, attempt, update, existing, now);
}
