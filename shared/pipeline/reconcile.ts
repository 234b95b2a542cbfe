import type { ServiceBusMessage } from '@azure/service-bus';
import { REJECTED_INGRESS_SESSION_ID } from '../domain/deadLetterSession';
import type {
  DeadLetterMessage,
  DeliveryAttempt,
  DeliveryMessage,
  DeliveryRecord,
  EventRecord,
  RouteFailure,
} from '../domain/types';
import type { ApplicationPropertyValue } from '../events/serviceBusEventInput';
import { type DeliveryAttemptStore, recordDeliveryAttempt } from './deliveryRecord';
import { originalOf } from './ingressDeadLetter';
import { parseDeadLetterMessage, parseDeliveryMessage } from './parseDeliveryMessage';
import { rejectedIngressMessage } from './rejectedIngress';

/** A message in a native dead-letter sub-queue, as reconcile reads it (body not parsed). */
export interface NativeDeadLetter {
  body: unknown;
  messageId?: string | number;
  contentType?: string;
  subject?: string;
  correlationId?: string | number;
  sessionId?: string;
  /** When the sender's message was enqueued. */
  enqueuedTimeUtc?: Date;
  applicationProperties: Record<string, ApplicationPropertyValue>;
  deadLetterReason?: string;
  deadLetterErrorDescription?: string;
  /** Deliveries before Service Bus gave up on it. */
  deliveryCount?: number;
}

/** `handled`: take it off the sub-queue. `left`: it stays there (visible as poison), untouched. */
export type Disposition = 'handled' | 'left';

export type NativeQueue = 'ingress' | 'deliveries' | 'deadletters';

export interface ReconcileDependencies extends DeliveryAttemptStore {
  /**
   * Receives up to `max` messages of a queue's native dead-letter sub-queue and calls `handle`
   * for each: `handled` completes it, `left` abandons it (it stays), a throw abandons it and is
   * counted as failed.
   */
  drainNativeDeadLetters(
    queue: NativeQueue,
    max: number,
    handle: (message: NativeDeadLetter) => Promise<Disposition>,
  ): Promise<DrainCounts>;
  /** A raw message for the `deadletters` queue (an ingress dead letter, or a copy put back). */
  sendRawDeadLetter(message: ServiceBusMessage): Promise<void>;
  sendDeadLetter(message: DeadLetterMessage): Promise<void>;
  sendDeliveries(messages: DeliveryMessage[]): Promise<void>;
  getDelivery(eventKey: string, deliveryId: string): Promise<DeliveryRecord | undefined>;
  listOverdueRetries(dueBefore: Date, max: number): Promise<DeliveryRecord[]>;
  markRetryReenqueued(eventKey: string, deliveryId: string, nextAttemptAt: string): Promise<unknown>;
  getEvent(eventKey: string): Promise<EventRecord | undefined>;
  /** The last error route threw on an ingress message (kept by the route trigger), if any. */
  getRouteFailure(messageId: string): Promise<RouteFailure | undefined>;
  newMessageId(): string;
  now(): Date;
}

export interface DrainCounts {
  handled: number;
  left: number;
  failed: number;
}

export interface ReconcileReport {
  ingress: DrainCounts;
  deliveries: DrainCounts;
  deadletters: DrainCounts;
  overdueRetries: { reenqueued: number; deadLettered: number; failed: number };
}

export interface ReconcileOptions {
  /** How long past its nextAttemptAt a `retrying` delivery may stay before it is re-enqueued. */
  graceMs: number;
  /** Messages taken per sub-queue, and overdue records, per run. */
  maxPerRun?: number;
}

/** Why a delivery that Service Bus dead-lettered natively is a product dead letter. */
export const PROCESSING_FAILED_REASON = 'ProcessingFailed';
/** A `retrying` delivery whose retry message and event record are both gone. */
export const RETRY_LOST_REASON = 'RetryLost';

const DEFAULT_MAX_PER_RUN = 100;

/**
 * One pass of the reconcile timer: every message Service Bus dead-lettered natively (a function
 * failed on it MaxDeliveryCount times, or it expired) becomes a product record that the API
 * shows and can redrive, and no delivery stays `retrying` long after its next attempt was due.
 * Each step is safe to repeat: a message leaves its sub-queue only after what replaces it was
 * written, so a crash in between writes it again at worst.
 */
