import type { DeliveryAttempt, RetryPolicy } from '../domain/types';
import { type AttemptClassification, classifyOutcome, type PermanentFailureReason } from './classifyOutcome';
import { type ExhaustedReason, nextAttempt } from './nextAttempt';
import type { RandomSource } from './retrySchedule';
import type { WebhookResult } from './webhookResult';

/** What the deliver function does after one attempt. */
export type AfterAttempt =
  | { action: 'succeeded'; attempt: DeliveryAttempt }
  | { action: 'retry'; attempt: DeliveryAttempt; at: Date }
  | {
      action: 'deadLetter';
      attempt: DeliveryAttempt;
      reason: PermanentFailureReason | ExhaustedReason;
      description: string;
      /** 410 Gone: mark the subscription disabled too. */
      disableSubscription: boolean;
    };

export interface AfterAttemptInput {
  result: WebhookResult;
  /** 1-based number of the attempt just made. */
  attempt: number;
  /** When the attempt started. */
  at: Date;
  firstAttemptAt: Date | string;
  policy: RetryPolicy;
  random?: RandomSource;
}

/**
 * Turns a webhook result into the attempt record and the next step: done, retry at a time, or
 * dead-letter with a reason (permanent failure, attempts spent, or time to live over).
 */
export function decideAfterAttempt(input: AfterAttemptInput): AfterAttempt {
  const classification = classifyOutcome(input.result);
  const attempt = toDeliveryAttempt(input.attempt, input.at, input.result, classification);
  if (classification.outcome === 'succeeded') return { action: 'succeeded', attempt };
  if (classification.outcome === 'permanentFailure') {
    return {
      action: 'deadLetter',
      attempt,
      reason: classification.reason as PermanentFailureReason,
      description: classification.description,
      disableSubscription: classification.disableSubscription,
    };
  }
  const next = nextAttempt({
    attempt: input.attempt,
    now: new Date(input.at.getTime() + input.result.durationMs),
    firstAttemptAt: input.firstAttemptAt,
    policy: input.policy,
    ...(classification.retryAfterMs !== undefined ? { retryAfterMs: classification.retryAfterMs } : {}),
    ...(classification.minDelayMs !== undefined ? { minDelayMs: classification.minDelayMs } : {}),
    ...(input.random ? { random: input.random } : {}),
  });
  if ('at' in next) return { action: 'retry', attempt, at: next.at };
  return {
    action: 'deadLetter',
    attempt,
    reason: next.exhausted,
    description: `${next.description}; last attempt: ${classification.description}`,
    disableSubscription: false,
  };
}

/** The attempt as stored in the delivery record. */
export function toDeliveryAttempt(
  n: number,
  at: Date,
  result: WebhookResult,
  classification: AttemptClassification = classifyOutcome(result),
): DeliveryAttempt {
  return {
    n,
    at: at.toISOString(),
    outcome: classification.outcome,
    ...(result.status !== undefined ? { httpStatus: result.status } : {}),
    durationMs: result.durationMs,
    ...(classification.outcome !== 'succeeded' ? { error: classification.description } : {}),
    ...(result.responseBodyPrefix !== undefined ? { responseBody: result.responseBodyPrefix } : {}),
  };
}
