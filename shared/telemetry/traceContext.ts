import { context, trace } from '@opentelemetry/api';

import { isTelemetryEnabled } from './state';
import { formatTraceparent, parseTraceparent } from './traceparent';

/** Service Bus application properties that carry the trace from one function to the next. */
export interface TraceApplicationProperties {
  traceparent?: string;
  /** What the Service Bus SDK and the Functions host read and write (same W3C format). */
  'Diagnostic-Id'?: string;
}

/** The active span as a W3C traceparent, or undefined outside a span / without telemetry. */
export function currentTraceparent(): string | undefined {
  if (!isTelemetryEnabled()) return undefined;
  const spanContext = trace.getSpanContext(context.active());
  return spanContext && trace.isSpanContextValid(spanContext) ? formatTraceparent(spanContext) : undefined;
}

/** Properties to merge into a Service Bus message's applicationProperties when sending it. */
export function traceContextToApplicationProperties(): TraceApplicationProperties {
  const traceparent = currentTraceparent();
  return traceparent ? { traceparent, 'Diagnostic-Id': traceparent } : {};
}

/**
 * The traceparent a received message carries (ours first, then the SDK's Diagnostic-Id),
 * to pass as `parent` to withSpan. Undefined when absent or malformed.
 */
export function parentFromApplicationProperties(
  properties: Readonly<Record<string, unknown>> | undefined,
): string | undefined {
  for (const key of ['traceparent', 'Diagnostic-Id']) {
    const value = properties?.[key];
    if (parseTraceparent(value)) return (value as string).trim();
  }
  return undefined;
}

/**
 * Adds `traceparent` for the active span to outgoing HTTP headers (mutates and returns them),
 * so the receiver can continue the trace. Leaves the headers alone without telemetry.
 */
export function injectTraceHeaders<T extends Record<string, string>>(headers: T): T {
  const traceparent = currentTraceparent();
  if (traceparent) (headers as Record<string, string>).traceparent = traceparent;
  return headers;
}
