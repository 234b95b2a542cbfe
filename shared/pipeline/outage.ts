import { createHash, randomUUID } from 'node:crypto';
import type { ServiceBusMessage } from '@azure/service-bus';
import { unavailableDependency } from '../app/dependencyOutage';
import type { ApplicationPropertyValue } from '../events/serviceBusEventInput';

/**
 * How `route` and `deliver` ride out a dependency outage (Cosmos DB, Blob storage, Service Bus
 * sends) without burning the message's delivery count, which would dead-letter it natively in
 * seconds:
 * 1. inside the invocation (the message stays locked), the whole step is run again after
 *    IN_INVOCATION_RETRY_DELAYS_MS, as long as each failure is an outage;
 * 2. then a copy of the message is scheduled on the same queue after postponementDelayMs(n)
 *    (15 s, doubling up to 5 min) and the invocation succeeds, so the host completes the
 *    original: its delivery count never moves;
 * 3. after MAX_OUTAGE_POSTPONEMENTS (24 h of outage) the error is thrown as any other: the host
 *    abandons, Service Bus dead-letters the message after MaxDeliveryCount, and the reconcile
 *    function turns it into a product dead letter that can be redriven.
 * If the copy cannot be scheduled (Service Bus itself down), the error is thrown: the host
 * abandons (or the lock expires) and Service Bus redelivers the original.
 */

/** Waits before running the step again within one invocation: 7.5 s in all, well inside the lock. */
export const IN_INVOCATION_RETRY_DELAYS_MS: readonly number[] = [500, 1_000, 2_000, 4_000];

/**
 * Waits before recording again an attempt whose destination has already answered: the same as
 * above, then every 2 s. Postponing such an attempt would call the destination a second time
 * once the dependency is back (a duplicate for the receiver), so the invocation keeps the answer
 * and waits for the dependency instead, for at most ANSWERED_PATIENCE_MS after the answer. Every
 * 2 s, so the answer is recorded soon after the dependency is back: until then a crash of the
 * instance (the lock is no longer renewed) still makes the attempt again.
 */
const ANSWERED_RETRY_DELAYS_MS: readonly number[] = [
  ...IN_INVOCATION_RETRY_DELAYS_MS,
  ...Array.from({ length: 120 }, () => 2_000),
];

/**
 * How long after its destination answered an attempt may wait in its invocation to be
 * recorded: inside the message lock's automatic renewal (host.json maxAutoLockRenewalDuration,
 * 5 min), with a margin for the runs themselves. Only a longer outage postpones it.
 */
export const ANSWERED_PATIENCE_MS = 4 * 60_000;

/**
 * The waits between runs of a deliver step: longer once its destination has answered (at
 * `answeredAtMs`), until ANSWERED_PATIENCE_MS after the answer; then the ordinary ones, which by
 * then are used up, so the step is postponed.
 */
export function deliverRetryDelaysMs(answeredAtMs: number | undefined, nowMs: number): readonly number[] {
  return answeredAtMs !== undefined && nowMs - answeredAtMs < ANSWERED_PATIENCE_MS
    ? ANSWERED_RETRY_DELAYS_MS
    : IN_INVOCATION_RETRY_DELAYS_MS;
}

export const FIRST_POSTPONEMENT_DELAY_MS = 15_000;
export const MAX_POSTPONEMENT_DELAY_MS = 5 * 60_000;
/** Postponements before giving up: 15+30+60+120+240 s, then 5 min each, add up to just over 24 h. */
export const MAX_OUTAGE_POSTPONEMENTS = 293;

/** Application property counting how often a message was postponed for an outage. */
export const OUTAGE_POSTPONEMENTS_PROPERTY = 'outagePostponements';
const POSTPONED_ID_SUFFIX = /~outage-\d+$/;

/** Service Bus refuses message ids longer than this. */
const MAX_MESSAGE_ID_LENGTH = 128;

/** The delay before postponed copy number `postponement` (1-based) is handed out again. */
export function postponementDelayMs(postponement: number): number {
  return Math.min(
    MAX_POSTPONEMENT_DELAY_MS,
    FIRST_POSTPONEMENT_DELAY_MS * 2 ** Math.max(0, postponement - 1),
  );
}

/** What to do when a step still finds a dependency down after its in-invocation retries. */
export type OutageDecision = { kind: 'postpone'; postponement: number; delayMs: number } | { kind: 'giveUp' };

/** `postponements`: how often this message was postponed already (0 for an original). */
export function decideAfterOutage(postponements: number): OutageDecision {
  if (postponements >= MAX_OUTAGE_POSTPONEMENTS) return { kind: 'giveUp' };
  const postponement = postponements + 1;
  return { kind: 'postpone', postponement, delayMs: postponementDelayMs(postponement) };
}

/**
 * Total time messages are postponed before giving up (docs/operations.md quotes it; a unit test
 * keeps the two in step).
 * @public
 */
export function outageRideOutMs(): number {
  let total = 0;
  for (let n = 1; n <= MAX_OUTAGE_POSTPONEMENTS; n += 1) total += postponementDelayMs(n);
  return total;
}

/**
 * The postponement count a message says it has. A forged or broken value counts as 0: at worst
 * a message is postponed longer than planned, which costs time, never the message.
 */
