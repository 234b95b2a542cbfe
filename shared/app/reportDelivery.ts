import type { InvocationContext } from '@azure/functions';
import type { DeliveryMessage } from '../domain/types';
import type { DeliverResult } from '../pipeline/deliver';
import {
  type AttemptOutcome,
  type PipelineProperties,
  annotateActiveSpan,
  log,
  recordAttemptDuration,
  recordDeliveryDeadLettered,
  recordDeliveryHeld,
  recordDeliveryRetried,
  recordDeliverySucceeded,
  recordEndToEndLatency,
} from '../telemetry';
import { carriedPublishedAt } from './journey';

const OUTCOME: Record<string, AttemptOutcome> = {
  succeeded: 'succeeded',
  retry: 'retrying',
  deadLetter: 'deadLettered',
};

/**
 * What one deliver invocation tells the log and telemetry: a line with the delivery's
 * properties, and the metrics (attempt duration, succeeded / retried / dead-lettered by reason,
 * end-to-end latency from the publish time the message carries). The measured values are on the log line too, so
 * they can be read in the event's own trace (metrics are aggregates without an operation).
 */
export function reportDelivery(
  context: InvocationContext,
  message: DeliveryMessage,
  result: DeliverResult,
  now: Date = new Date(),
): void {
  const publishedAt = carriedPublishedAt(context);
  const properties: PipelineProperties = {
    eventKey: message.eventKey,
    topic: message.topic,
    subscription: message.subscription,
    deliveryId: message.deliveryId,
    attempt: message.attempt,
  };
  if (result.kind === 'alreadyProcessed') {
    log('info', `delivery attempt already recorded (${result.status}); nothing to do`, properties, context);
    return;
  }
  const dimensions = { topic: message.topic, subscription: message.subscription };
  if (result.kind === 'held') {
    recordDeliveryHeld(dimensions, result.reason);
    log(
      'info',
      `delivery held (${result.reason}) until ${result.until.toISOString()}; no attempt used`,
      { ...properties, reason: result.reason },
      context,
    );
    return;
  }
  const { decision, attempt, destinationCalled } = result;
  const outcome = OUTCOME[decision.kind] ?? 'deadLettered';
  annotateActiveSpan({ outcome, httpStatus: attempt.httpStatus });
  if (destinationCalled) recordAttemptDuration(dimensions, outcome, attempt.durationMs);
  const measured = { httpStatus: attempt.httpStatus, durationMs: attempt.durationMs };

  if (decision.kind === 'succeeded') {
    recordDeliverySucceeded(dimensions);
    const endToEndMs = publishedAt ? Math.max(0, now.getTime() - new Date(publishedAt).getTime()) : undefined;
    if (endToEndMs !== undefined) recordEndToEndLatency(dimensions, endToEndMs);
    log('info', 'delivery succeeded', { ...properties, ...measured, endToEndMs }, context);
  } else if (decision.kind === 'retry') {
    recordDeliveryRetried(dimensions);
    log(
      'warn',
      `delivery attempt failed (${attempt.error ?? 'unknown error'}); next attempt at ${decision.at.toISOString()}`,
      { ...properties, ...measured, nextAttemptAt: decision.at.toISOString() },
      context,
    );
  } else {
    recordDeliveryDeadLettered(dimensions, decision.reason);
    log(
      'warn',
      `delivery dead-lettered: ${decision.reason}: ${decision.description}`,
      { ...properties, ...measured, reason: decision.reason },
      context,
    );
  }
}
