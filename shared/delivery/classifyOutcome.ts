import type { AttemptOutcome } from '../domain/types';
import type { WebhookResult } from './webhookResult';

/** Dead-letter reasons of failures that are not retried. */
export type PermanentFailureReason = 'EndpointRejected' | 'EndpointGone' | 'TargetRefused';

export interface AttemptClassification {
  outcome: AttemptOutcome;
  /** Short machine-readable cause: a dead-letter reason when permanent. */
  reason: 'Delivered' | PermanentFailureReason | 'RetryableFailure';
  /** One readable sentence for the attempt record and the dead letter. */
  description: string;
  /** 410 Gone: the receiver says the endpoint is gone for good. */
  disableSubscription: boolean;
  /** Retry-After honoured (429 and 503 only). */
  retryAfterMs?: number;
  /** Event Grid's floor for this kind of failure: 408 -> 2 min, 503 -> 30 s. */
  minDelayMs?: number;
}

/** Statuses Event Grid does not retry: the receiver will give the same answer next time. */
const PERMANENT_STATUSES: ReadonlySet<number> = new Set([400, 401, 403, 413]);

const MIN_DELAY_MS_BY_STATUS: Readonly<Record<number, number>> = { 408: 120_000, 503: 30_000 };

/**
 * Sorts a webhook result into succeeded / retryable / permanent, as Event Grid does: only
 * 200-204 succeed; 400, 401, 403, 413 and refused targets are permanent; 410 is permanent and
 * disables the subscription; redirects (not followed), timeouts, network errors, 408, 429, 5xx
 * and every other status are retried.
 */
export function classifyOutcome(result: WebhookResult): AttemptClassification {
  const base = { disableSubscription: false };
  if (result.failure === 'refused') {
    return {
      ...base,
      outcome: 'permanentFailure',
      reason: 'TargetRefused',
      description: result.error ?? 'target refused',
    };
  }
  if (result.failure === 'timeout' || result.failure === 'network' || result.status === undefined) {
    return {
      ...base,
      outcome: 'retryableFailure',
      reason: 'RetryableFailure',
      description: result.error ?? 'no response from the endpoint',
    };
  }
  const status = result.status;
  if (status >= 200 && status <= 204) {
    return { ...base, outcome: 'succeeded', reason: 'Delivered', description: `HTTP ${status}` };
  }
  if (status === 410) {
    return {
      outcome: 'permanentFailure',
      reason: 'EndpointGone',
      description: 'HTTP 410 Gone: the endpoint no longer exists; the subscription is disabled',
      disableSubscription: true,
    };
  }
  if (PERMANENT_STATUSES.has(status)) {
    return {
      ...base,
      outcome: 'permanentFailure',
      reason: 'EndpointRejected',
      description: `HTTP ${status}: the endpoint rejected the event; it is not retried`,
    };
  }
  const honoursRetryAfter = status === 429 || status === 503;
  const retryAfterMs = honoursRetryAfter ? result.retryAfterMs : undefined;
  const minDelayMs = MIN_DELAY_MS_BY_STATUS[status];
  return {
    ...base,
    outcome: 'retryableFailure',
    reason: 'RetryableFailure',
    description: describeRetryable(status, result.location),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    ...(minDelayMs !== undefined ? { minDelayMs } : {}),
  };
}

function describeRetryable(status: number, location: string | undefined): string {
  if (status >= 300 && status < 400) {
    return `HTTP ${status}: redirects are not followed${location ? ` (to ${location})` : ''}; update the endpoint URL`;
  }
  return `HTTP ${status}`;
}
