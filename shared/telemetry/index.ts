/**
 * Telemetry for the pipeline: Application Insights (applicationinsights 3.x over OpenTelemetry).
 * Everything here is a no-op until setupTelemetry() finds APPLICATIONINSIGHTS_CONNECTION_STRING
 * (log() still writes to the function log). See docs/operations.md for the queries and alerts
 * built on these names.
 */
export { setupTelemetry, flushTelemetry, shutdownTelemetry } from './setup';
export { isTelemetryEnabled } from './state';
export {
  annotateActiveSpan,
  recordActiveSpanException,
  withSpan,
  type SpanHandle,
  type SpanKindName,
  type SpanOptions,
} from './spans';
export {
  currentTraceparent,
  injectTraceHeaders,
  parentFromApplicationProperties,
  traceContextToApplicationProperties,
  type TraceApplicationProperties,
} from './traceContext';
export { withHttpDependency, type HttpDependencyRequest } from './httpDependency';
export { log, type LogLevel, type LogSink } from './log';
export {
  METRICS,
  recordAttemptDuration,
  recordDeliveryDeadLettered,
  recordDeliveryRetried,
  recordDeliverySucceeded,
  recordEndToEndLatency,
  recordEventMatched,
  recordEventPublished,
  registerQueueDepthSource,
  type AttemptOutcome,
  type DeliveryDimensions,
  type QueueDepthSource,
} from './metrics';
export { redactUrl } from './redactUrl';
export type { PipelineProperties, TelemetryAttributes } from './attributes';
