import type { RetryPolicy } from '../domain/types';
import { type RandomSource, scheduledDelayMs, withJitter } from './retrySchedule';

/** Why a delivery stops being retried (also the dead-letter reason, as Event Grid names them). */
export type ExhaustedReason = 'MaxDeliveryAttemptsExceeded' | 'TimeToLiveExceeded';

export type NextAttempt = { at: Date; delayMs: number } | { exhausted: ExhaustedReason; description: string };

export interface NextAttemptInput {
  /** 1-based number of the attempt that just failed. */
  attempt: number;
  now: Date;
  /** When the first attempt was scheduled; the event's time to live runs from here. */
  firstAttemptAt: Date | string;
  policy: RetryPolicy;
  /** From a Retry-After header (429/503): never retry before it. */
  retryAfterMs?: number;
  /** A floor for this kind of failure (Event Grid: 408 -> 2 min, 503 -> 30 s). */
  minDelayMs?: number;
  random?: RandomSource;
}

/**
 * When to make the next attempt after a retryable failure, or why there is none: the attempt
 * budget is spent, or the next attempt would fall after the event's time to live. The pause is
 * the (custom or default) schedule with jitter, raised to Retry-After and the failure's floor.
 */
export function nextAttempt(input: NextAttemptInput): NextAttempt {
  const { attempt, now, policy } = input;
  if (attempt >= policy.maxDeliveryAttempts) {
    return {
      exhausted: 'MaxDeliveryAttemptsExceeded',
      description: `gave up after ${attempt} of ${policy.maxDeliveryAttempts} delivery attempts`,
    };
  }
  const jittered = withJitter(scheduledDelayMs(attempt, policy.schedule), input.random);
  const delayMs = Math.max(jittered, input.retryAfterMs ?? 0, input.minDelayMs ?? 0);
  const at = new Date(now.getTime() + delayMs);
  const expiresAt = new Date(
    new Date(input.firstAttemptAt).getTime() + policy.eventTimeToLiveInMinutes * 60_000,
  );
  // Negated on purpose: an unreadable firstAttemptAt makes expiresAt NaN, which must end retries.
  if (!(at.getTime() <= expiresAt.getTime())) {
    const asked =
      input.retryAfterMs !== undefined && input.retryAfterMs >= jittered ? ' (as Retry-After asked)' : '';
    return {
      exhausted: 'TimeToLiveExceeded',
      description:
        `the next attempt${asked} at ${isoOrInvalid(at)} would be after the event's time to live of ` +
        `${policy.eventTimeToLiveInMinutes} min, which ended at ${isoOrInvalid(expiresAt)}`,
    };
  }
  return { at, delayMs };
}

function isoOrInvalid(date: Date): string {
  return Number.isNaN(date.getTime()) ? 'an invalid time' : date.toISOString();
}
