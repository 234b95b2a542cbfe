import type { DeliveryStatus, RetryPolicy } from '../domain/types';
import type { AttemptClassification } from '../delivery/classifyOutcome';
import { nextAttempt } from '../delivery/nextAttempt';
import type { RandomSource } from '../delivery/retrySchedule';

export type DeliveryDecision =
  | { kind: 'succeeded' }
  | { kind: 'retry'; at: Date }
  | { kind: 'deadLetter'; reason: string; description: string; disableSubscription: boolean };

/**
 * What follows an attempt: done, a retry at a time, or a dead letter with a reason a person can
 * read. Pure, so every branch of the delivery rules is unit-tested without Service Bus.
 */
export function decideAfterAttempt(input: {
  classification: AttemptClassification;
  attempt: number;
  firstAttemptAt: string;
  policy: RetryPolicy;
  now: Date;
  random?: RandomSource;
}): DeliveryDecision {
  const { classification } = input;
  if (classification.outcome === 'succeeded') return { kind: 'succeeded' };
  if (classification.outcome === 'permanentFailure') {
    return {
      kind: 'deadLetter',
      reason: classification.reason,
      description: classification.description,
      disableSubscription: classification.disableSubscription,
    };
  }
  const next = nextAttempt({
    attempt: input.attempt,
    now: input.now,
    firstAttemptAt: input.firstAttemptAt,
    policy: input.policy,
    ...(classification.retryAfterMs !== undefined ? { retryAfterMs: classification.retryAfterMs } : {}),
    // Event Grid's floors (503 -> 30 s, 408 -> 2 min) refine the default schedule; a custom
    // schedule is the subscriber's explicit choice and is kept as given.
    ...(classification.minDelayMs !== undefined && input.policy.schedule === undefined
      ? { minDelayMs: classification.minDelayMs }
      : {}),
    ...(input.random ? { random: input.random } : {}),
  });
  if ('exhausted' in next) {
    return {
      kind: 'deadLetter',
      reason: next.exhausted,
      description: `${next.description}; last outcome: ${classification.description}`,
      disableSubscription: false,
    };
  }
  return { kind: 'retry', at: next.at };
}

export function statusAfter(decision: DeliveryDecision): DeliveryStatus {
  switch (decision.kind) {
    case 'succeeded':
      return 'succeeded';
    case 'retry':
      return 'retrying';
    case 'deadLetter':
      return 'deadLettered';
  }
}

/** True when the event's time to live ran out before this attempt could start. */
export function expiredBeforeAttempt(firstAttemptAt: string, policy: RetryPolicy, now: Date): boolean {
  return now.getTime() > new Date(firstAttemptAt).getTime() + policy.eventTimeToLiveInMinutes * 60_000;
}
