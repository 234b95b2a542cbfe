import type { SubscriptionRecord } from '../domain/types';

/**
 * The circuit breaker's defaults, modelled on Convoy's (frain-dev/convoy, config/config.go
 * `DefaultConfiguration.CircuitBreaker` and pkg/circuit_breaker/config.go): at least 10 requests
 * (MinimumRequestCount) in a 5-minute observability window (ObservabilityWindow), 70 % of them
 * failed (FailureThreshold), then open for 30 s (ErrorTimeout / BreakerTimeout) before a probe.
 */
export const CIRCUIT_BREAKER_DEFAULTS = {
  minimumRequests: 10,
  failureRatio: 0.7,
  windowSeconds: 300,
  coolDownSeconds: 30,
} as const;

/** Svix disables an endpoint that has failed every attempt for 5 days. */
export const DEFAULT_DISABLE_AFTER_HOURS = 120;

export interface BreakerPolicy {
  minimumRequests: number;
  failureRatio: number;
  windowMs: number;
  coolDownMs: number;
}

export interface ProtectionPolicy {
  breaker: BreakerPolicy;
  maxPerSecond?: number;
  maxConcurrent?: number;
  disableAfterMs: number;
}

/** A subscription's protections with the defaults filled in. */
export function protectionPolicyOf(
  subscription: Pick<SubscriptionRecord, 'delivery' | 'circuitBreaker' | 'disableAfterHours'>,
): ProtectionPolicy {
  const breaker = { ...CIRCUIT_BREAKER_DEFAULTS, ...subscription.circuitBreaker };
  return {
    breaker: {
      minimumRequests: breaker.minimumRequests,
      failureRatio: breaker.failureRatio,
      windowMs: breaker.windowSeconds * 1000,
      coolDownMs: breaker.coolDownSeconds * 1000,
    },
    ...(subscription.delivery?.maxPerSecond !== undefined
      ? { maxPerSecond: subscription.delivery.maxPerSecond }
      : {}),
    ...(subscription.delivery?.maxConcurrent !== undefined
      ? { maxConcurrent: subscription.delivery.maxConcurrent }
      : {}),
    disableAfterMs: (subscription.disableAfterHours ?? DEFAULT_DISABLE_AFTER_HOURS) * 3_600_000,
  };
}

/** True when the subscription has a rate or concurrency limit (and so pays for shared counters). */
export function isLimited(policy: ProtectionPolicy): boolean {
  return policy.maxPerSecond !== undefined || policy.maxConcurrent !== undefined;
}
