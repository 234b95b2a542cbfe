import { z } from 'zod';

/**
 * The subscription body's protections (issue #15): `delivery` limits, `circuitBreaker`
 * settings and `disableAfterHours`. All optional; absent ones take their defaults
 * (shared/protection/policy.ts) when deliveries run, so a stored subscription shows only what
 * its owner set.
 */
export const PROTECTION_LIMITS = {
  /** Above 0: 0.5 is one every 2 s (a WebHook-Allowed-Rate of 30 per minute). */
  maxPerSecond: { max: 10_000 },
  maxConcurrent: { min: 1, max: 1_000 },
  minimumRequests: { min: 1, max: 100_000 },
  windowSeconds: { min: 1, max: 86_400 },
  coolDownSeconds: { min: 1, max: 86_400 },
  /** From 1 s (tests) to a year. */
  disableAfterHours: { min: 1 / 3600, max: 8_760 },
} as const;

/** A whole number from min to max; every message names the field (one rule for the whole body). */
export function wholeNumberIn(field: string, { min, max }: { min: number; max: number }) {
  const range = `${field} must be ${min}-${max}`;
  return z
    .number({ error: `${field} must be a number` })
    .int(`${field} must be a whole number`)
    .min(min, range)
    .max(max, range);
}

function wholeNumber(field: string, range: { min: number; max: number }) {
  return wholeNumberIn(field, range).exactOptional();
}

export const deliveryLimitsSchema = z.strictObject({
  maxPerSecond: z
    .number({ error: 'maxPerSecond must be a number' })
    .positive(`maxPerSecond must be above 0 and at most ${PROTECTION_LIMITS.maxPerSecond.max}`)
    .max(
      PROTECTION_LIMITS.maxPerSecond.max,
      `maxPerSecond must be above 0 and at most ${PROTECTION_LIMITS.maxPerSecond.max}`,
    )
    .exactOptional(),
  maxConcurrent: wholeNumber('maxConcurrent', PROTECTION_LIMITS.maxConcurrent),
});

export const circuitBreakerSchema = z.strictObject({
  minimumRequests: wholeNumber('minimumRequests', PROTECTION_LIMITS.minimumRequests),
  failureRatio: z
    .number({ error: 'failureRatio must be a number' })
    .gt(0, 'failureRatio must be more than 0 and at most 1')
    .max(1, 'failureRatio must be more than 0 and at most 1')
    .exactOptional(),
  windowSeconds: wholeNumber('windowSeconds', PROTECTION_LIMITS.windowSeconds),
  coolDownSeconds: wholeNumber('coolDownSeconds', PROTECTION_LIMITS.coolDownSeconds),
});

const { min: MIN_HOURS, max: MAX_HOURS } = PROTECTION_LIMITS.disableAfterHours;

export const disableAfterHoursSchema = z
  .number({ error: 'disableAfterHours must be a number of hours' })
  .min(MIN_HOURS, `disableAfterHours must be at least 1 second (${MIN_HOURS} h) and at most ${MAX_HOURS}`)
  .max(MAX_HOURS, `disableAfterHours must be at least 1 second (${MIN_HOURS} h) and at most ${MAX_HOURS}`);
