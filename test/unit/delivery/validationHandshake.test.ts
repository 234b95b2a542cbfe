import { type HandshakeResponse, handshakeVerdict } from '../../../shared/delivery/validationHandshake';

const ORIGIN = 'events.example.com';

describe('handshakeVerdict (CloudEvents Webhook abuse protection)', () => {
  const answered = (status: number, allowedOrigin?: string, allowedRate?: string): HandshakeResponse => ({
    kind: 'answered',
    status,
    ...(allowedOrigin !== undefined ? { allowedOrigin } : {}),
    ...(allowedRate !== undefined ? { allowedRate } : {}),
  });

  it.each<[string, HandshakeResponse, ReturnType<typeof handshakeVerdict>]>([
    ['the same origin', answered(200, ORIGIN), { accepted: true }],
    ['the origin in another case', answered(200, 'Events.Example.COM'), { accepted: true }],
    ['any origin (*)', answered(204, '*'), { accepted: true }],
    ['a rate per minute', answered(200, ORIGIN, '120'), { accepted: true, allowedRatePerMinute: 120 }],
    ['any rate (*)', answered(200, '*', '*'), { accepted: true }],
  ])('accepts %s', (_what, response, verdict) => {
    expect(handshakeVerdict(response, ORIGIN)).toEqual(verdict);
  });

  it.each<[string, HandshakeResponse, RegExp]>([
    ['a 405 (no handshake support)', answered(405), /405.*validation to "none"/],
    ['a 500 even with the header', answered(500, ORIGIN), /answered OPTIONS with 500/],
    ['a 200 without WebHook-Allowed-Origin', answered(200), /without a WebHook-Allowed-Origin/],
    ['another origin', answered(200, 'other.example.com'), /"other\.example\.com" does not match/],
    ['a rate that is no number', answered(200, ORIGIN, 'fast'), /WebHook-Allowed-Rate "fast"/],
    ['a rate of 0', answered(200, ORIGIN, '0'), /WebHook-Allowed-Rate "0"/],
    ['a failed request', { kind: 'failed', error: 'refused 10.0.0.1: private' }, /OPTIONS failed: refused/],
  ])('refuses %s, saying why', (_what, response, reason) => {
    const verdict = handshakeVerdict(response, ORIGIN);
    expect(verdict.accepted).toBe(false);
    expect(verdict.accepted ? '' : verdict.reason).toMatch(reason);
  });
});
