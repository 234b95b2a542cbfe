import { classifyOutcome } from '../../../shared/delivery/classifyOutcome';
import type { WebhookResult } from '../../../shared/delivery/webhookResult';

function http(status: number, extra: Partial<WebhookResult> = {}): WebhookResult {
  return { ok: status >= 200 && status <= 204, status, durationMs: 5, ...extra };
}

describe('classifyOutcome', () => {
  it.each([
    [200, 'succeeded'],
    [201, 'succeeded'],
    [202, 'succeeded'],
    [203, 'succeeded'],
    [204, 'succeeded'],
    [205, 'retryableFailure'],
    [206, 'retryableFailure'],
    [301, 'retryableFailure'],
    [302, 'retryableFailure'],
    [307, 'retryableFailure'],
    [400, 'permanentFailure'],
    [401, 'permanentFailure'],
    [403, 'permanentFailure'],
    [404, 'retryableFailure'],
    [408, 'retryableFailure'],
    [409, 'retryableFailure'],
    [410, 'permanentFailure'],
    [413, 'permanentFailure'],
    [422, 'retryableFailure'],
    [429, 'retryableFailure'],
    [500, 'retryableFailure'],
    [502, 'retryableFailure'],
    [503, 'retryableFailure'],
    [504, 'retryableFailure'],
  ])('HTTP %i -> %s', (status, outcome) => {
    expect(classifyOutcome(http(status)).outcome).toBe(outcome);
  });

  it('disables the subscription only on 410', () => {
    expect(classifyOutcome(http(410))).toMatchObject({ reason: 'EndpointGone', disableSubscription: true });
    for (const status of [400, 401, 403, 404, 413, 500]) {
      expect(classifyOutcome(http(status)).disableSubscription).toBe(false);
    }
  });

  it('names permanent rejections', () => {
    expect(classifyOutcome(http(403))).toMatchObject({
      reason: 'EndpointRejected',
      description: expect.stringContaining('403'),
    });
  });

  it('honours Retry-After on 429 and 503 only', () => {
    expect(classifyOutcome(http(429, { retryAfterMs: 60_000 })).retryAfterMs).toBe(60_000);
    expect(classifyOutcome(http(503, { retryAfterMs: 60_000 })).retryAfterMs).toBe(60_000);
    expect(classifyOutcome(http(500, { retryAfterMs: 60_000 })).retryAfterMs).toBeUndefined();
  });

  it("applies Event Grid's floors: 408 -> 2 min, 503 -> 30 s", () => {
    expect(classifyOutcome(http(408)).minDelayMs).toBe(120_000);
    expect(classifyOutcome(http(503)).minDelayMs).toBe(30_000);
    expect(classifyOutcome(http(500)).minDelayMs).toBeUndefined();
  });

  it('says where an unfollowed redirect pointed', () => {
    expect(classifyOutcome(http(302, { location: 'https://elsewhere.example/hook' })).description).toContain(
      'https://elsewhere.example/hook',
    );
  });

  it('retries timeouts and network errors; refused targets are permanent', () => {
    expect(
      classifyOutcome({
        ok: false,
        durationMs: 30_000,
        failure: 'timeout',
        error: 'timed out after 30000 ms',
      }),
    ).toMatchObject({
      outcome: 'retryableFailure',
      description: 'timed out after 30000 ms',
    });
    expect(
      classifyOutcome({ ok: false, durationMs: 3, failure: 'network', error: 'ECONNREFUSED' }).outcome,
    ).toBe('retryableFailure');
    expect(
      classifyOutcome({ ok: false, durationMs: 0, failure: 'refused', error: 'loopback' }),
    ).toMatchObject({
      outcome: 'permanentFailure',
      reason: 'TargetRefused',
      disableSubscription: false,
    });
  });
});
