import { setTimeout as sleep } from 'node:timers/promises';
import { type DeliveryTracker, type PhaseDeliveries, percentile } from './deliveryTracker';
import type { ProgressLine } from './progressLine';
import { benchEvent, type Publisher } from './publisher';
import { nowMs } from './receiver';
import { errorMessage } from '../../shared/errors/errorMessage';

export interface LatencyFigures {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface ThroughputResult {
  phase: string;
  fanOut: number;
  publishMode: string;
  events: number;
  accepted: number;
  publishErrors: number;
  /** Events answered 202 per second, first request to last answer. */
  eventsPerSecond: number;
  /** Distinct deliveries per second, first request to last arrival. */
  deliveriesPerSecond: number;
  /** Events delivered to all their subscriptions per second (deliveries/s / fan-out). */
  deliveredEventsPerSecond: number;
  delivered: number;
  expected: number;
  duplicates: number;
  seconds: number;
  /** Closed-loop latency: queueing under full load, not the latency at a given rate. */
  latencyMs: LatencyFigures;
}

export interface LatencyResult {
  phase: string;
  fanOut: number;
  targetEventsPerSecond: number;
  achievedEventsPerSecond: number;
  seconds: number;
  accepted: number;
  publishErrors: number;
  delivered: number;
  expected: number;
  /** Publish (scheduled send time) to arrival at the receiver. */
  latencyMs: LatencyFigures;
  /** Publish request to 202. */
  publishLatencyMs: LatencyFigures;
}

export interface PhaseContext {
  publisher: Publisher;
  tracker: DeliveryTracker;
  progress: ProgressLine;
  topic: string;
  fanOut: number;
  /** How long to wait for deliveries after the last publish. */
  drainTimeoutMs: number;
}

function figures(values: readonly number[]): LatencyFigures {
  const round = (value: number) => Math.round(value * 10) / 10;
  return {
    p50: round(percentile(values, 50)),
    p95: round(percentile(values, 95)),
    p99: round(percentile(values, 99)),
    max: round(values.length ? values.reduce((a, b) => Math.max(a, b), -Infinity) : NaN),
  };
}

/** Waits until `expected` deliveries arrived, or nothing arrived for the drain timeout. */
async function drain(deliveries: PhaseDeliveries, expected: number, timeoutMs: number): Promise<void> {
  let last = deliveries.unique;
  let lastChange = Date.now();
  while (deliveries.unique < expected) {
    await sleep(20);
    if (deliveries.unique !== last) {
      last = deliveries.unique;
      lastChange = Date.now();
    } else if (Date.now() - lastChange > timeoutMs) {
      return;
    }
  }
}

/**
 * Closed loop: publishes `events` as fast as `concurrency` requests in flight allow (one event
 * per request, or `batchSize` per batch request), then waits for every delivery.
 */
export async function runThroughput(
  context: PhaseContext,
  phase: string,
  events: number,
  options: { concurrency: number; batchSize: number },
): Promise<ThroughputResult> {
  const deliveries = context.tracker.open(phase);
  const expected = events * context.fanOut;
  const progress = { phase, published: 0, toPublish: events, deliveries, expectedDeliveries: expected };
  context.progress.show(progress);
  let next = 0;
  let errors = 0;
  let firstError: unknown;
  const started = nowMs();
  await Promise.all(
    Array.from({ length: options.concurrency }, async () => {
      while (next < events) {
        const first = next;
        const count = Math.min(Math.max(1, options.batchSize), events - next);
        next += count;
        const batch = Array.from({ length: count }, (_, i) => benchEvent(phase, first + i));
        try {
          if (options.batchSize > 0) await context.publisher.publishBatch(context.topic, batch);
          else await context.publisher.publish(context.topic, batch[0]!);
          progress.published += count;
        } catch (error) {
          errors += count;
          firstError ??= error;
        }
      }
    }),
  );
  const published = nowMs();
  if (firstError)
    context.progress.note(
      `[bench] ${phase}: ${errors} events not accepted, first: ${errorMessage(firstError)}`,
    );
  await drain(deliveries, progress.published * context.fanOut, context.drainTimeoutMs);
  const end = Number.isNaN(deliveries.lastArrivalAt) ? nowMs() : deliveries.lastArrivalAt;
  const seconds = (end - started) / 1000;
  return {
    phase,
    fanOut: context.fanOut,
    publishMode:
      options.batchSize > 0
        ? `batch of ${options.batchSize}, ${options.concurrency} in flight`
        : `single, ${options.concurrency} in flight`,
    events,
    accepted: progress.published,
    publishErrors: errors,
    eventsPerSecond: progress.published / ((published - started) / 1000),
    deliveriesPerSecond: deliveries.unique / seconds,
    deliveredEventsPerSecond: deliveries.unique / context.fanOut / seconds,
    delivered: deliveries.unique,
    expected,
    duplicates: deliveries.received - deliveries.unique,
    seconds,
    latencyMs: figures(deliveries.latenciesMs),
  };
}

/**
 * Open loop: publishes single events at a fixed rate for `seconds`, each stamped with the time it
 * was due (so a stalled publisher shows up as latency instead of hiding it), then waits for
 * every delivery and reports publish -> delivery percentiles.
 */
export async function runOpenLoop(
  context: PhaseContext,
  phase: string,
  rate: number,
  seconds: number,
): Promise<LatencyResult> {
  const deliveries = context.tracker.open(phase);
  const total = Math.max(1, Math.round(rate * seconds));
  const progress = {
    phase,
    published: 0,
    toPublish: total,
    deliveries,
    expectedDeliveries: total * context.fanOut,
  };
  context.progress.show(progress);
  const publishLatencies: number[] = [];
  const inFlight = new Set<Promise<void>>();
  let errors = 0;
  let firstError: unknown;
  const started = nowMs() + 10;
  for (let n = 0; n < total; n++) {
    const due = started + (n * 1000) / rate;
    const wait = due - nowMs();
    if (wait > 1) await sleep(wait);
    const request = context.publisher
      .publish(context.topic, benchEvent(phase, n, due))
      .then(
        () => {
          progress.published++;
          publishLatencies.push(nowMs() - due);
        },
        (error: unknown) => {
          errors++;
          firstError ??= error;
        },
      )
      .finally(() => inFlight.delete(request));
    inFlight.add(request);
  }
  await Promise.all(inFlight);
  const finished = nowMs();
  if (firstError)
    context.progress.note(
      `[bench] ${phase}: ${errors} events not accepted, first: ${errorMessage(firstError)}`,
    );
  await drain(deliveries, progress.published * context.fanOut, context.drainTimeoutMs);
  return {
    phase,
    fanOut: context.fanOut,
    targetEventsPerSecond: rate,
    achievedEventsPerSecond: progress.published / ((finished - started) / 1000),
    seconds: (finished - started) / 1000,
    accepted: progress.published,
    publishErrors: errors,
    delivered: deliveries.unique,
    expected: total * context.fanOut,
    latencyMs: figures(deliveries.latenciesMs),
    publishLatencyMs: figures(publishLatencies),
  };
}