export async function reconcile(
  dependencies: ReconcileDependencies,
  options: ReconcileOptions,
): Promise<ReconcileReport> {
  const max = options.maxPerRun ?? DEFAULT_MAX_PER_RUN;
  const ingress = await dependencies.drainNativeDeadLetters('ingress', max, (message) =>
    reconcileIngressPoison(dependencies, message),
  );
  const deliveries = await dependencies.drainNativeDeadLetters('deliveries', max, (message) =>
    reconcileDeliveryPoison(dependencies, message),
  );
  const deadletters = await dependencies.drainNativeDeadLetters('deadletters', max, (message) =>
    reconcileDeadLetterPoison(dependencies, message),
  );
  const overdueRetries = await reconcileOverdueRetries(dependencies, options.graceMs, max);
  return { ingress, deliveries, deadletters, overdueRetries };
}

function nativeCause(message: NativeDeadLetter): string {
  const reason = message.deadLetterReason ?? 'dead-lettered by Service Bus';
  const description = message.deadLetterErrorDescription ? `: ${message.deadLetterErrorDescription}` : '';
  const count = message.deliveryCount !== undefined ? ` after ${message.deliveryCount} deliveries` : '';
  return `${reason}${description}${count}`;
}

/**
 * Ingress poison becomes an ingress dead letter (session `$ingress`), in the shape route gives
 * rejected messages, with the whole original so redrive can send it back. When route failed on
 * it, the description ends with the last error route threw (the route trigger kept it), so the
 * cause is where the dead letter is.
 */
export async function reconcileIngressPoison(
  dependencies: ReconcileDependencies,
  message: NativeDeadLetter,
): Promise<Disposition> {
  const reason = message.deadLetterReason ?? 'DeadLettered';
  const failure =
    message.messageId !== undefined && String(message.messageId) !== ''
      ? await dependencies.getRouteFailure(String(message.messageId))
      : undefined;
  const lastError = failure
    ? `; last error (delivery ${failure.deliveryCount}, ${failure.at}): ${failure.error}`
    : '';
  const deadLetter = rejectedIngressMessage(
    {
      reason,
      description: `Service Bus dead-lettered the ingress message (${nativeCause(message)})${lastError}; redrive sends it to ingress again`,
    },
    {
      body: message.body,
      contentType: message.contentType ?? null,
      applicationProperties: message.applicationProperties,
      ...(message.messageId !== undefined ? { messageId: String(message.messageId) } : {}),
      ...(message.enqueuedTimeUtc ? { enqueuedTimeUtc: message.enqueuedTimeUtc.toISOString() } : {}),
    },
    dependencies.now(),
    originalOf(message),
  );
  await dependencies.sendRawDeadLetter({ ...deadLetter, messageId: dependencies.newMessageId() });
  return 'handled';
}

/**
 * A delivery message Service Bus dead-lettered: deliver threw on it every time (the error it
 * kept on the record says why). It becomes a product dead letter, recorded as the attempt it was
 * making, so it shows `deadLettered` with the cause and can be redriven. A message whose attempt
 * was recorded after all (only its completion failed) needs nothing; one that is no delivery
 * message stays where it is, for a human.
 */
export async function reconcileDeliveryPoison(
  dependencies: ReconcileDependencies,
  message: NativeDeadLetter,
): Promise<Disposition> {
  let delivery: DeliveryMessage;
  try {
    delivery = parseDeliveryMessage(jsonBody(message.body));
  } catch {
    return 'left';
  }
  const existing = await dependencies.getDelivery(delivery.eventKey, delivery.deliveryId);
  if (existing?.attempts.some((attempt) => attempt.n >= delivery.attempt)) return 'handled';

  const lastError =
    existing?.lastInvocationError?.attempt === delivery.attempt
      ? existing.lastInvocationError.error
      : undefined;
  const description = `deliver failed on attempt ${delivery.attempt} every time (${nativeCause(message)})${lastError ? `; last error: ${lastError}` : ''}`;
  const now = dependencies.now().toISOString();
  await dependencies.sendDeadLetter({
    ...delivery,
    reason: PROCESSING_FAILED_REASON,
    description,
    deadLetteredAt: now,
  });
  await recordDeadLettered(dependencies, delivery, existing, PROCESSING_FAILED_REASON, description);
  return 'handled';
}

/**
 * A message of the `deadletters` queue that Service Bus dead-lettered (redrive failed on it
 * MaxDeliveryCount times) goes back to its session as a fresh copy, where the API and the next
 * redrive find it. A message that is not a dead letter stays.
 */
