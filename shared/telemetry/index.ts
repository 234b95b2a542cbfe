/**
 * Telemetry for the pipeline: Application Insights (applicationinsights 3.x over OpenTelemetry).
 * Everything here is a no-op until setupTelemetry() finds APPLICATIONINSIGHTS_CONNECTION_STRING
 * (log() still writes to the function log). See docs/operations.md for the queries and alerts
 * built on these names.
 */
export { setupTelemetry, shutdownTelemetry } from './setup';
export { annotateActiveSpan, recordActiveSpanException, withSpan, type SpanOptions } from './spans';
export { parentFromApplicationProperties, traceContextToApplicationProperties } from './traceContext';
export { withHttpDependency } from './httpDependency';
export { log } from './log';
export {
  recordAttemptDuration,
  recordDeliveryDeadLettered,
  recordDeliveryHeld,
  recordDeliveryRetried,
  recordDeliverySucceeded,
  recordEndToEndLatency,
  recordEventMatched,
  recordEventPublished,
  recordSystemEventSuppressed,
  recordSubscriptionHealthChange,
  registerQueueDepthSource,
  type AttemptOutcome,
} from './metrics';
export type { PipelineProperties, TelemetryAttributes } from './attributes';
