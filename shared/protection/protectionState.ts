import type { SubscriptionRecord } from '../domain/types';
import { type BreakerState, type CircuitState, closedBreaker } from './circuitBreaker';
import type { LimiterState } from './rateLimiter';

/**
 * The shared state of one subscription's protections: one document per subscription, written
 * with an ETag by every instance (shared/store/ProtectionStore.ts).
 */
export interface ProtectionState {
  /**
   * The version of the subscription (its `updatedAt`) this state belongs to. A PUT (a new
   * endpoint, or re-enabling after an auto-disable) starts with a closed circuit and no failures.
   */
  subscriptionVersion: string;
  breaker: BreakerState;
  limiter: LimiterState;
  /** Since when every attempt failed (epoch ms); absent after a success. */
  failingSinceMs?: number;
}

export interface VersionedProtectionState {
  state: ProtectionState;
  etag: string;
}

/** Reads and writes the documents; `write` with an etag replaces only that version. */
export interface ProtectionStateStore {
  read(topic: string, name: string): Promise<VersionedProtectionState | undefined>;
  /**
   * Creates (etag undefined: only if absent) or replaces (only that version); throws
   * PreconditionFailedError when someone else wrote first. Returns the new etag.
   */
  write(topic: string, name: string, state: ProtectionState, etag: string | undefined): Promise<string>;
}

/** The state that applies to this version of the subscription. */
export function stateFor(
  stored: ProtectionState | undefined,
  subscription: Pick<SubscriptionRecord, 'updatedAt'>,
  nowMs: number,
): ProtectionState {
  if (stored && stored.subscriptionVersion === subscription.updatedAt) return stored;
  return { subscriptionVersion: subscription.updatedAt, breaker: closedBreaker(nowMs), limiter: {} };
}

/** What `GET` of a subscription shows as `health`. */
export interface HealthView {
  circuit: CircuitState;
  /** When the circuit's state last changed. */
  circuitChangedAt: string;
  /** Outcomes counted in the breaker's current window (successes an instance has not written yet excluded). */
  window: { startedAt: string; successes: number; failures: number };
  /** Open: when the next probe may go. */
  openUntil?: string;
  /** Since when every attempt failed; the subscription is disabled after `disableAfterHours` of it. */
  failingSince?: string;
  /** Deliveries holding a concurrency lease now (only with `delivery.maxConcurrent`). */
  inFlight?: number;
}

export function healthView(
  stored: ProtectionState | undefined,
  subscription: Pick<SubscriptionRecord, 'updatedAt' | 'delivery'>,
  nowMs: number,
): HealthView {
  const fresh = !stored || stored.subscriptionVersion !== subscription.updatedAt;
  const state = stateFor(stored, subscription, nowMs);
  const { breaker } = state;
  return {
    circuit: breaker.state,
    circuitChangedAt: fresh ? subscription.updatedAt : breaker.changedAt,
    window: {
      startedAt: fresh ? subscription.updatedAt : new Date(breaker.windowStartMs).toISOString(),
      successes: breaker.successes,
      failures: breaker.failures,
    },
    ...(breaker.state === 'open' && breaker.openUntilMs !== undefined
      ? { openUntil: new Date(breaker.openUntilMs).toISOString() }
      : {}),
    ...(state.failingSinceMs !== undefined
      ? { failingSince: new Date(state.failingSinceMs).toISOString() }
      : {}),
    ...(subscription.delivery?.maxConcurrent !== undefined
      ? { inFlight: (state.limiter.leases ?? []).filter((lease) => lease.untilMs > nowMs).length }
      : {}),
  };
}

/** The subscription's health as `GET` shows it: one point read of its protection state. */
export async function readHealth(
  store: Pick<ProtectionStateStore, 'read'>,
  subscription: Pick<SubscriptionRecord, 'topic' | 'name' | 'updatedAt' | 'delivery'>,
  nowMs: number,
): Promise<HealthView> {
  const stored = await store.read(subscription.topic, subscription.name);
  return healthView(stored?.state, subscription, nowMs);
}
