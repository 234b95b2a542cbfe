/**
 * Default pause after each failed attempt, before jitter (Event Grid's schedule): 10 s, 30 s,
 * 1 min, 5 min, 10 min, 30 min, 1 h, 3 h, 6 h, then every 12 h.
 */
export const DEFAULT_RETRY_SCHEDULE_SECONDS: readonly number[] = [
  10,
  30,
  60,
  300,
  600,
  1800,
  3600,
  3 * 3600,
  6 * 3600,
  12 * 3600,
];

/** Jitter spreads retries of many failed deliveries over +/-20% of the pause. */
export const RETRY_JITTER_FRACTION = 0.2;

/** A source of uniform numbers in [0, 1), injectable so tests can pin the jitter. */
export type RandomSource = () => number;

/**
 * Pause in milliseconds after the failed attempt number `attempt` (1-based), before jitter.
 * Past the end of the schedule its last value repeats (12 h for the default one).
 */
export function scheduledDelayMs(
  attempt: number,
  schedule: readonly number[] = DEFAULT_RETRY_SCHEDULE_SECONDS,
): number {
  const steps = schedule.length > 0 ? schedule : DEFAULT_RETRY_SCHEDULE_SECONDS;
  const index = Math.min(Math.max(attempt, 1), steps.length) - 1;
  return (steps[index] ?? 0) * 1000;
}

/** `delayMs` moved by up to +/-RETRY_JITTER_FRACTION of itself, picked by `random`. */
export function withJitter(delayMs: number, random: RandomSource = Math.random): number {
  const unit = Math.min(Math.max(random(), 0), 1);
  return Math.round(delayMs * (1 + (unit * 2 - 1) * RETRY_JITTER_FRACTION));
}
