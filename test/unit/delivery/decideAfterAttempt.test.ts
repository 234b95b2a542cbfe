import { decideAfterAttempt } from '../../../shared/delivery/decideAfterAttempt';
import type { RetryPolicy } from '../../../shared/domain/types';

const policy: RetryPolicy = { maxDeliveryAttempts: 3, eventTimeToLiveInMinutes: 60 };
const first = new Date('2026-01-01T00:00:00Z');
const noJitter = () => 0.5;

describe('decideAfterAttempt', () => {
  it('records a success with status, duration and body', () => {
    const step = decideAfterAttempt({
      result: { ok: true, status: 200, durationMs: 12, responseBodyPrefix: 'thanks' },
      attempt: 1,
      at: first,
      firstAttemptAt: first,
      policy,
    });
    expect(step).toEqual({
      action: 'succeeded',
      attempt: { n: 1, at: first.toISOString(), outcome: 'succeeded', httpStatus: 200, durationMs: 12, responseBody: 'thanks' },
    });
  });

  it('retries a 500 on the schedule, counted from the end of the attempt', () => {
    const step = decideAfterAttempt({ result: { ok: false, status: 500, durationMs: 1000 }, attempt: 1, at: first, firstAttemptAt: first, policy, random: noJitter });
    expect(step).toMatchObject({ action: 'retry', at: new Date(first.getTime() + 11_000), attempt: { outcome: 'retryableFailure', error: 'HTTP 500' } });
  });

  it('dead-letters permanent failures at once, and disables on 410', () => {
    expect(decideAfterAttempt({ result: { ok: false, status: 401, durationMs: 5 }, attempt: 1, at: first, firstAttemptAt: first, policy })).toMatchObject({
      action: 'deadLetter',
      reason: 'EndpointRejected',
      disableSubscription: false,
    });
    expect(decideAfterAttempt({ result: { ok: false, status: 410, durationMs: 5 }, attempt: 1, at: first, firstAttemptAt: first, policy })).toMatchObject({
      action: 'deadLetter',
      reason: 'EndpointGone',
      disableSubscription: true,
    });
  });

  it('dead-letters when the attempts are spent, naming the last failure', () => {
    const step = decideAfterAttempt({ result: { ok: false, failure: 'timeout', durationMs: 30_000, error: 'no complete response within 30000 ms' }, attempt: 3, at: first, firstAttemptAt: first, policy });
    expect(step).toMatchObject({ action: 'deadLetter', reason: 'MaxDeliveryAttemptsExceeded' });
    if (step.action === 'deadLetter') expect(step.description).toContain('no complete response within 30000 ms');
  });

  it('dead-letters when Retry-After points past the time to live', () => {
    const step = decideAfterAttempt({ result: { ok: false, status: 429, durationMs: 5, retryAfterMs: 2 * 3_600_000 }, attempt: 1, at: first, firstAttemptAt: first, policy });
    expect(step).toMatchObject({ action: 'deadLetter', reason: 'TimeToLiveExceeded' });
  });
});
