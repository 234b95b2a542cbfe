import type { AttemptClassification } from '../../../shared/delivery/classifyOutcome';
import {
  decideAfterAttempt,
  expiredBeforeAttempt,
  statusAfter,
} from '../../../shared/pipeline/deliveryDecision';

const now = new Date('2026-05-01T12:00:00.000Z');
const policy = { maxDeliveryAttempts: 5, eventTimeToLiveInMinutes: 60 };
const middle = () => 0.5; // no jitter

function classification(partial: Partial<AttemptClassification>): AttemptClassification {
  return {
    outcome: 'retryableFailure',
    reason: 'RetryableFailure',
    description: 'HTTP 503',
    disableSubscription: false,
    ...partial,
  };
}

describe('decideAfterAttempt', () => {
  it('ends a successful delivery', () => {
    const decision = decideAfterAttempt({
      classification: classification({ outcome: 'succeeded', reason: 'Delivered' }),
      attempt: 1,
      firstAttemptAt: now.toISOString(),
      policy,
      now,
    });
    expect(decision).toEqual({ kind: 'succeeded' });
    expect(statusAfter(decision)).toBe('succeeded');
  });

  it('retries a retryable failure on the schedule (10 s after the first attempt)', () => {
    const decision = decideAfterAttempt({
      classification: classification({}),
      attempt: 1,
      firstAttemptAt: now.toISOString(),
      policy,
      now,
      random: middle,
    });
    expect(decision).toEqual({ kind: 'retry', at: new Date(now.getTime() + 10_000) });
    expect(statusAfter(decision)).toBe('retrying');
  });

  it('waits as long as Retry-After asks when that is longer than the schedule', () => {
    const decision = decideAfterAttempt({
      classification: classification({ description: 'HTTP 429', retryAfterMs: 120_000 }),
      attempt: 1,
      firstAttemptAt: now.toISOString(),
      policy: { ...policy, schedule: [1] },
      now,
      random: middle,
    });
    expect(decision).toEqual({ kind: 'retry', at: new Date(now.getTime() + 120_000) });
  });

  it("keeps Event Grid's 503 floor on the default schedule but not on a custom one", () => {
    const input = {
      classification: classification({ minDelayMs: 30_000 }),
      attempt: 1,
      firstAttemptAt: now.toISOString(),
      now,
      random: middle,
    };
    expect(decideAfterAttempt({ ...input, policy })).toEqual({
      kind: 'retry',
      at: new Date(now.getTime() + 30_000),
    });
    expect(decideAfterAttempt({ ...input, policy: { ...policy, schedule: [2] } })).toEqual({
      kind: 'retry',
      at: new Date(now.getTime() + 2_000),
    });
  });

  it('dead-letters a permanent failure at once, and asks to disable on 410', () => {
    const decision = decideAfterAttempt({
      classification: classification({
        outcome: 'permanentFailure',
        reason: 'EndpointGone',
        description: 'HTTP 410 Gone',
        disableSubscription: true,
      }),
      attempt: 1,
      firstAttemptAt: now.toISOString(),
      policy,
      now,
    });
    expect(decision).toEqual({
      kind: 'deadLetter',
      reason: 'EndpointGone',
      description: 'HTTP 410 Gone',
      disableSubscription: true,
    });
    expect(statusAfter(decision)).toBe('deadLettered');
  });

  it('dead-letters when the attempts are spent, naming the last outcome', () => {
    const decision = decideAfterAttempt({
      classification: classification({ description: 'HTTP 500' }),
      attempt: 5,
      firstAttemptAt: now.toISOString(),
      policy,
      now,
    });
    expect(decision.kind).toBe('deadLetter');
    if (decision.kind !== 'deadLetter') return;
    expect(decision.reason).toBe('MaxDeliveryAttemptsExceeded');
    expect(decision.description).toContain('last outcome: HTTP 500');
  });

  it('dead-letters when the next attempt would fall after the time to live', () => {
    const decision = decideAfterAttempt({
      classification: classification({}),
      attempt: 2,
      firstAttemptAt: new Date(now.getTime() - 59.75 * 60_000).toISOString(),
      policy,
      now,
      random: middle,
    });
    expect(decision.kind === 'deadLetter' && decision.reason).toBe('TimeToLiveExceeded');
  });
});

describe('expiredBeforeAttempt', () => {
  it('is true only once the time to live has passed', () => {
    const first = new Date(now.getTime() - 60 * 60_000).toISOString();
    expect(expiredBeforeAttempt(first, policy, now)).toBe(false);
    expect(expiredBeforeAttempt(first, policy, new Date(now.getTime() + 1))).toBe(true);
  });
});
