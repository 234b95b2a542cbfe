import { type Counter, type Histogram, type Meter, context, metrics } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';

/**
 * The pipeline's metrics. Names follow OpenTelemetry style (dot-separated, lower case);
 * Application Insights stores them under these names in customMetrics, with the dimensions
 * as customDimensions. Durations are milliseconds, as the Application Insights charts expect.
 */
export const METRICS = {
  eventsPublished: {
    name: 'switchyard.events.published',
    unit: '{event}',
    description: 'Events accepted by publish (HTTP) or read from ingress.',
  },
  eventsMatched: {
    name: 'switchyard.events.matched',
    unit: '{subscription}',
    description: 'Fan-out: matching subscriptions per routed event.',
  },
  deliveriesSucceeded: {
    name: 'switchyard.deliveries.succeeded',
    unit: '{delivery}',
    description: 'Deliveries that got a 2xx / were sent.',
  },
  deliveriesRetried: {
    name: 'switchyard.deliveries.retried',
    unit: '{delivery}',
    description: 'Failed attempts scheduled again.',
  },
  deliveriesDeadLettered: {
    name: 'switchyard.deliveries.dead_lettered',
    unit: '{delivery}',
    description: 'Deliveries sent to the deadletters queue.',
  },
  attemptDuration: {
    name: 'switchyard.delivery.attempt.duration',
    unit: 'ms',
    description: 'Duration of one delivery attempt (the webhook call or Service Bus send).',
  },
  endToEndLatency: {
    name: 'switchyard.delivery.end_to_end.duration',
    unit: 'ms',
    description: 'From publish accepted to delivery succeeded.',
  },
  systemEventsSuppressed: {
    name: 'switchyard.system_events.suppressed',
    unit: '{event}',
    description: 'System events about subscriptions of switchyard.system itself, not published (loop guard).',
  },
  deliveriesHeld: {
    name: 'switchyard.deliveries.held',
    unit: '{delivery}',
    description:
      'Deliveries held by a protection (reason: rateLimit, concurrency, circuitOpen) and scheduled again without using an attempt.',
  },
  subscriptionHealthChanges: {
    name: 'switchyard.subscription.health_changes',
    unit: '{change}',
    description: 'Circuit breaker and auto-disable changes (change: circuitOpened, circuitClosed, disabled).',
  },
  queueDepth: {
    name: 'switchyard.queue.depth',
    unit: '{message}',
    description: 'Active messages waiting in a Service Bus queue.',
  },
} as const;

/** Dimensions of delivery metrics. Keep them low-cardinality: no event keys or ids here. */
export interface DeliveryDimensions {
  topic: string;
  subscription: string;
}

export type AttemptOutcome = 'succeeded' | 'retrying' | 'deadLettered';

/** Queue name -> active message count; the app registers where the numbers come from. */
export type QueueDepthSource = () => Promise<Record<string, number>> | Record<string, number>;

interface Instruments {
  eventsPublished: Counter;
  eventsMatched: Histogram;
  deliveriesSucceeded: Counter;
  deliveriesRetried: Counter;
  deliveriesDeadLettered: Counter;
  attemptDuration: Histogram;
  endToEndLatency: Histogram;
  systemEventsSuppressed: Counter;
  deliveriesHeld: Counter;
  subscriptionHealthChanges: Counter;
}

let instruments: Instruments | undefined;
const queueDepthSources: QueueDepthSource[] = [];

/**
 * Creates the instruments on the SDK's meter provider. Called by setupTelemetry once the SDK
 * is started: the global meter API has no proxy, so instruments made earlier would stay no-ops.
 */
