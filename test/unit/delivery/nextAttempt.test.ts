import type { RetryPolicy } from '../../../shared/domain/types';
import { nextAttempt, type NextAttempt } from '../../../shared/delivery/nextAttempt';
import {
  DEFAULT_RETRY_SCHEDULE_SECONDS,
  scheduledDelayMs,
  withJitter,
} from '../../../shared/delivery/retrySchedule';

const defaults: RetryPolicy = { maxDeliveryAttempts: 30, eventTimeToLiveInMinutes: 1440 };
const start = new Date('2026-01-01T00:00:00Z');
const middle = () => 0.5; // no jitter
const lowest = () => 0; // -20%
const highest = () => 0.999999; // almost +20%

function delayOf(result: NextAttempt): number {
  if (!('at' in result)) throw new Error(`expected a next attempt, got ${result.exhausted}`);
  return result.delayMs;
}

describe('retry schedule', () => {
  it('follows Event Grid: 10s, 30s, 1m, 5m, 10m, 30m, 1h, 3h, 6h, then every 12h', () => {
    const seconds = Array.from({ length: 12 }, (_, i) => scheduledDelayMs(i + 1) / 1000);
    expect(seconds).toEqual([10, 30, 60, 300, 600, 1800, 3600, 10800, 21600, 43200, 43200, 43200]);
    expect(DEFAULT_RETRY_SCHEDULE_SECONDS).toHaveLength(10);
  });

  it('uses a custom schedule whose last value repeats', () => {
    expect([1, 2, 3, 4, 10].map((n) => scheduledDelayMs(n, [1, 5, 30]))).toEqual([
      1000, 5000, 30000, 30000, 30000,
    ]);
  });

  it('keeps jitter within +/-20%', () => {
    expect(withJitter(10_000, lowest)).toBe(8_000);
    expect(withJitter(10_000, middle)).toBe(10_000);
    expect(withJitter(10_000, highest)).toBe(12_000);
    for (let i = 0; i < 1000; i++) {
      const value = withJitter(60_000);
      expect(value).toBeGreaterThanOrEqual(48_000);
      expect(value).toBeLessThanOrEqual(72_000);
    }
  });
});

describe('nextAttempt', () => {
  it('schedules attempt 2 about 10 s after the first failure, with jitter bounds', () => {
    const at = (random: () => number) =>
      nextAttempt({ attempt: 1, now: start, firstAttemptAt: start, policy: defaults, random });
    expect(at(middle)).toEqual({ at: new Date(start.getTime() + 10_000), delayMs: 10_000 });
    expect(delayOf(at(lowest))).toBe(8_000);
    expect(delayOf(at(highest))).toBe(12_000);
  });

  it('applies the custom schedule and its jitter', () => {
    const policy = { ...defaults, schedule: [1, 5, 30] };
    const delays = [1, 2, 3, 7].map((attempt) =>
      delayOf(nextAttempt({ attempt, now: start, firstAttemptAt: start, policy, random: middle })),
    );
    expect(delays).toEqual([1000, 5000, 30000, 30000]);
    expect(
      delayOf(nextAttempt({ attempt: 2, now: start, firstAttemptAt: start, policy, random: lowest })),
    ).toBe(4000);
  });

  it('stops when the attempt budget is spent', () => {
    const policy = { ...defaults, maxDeliveryAttempts: 3 };
    expect(
      'at' in nextAttempt({ attempt: 2, now: start, firstAttemptAt: start, policy, random: middle }),
    ).toBe(true);
    expect(nextAttempt({ attempt: 3, now: start, firstAttemptAt: start, policy, random: middle })).toEqual({
      exhausted: 'MaxDeliveryAttemptsExceeded',
      description: 'gave up after 3 of 3 delivery attempts',
    });
    expect(
      nextAttempt({
        attempt: 1,
        now: start,
        firstAttemptAt: start,
        policy: { ...policy, maxDeliveryAttempts: 1 },
      }),
    ).toMatchObject({
      exhausted: 'MaxDeliveryAttemptsExceeded',
    });
  });

  it('stops when the next attempt would fall after the time to live', () => {
    const policy = { ...defaults, eventTimeToLiveInMinutes: 10 };
    const now = new Date(start.getTime() + 9 * 60_000 + 55_000); // 5 s left
    const result = nextAttempt({
      attempt: 1,
      now,
      firstAttemptAt: start.toISOString(),
      policy,
      random: middle,
    });
    expect(result).toMatchObject({ exhausted: 'TimeToLiveExceeded' });
    // The same failure with time left is retried.
    const early = nextAttempt({ attempt: 1, now: start, firstAttemptAt: start, policy, random: middle });
    expect(delayOf(early)).toBe(10_000);
  });

  it('with the default policy spends 24 h over 11 attempts (the 12th would be past the TTL)', () => {
    let now = start;
    let attempt = 1;
    for (;;) {
      const result = nextAttempt({ attempt, now, firstAttemptAt: start, policy: defaults, random: middle });
      if (!('at' in result)) {
        expect(result.exhausted).toBe('TimeToLiveExceeded');
        break;
      }
      now = result.at;
      attempt++;
    }
    expect(attempt).toBe(11);
    expect((now.getTime() - start.getTime()) / 3_600_000).toBeCloseTo(22.78, 1);
  });

  it('waits at least as long as Retry-After asks, and never less than the schedule', () => {
    const longer = nextAttempt({
      attempt: 1,
      now: start,
      firstAttemptAt: start,
      policy: defaults,
      retryAfterMs: 120_000,
      random: middle,
    });
    expect(delayOf(longer)).toBe(120_000);
    const shorter = nextAttempt({
      attempt: 1,
      now: start,
      firstAttemptAt: start,
      policy: defaults,
      retryAfterMs: 1_000,
      random: middle,
    });
    expect(delayOf(shorter)).toBe(10_000);
  });

  it('bounds Retry-After by the time to live', () => {
    const policy = { ...defaults, eventTimeToLiveInMinutes: 60 };
    const result = nextAttempt({
      attempt: 1,
      now: start,
      firstAttemptAt: start,
      policy,
      retryAfterMs: 2 * 3_600_000,
    });
    expect(result).toMatchObject({ exhausted: 'TimeToLiveExceeded' });
    if ('exhausted' in result) expect(result.description).toContain('Retry-After');
  });

  it('applies the failure kind floor (408 waits 2 min)', () => {
    expect(
      delayOf(
        nextAttempt({
          attempt: 1,
          now: start,
          firstAttemptAt: start,
          policy: defaults,
          minDelayMs: 120_000,
          random: middle,
        }),
      ),
    ).toBe(120_000);
  });
});
