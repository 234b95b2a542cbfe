import type { InvocationContext } from '@azure/functions';
import { traceContextToApplicationProperties } from '../telemetry';
import { applicationPropertiesOf } from './triggerMetadata';

/**
 * Application property that carries when the event was published (the ingress message's
 * enqueued time) from route through every delivery attempt, for the end-to-end latency metric.
 * A property, not a field of the delivery message body, so the body stays the domain's.
 */
export const PUBLISHED_AT_PROPERTY = 'publishedAt';

/**
 * What a message sent now carries on to the next step: the active span's trace context
 * (traceparent and Diagnostic-Id; nothing without telemetry) and the publish time if known.
 */
export function carriedProperties(publishedAt: string | undefined): Record<string, string> {
  return {
    ...traceContextToApplicationProperties(),
    ...(publishedAt ? { [PUBLISHED_AT_PROPERTY]: publishedAt } : {}),
  };
}

/** route: the publish time is when the event entered the ingress queue. */
export function ingressEnqueuedTime(context: InvocationContext): string | undefined {
  return validTime(context.triggerMetadata?.enqueuedTimeUtc);
}

/** deliver: the publish time the delivery message carries (absent on redriven deliveries). */
export function carriedPublishedAt(context: InvocationContext): string | undefined {
  return validTime(applicationPropertiesOf(context)[PUBLISHED_AT_PROPERTY]);
}

function validTime(value: unknown): string | undefined {
  const time = value instanceof Date ? value : typeof value === 'string' ? new Date(value) : undefined;
  return time && !Number.isNaN(time.getTime()) ? time.toISOString() : undefined;
}