export async function reconcileDeadLetterPoison(
  dependencies: ReconcileDependencies,
  message: NativeDeadLetter,
): Promise<Disposition> {
  if (message.sessionId === REJECTED_INGRESS_SESSION_ID) {
    await dependencies.sendRawDeadLetter({
      body: message.body,
      contentType: message.contentType ?? 'application/json',
      sessionId: REJECTED_INGRESS_SESSION_ID,
      messageId: dependencies.newMessageId(),
      ...(message.subject ? { subject: message.subject } : {}),
      applicationProperties: message.applicationProperties,
    });
    return 'handled';
  }
  let deadLetter: DeadLetterMessage;
  try {
    deadLetter = parseDeadLetterMessage(jsonBody(message.body));
  } catch {
    return 'left';
  }
  await dependencies.sendDeadLetter(deadLetter);
  return 'handled';
}

/**
 * Deliveries `retrying` for longer than `graceMs` past their next attempt: the retry message
 * was lost (or is poison not yet reconciled). The next attempt is enqueued again, from the
 * event record; its messageId is the attempt's, and deliver skips an attempt already recorded,
 * so a retry message that was only late does no harm. Without an event record to rebuild it
 * from, the delivery is dead-lettered (RetryLost).
 */
export async function reconcileOverdueRetries(
  dependencies: ReconcileDependencies,
  graceMs: number,
  max: number,
): Promise<ReconcileReport['overdueRetries']> {
  const now = dependencies.now();
  const overdue = await dependencies.listOverdueRetries(new Date(now.getTime() - graceMs), max);
  const report = { reenqueued: 0, deadLettered: 0, failed: 0 };
  for (const record of overdue) {
    try {
      const next = await nextAttemptMessage(dependencies, record);
      if (next) {
        await dependencies.sendDeliveries([next]);
        await dependencies.markRetryReenqueued(record.eventKey, record.deliveryId, now.toISOString());
        report.reenqueued += 1;
      } else {
        await recordDeadLettered(
          dependencies,
          { ...record, attempt: nextAttemptNumber(record) },
          record,
          RETRY_LOST_REASON,
          'the retry message was lost and the event record is gone, so the delivery cannot be attempted again',
        );
        report.deadLettered += 1;
      }
    } catch {
      // Left for the next run; the others go on.
      report.failed += 1;
    }
  }
  return report;
}

function nextAttemptNumber(record: DeliveryRecord): number {
  return Math.max(0, ...record.attempts.map((attempt) => attempt.n)) + 1;
}

async function nextAttemptMessage(
  dependencies: ReconcileDependencies,
  record: DeliveryRecord,
): Promise<DeliveryMessage | undefined> {
  const event = await dependencies.getEvent(record.eventKey);
  if (!event || (!event.event && !event.payloadRef)) return undefined;
  const first = record.attempts[0];
  return {
    deliveryId: record.deliveryId,
    eventKey: record.eventKey,
    topic: record.topic,
    subscription: record.subscription,
    attempt: nextAttemptNumber(record),
    // The retry budget and time to live count from the first recorded attempt.
    firstAttemptAt: first?.at ?? record.createdAt,
    ...(first && first.n !== 1 ? { firstAttemptNumber: first.n } : {}),
    ...(event.event ? { event: event.event } : event.payloadRef ? { payloadRef: event.payloadRef } : {}),
  };
}

/** Records `message`'s attempt as the one that dead-lettered the delivery, creating the record if needed. */
async function recordDeadLettered(
  dependencies: ReconcileDependencies,
  message: Pick<DeliveryMessage, 'deliveryId' | 'eventKey' | 'topic' | 'subscription' | 'attempt'>,
  existing: DeliveryRecord | undefined,
  reason: string,
  description: string,
): Promise<void> {
  const now = dependencies.now().toISOString();
  const attempt: DeliveryAttempt = {
    n: message.attempt,
    at: now,
    outcome: 'permanentFailure',
    durationMs: 0,
    error: description,
  };
  const update = { status: 'deadLettered' as const, deadLetter: { reason, description, at: now } };
  await recordDeliveryAttempt(dependencies, message, attempt, update, existing, now);
}

/** A body as received without parsing: bytes or text holding JSON, or an already decoded value. */
function jsonBody(body: unknown): unknown {
  if (typeof body === 'string') return JSON.parse(body) as unknown;
  if (body instanceof Uint8Array) return JSON.parse(Buffer.from(body).toString('utf8')) as unknown;
  return body;
}