export function startMetrics(): void {
  const meter: Meter = metrics.getMeter('switchyard');
  const counter = (m: { name: string; unit: string; description: string }): Counter =>
    meter.createCounter(m.name, { unit: m.unit, description: m.description });
  const histogram = (m: { name: string; unit: string; description: string }): Histogram =>
    meter.createHistogram(m.name, { unit: m.unit, description: m.description });
  instruments = {
    eventsPublished: counter(METRICS.eventsPublished),
    eventsMatched: histogram(METRICS.eventsMatched),
    deliveriesSucceeded: counter(METRICS.deliveriesSucceeded),
    deliveriesRetried: counter(METRICS.deliveriesRetried),
    deliveriesDeadLettered: counter(METRICS.deliveriesDeadLettered),
    attemptDuration: histogram(METRICS.attemptDuration),
    endToEndLatency: histogram(METRICS.endToEndLatency),
    systemEventsSuppressed: counter(METRICS.systemEventsSuppressed),
    deliveriesHeld: counter(METRICS.deliveriesHeld),
    subscriptionHealthChanges: counter(METRICS.subscriptionHealthChanges),
  };
  meter
    .createObservableGauge(METRICS.queueDepth.name, {
      unit: METRICS.queueDepth.unit,
      description: METRICS.queueDepth.description,
    })
    .addCallback(async (result) => {
      for (const source of queueDepthSources) {
        try {
          // The probe's own Service Bus calls are not the app's work: keep them out of the traces.
          const depths = await context.with(suppressTracing(context.active()), source);
          for (const [queue, depth] of Object.entries(depths)) result.observe(depth, { queue });
        } catch {
          // A failed probe (Service Bus unreachable) skips this collection; health reports the outage.
        }
      }
    });
}

export function stopMetrics(): void {
  instruments = undefined;
}

export function recordEventPublished(topic: string, count = 1): void {
  instruments?.eventsPublished.add(count, { topic });
}

export function recordEventMatched(topic: string, matchedSubscriptions: number): void {
  instruments?.eventsMatched.record(matchedSubscriptions, { topic });
}

export function recordDeliverySucceeded(dimensions: DeliveryDimensions): void {
  instruments?.deliveriesSucceeded.add(1, { ...dimensions });
}

export function recordDeliveryRetried(dimensions: DeliveryDimensions): void {
  instruments?.deliveriesRetried.add(1, { ...dimensions });
}

/** `reason` is the dead-letter reason code (a short fixed vocabulary, e.g. "MaxDeliveryAttemptsExceeded"). */
export function recordDeliveryDeadLettered(dimensions: DeliveryDimensions, reason: string): void {
  instruments?.deliveriesDeadLettered.add(1, { ...dimensions, reason });
}

export function recordAttemptDuration(
  dimensions: DeliveryDimensions,
  outcome: AttemptOutcome,
  durationMs: number,
): void {
  instruments?.attemptDuration.record(durationMs, { ...dimensions, outcome });
}

export function recordEndToEndLatency(dimensions: DeliveryDimensions, latencyMs: number): void {
  instruments?.endToEndLatency.record(latencyMs, { ...dimensions });
}

/** `type` is the SystemEventType (a fixed vocabulary). */
export function recordSystemEventSuppressed(subscription: string, type: string): void {
  instruments?.systemEventsSuppressed.add(1, { subscription, type });
}

/** `reason`: why a protection held the delivery (rateLimit, concurrency, circuitOpen). */
export function recordDeliveryHeld(dimensions: DeliveryDimensions, reason: string): void {
  instruments?.deliveriesHeld.add(1, { ...dimensions, reason });
}

/** `change`: circuitOpened, circuitClosed or disabled. */
export function recordSubscriptionHealthChange(dimensions: DeliveryDimensions, change: string): void {
  instruments?.subscriptionHealthChanges.add(1, { ...dimensions, change });
}

/**
 * Registers where queue depths come from (e.g. ServiceBusAdministrationClient runtime
 * properties). May be called before setupTelemetry; the source is only ever called at metric
 * collection, so never without telemetry. Returns an unregister function.
 */
export function registerQueueDepthSource(source: QueueDepthSource): () => void {
  queueDepthSources.push(source);
  return () => {
    const index = queueDepthSources.indexOf(source);
    if (index !== -1) queueDepthSources.splice(index, 1);
  };
}