export function postponementsOf(properties: Readonly<Record<string, unknown>>): number {
  const value = properties[OUTAGE_POSTPONEMENTS_PROPERTY];
  return typeof value === 'number' &&
    Number.isInteger(value) &&
    value >= 0 &&
    value <= MAX_OUTAGE_POSTPONEMENTS
    ? value
    : 0;
}

/**
 * The messageId of postponed copy `postponement` of a message. Never the original's id: the
 * queue's duplicate detection (10 min) would silently drop the copy, and completing the original
 * would then lose the event. Derived from the first message's id and the number, so a re-run of
 * the same invocation (a crash after the copy was scheduled) sends the same id and the second
 * copy is dropped. Without an original id (a publisher that set none) every copy is unique.
 */
export function postponedMessageId(messageId: string | undefined, postponement: number): string {
  return derivedMessageId(messageId, POSTPONED_ID_SUFFIX, `~outage-${postponement}`);
}

/**
 * The messageId of a copy: the first message's id (`repeatedSuffix` taken off, so copies of
 * copies do not grow) plus `suffix`, hashed when too long for Service Bus; random without an
 * original id. Deterministic, so a re-run sends the same id and duplicate detection drops it.
 */
export function derivedMessageId(
  messageId: string | undefined,
  repeatedSuffix: RegExp,
  suffix: string,
): string {
  const rootMessageId = messageId?.replace(repeatedSuffix, '');
  if (!rootMessageId) return `${randomUUID()}${suffix}`;
  const root =
    rootMessageId.length + suffix.length <= MAX_MESSAGE_ID_LENGTH
      ? rootMessageId
      : createHash('sha256').update(rootMessageId, 'utf8').digest('base64url');
  return `${root}${suffix}`;
}

/** A received message as a function sees it: its body and the metadata a copy must keep. */
export interface ReceivedMessage {
  /** A string, bytes, or a value the host already decoded from JSON. */
  body: unknown;
  messageId?: string;
  contentType?: string;
  subject?: string;
  correlationId?: string;
  applicationProperties: Readonly<Record<string, ApplicationPropertyValue>>;
}

/**
 * Postponed copy number `postponement` of a message: the same body, content type, subject,
 * correlation id and application properties (topic, claim-check reference, trace context, ...),
 * a new messageId (postponedMessageId) and the postponement count.
 */
export function postponedCopy(
  original: ReceivedMessage,
  postponement: number,
): ServiceBusMessage & { messageId: string } {
  return copyOf(original, postponedMessageId(original.messageId, postponement), {
    [OUTAGE_POSTPONEMENTS_PROPERTY]: postponement,
  });
}

/** A copy of a received message under `messageId`, its application properties plus `counts`. */
export function copyOf(
  original: ReceivedMessage,
  messageId: string,
  counts: Readonly<Record<string, number>>,
): ServiceBusMessage & { messageId: string } {
  return {
    body: bodyBytes(original.body),
    messageId,
    ...(original.contentType ? { contentType: original.contentType } : {}),
    ...(original.subject ? { subject: original.subject } : {}),
    ...(original.correlationId ? { correlationId: original.correlationId } : {}),
    applicationProperties: { ...original.applicationProperties, ...counts },
  };
}

/** The body as the bytes of an AMQP data section: what publishers and Switchyard send. */
export function bodyBytes(body: unknown): Buffer {
  if (Buffer.isBuffer(body)) return body;
  if (body instanceof Uint8Array) return Buffer.from(body);
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  return Buffer.from(JSON.stringify(body ?? null), 'utf8');
}

export type OutageOutcome<T> =
  | { kind: 'done'; result: T }
  | { kind: 'postponed'; dependency: string; postponement: number; at: Date; error: unknown };

export interface RideOutOptions {
  /** How often the message was postponed already. */
  postponements: number;
  /** Schedules the copy; throws if it could not (Service Bus down too). */
  postpone(postponement: number, at: Date): Promise<void>;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  /** The waits between runs; a function is asked at each failure (the step may have got further). */
  retryDelaysMs?: readonly number[] | (() => readonly number[]);
  /** Told of each failure that is an outage (for the log). */
  onOutage?: (dependency: string, error: unknown, retryInMs: number | undefined) => void;
}

/**
 * Runs `step` (a whole, idempotent pipeline step; `rerun` is true from the second run on, when
 * an earlier run may have done part of it) through an outage as described above. Errors that
 * are no outage are thrown at once.
 */
export async function rideOutOutage<T>(
  step: (rerun: boolean) => Promise<T>,
  options: RideOutOptions,
): Promise<OutageOutcome<T>> {
  const delaysOf = (): readonly number[] => {
    const delays = options.retryDelaysMs ?? IN_INVOCATION_RETRY_DELAYS_MS;
    return typeof delays === 'function' ? delays() : delays;
  };
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = options.now ?? (() => new Date());
  for (let run = 0; ; run += 1) {
    try {
      return { kind: 'done', result: await step(run > 0) };
    } catch (error) {
      const dependency = unavailableDependency(error);
      if (!dependency) throw error;
      const retryInMs = delaysOf()[run];
      options.onOutage?.(dependency, error, retryInMs);
      if (retryInMs !== undefined) {
        await sleep(retryInMs);
        continue;
      }
      const decision = decideAfterOutage(options.postponements);
      if (decision.kind === 'giveUp') throw error;
      const at = new Date(now().getTime() + decision.delayMs);
      await options.postpone(decision.postponement, at);
      return { kind: 'postponed', dependency, postponement: decision.postponement, at, error };
    }
  }
}
