/**
 * The CloudEvents Webhook "Abuse Protection" handshake (as Event Grid runs it for CloudEvents
 * subscriptions): before anything is delivered, an OPTIONS request to the exact endpoint URL
 * carries `WebHook-Request-Origin`; the endpoint agrees by answering with a matching (or `*`)
 * `WebHook-Allowed-Origin`, and may add `WebHook-Allowed-Rate` (requests per minute). Pure: the
 * webhook client makes the request, this decides what the answer means.
 */

export const HANDSHAKE_HEADERS = {
  requestOrigin: 'webhook-request-origin',
  allowedOrigin: 'webhook-allowed-origin',
  allowedRate: 'webhook-allowed-rate',
} as const;

/** What came back from the OPTIONS request. */
export type HandshakeResponse =
  | { kind: 'answered'; status: number; allowedOrigin?: string; allowedRate?: string }
  /** No answer: refused by the SSRF guard, a timeout, a network error. */
  | { kind: 'failed'; error: string };

export type HandshakeVerdict =
  { accepted: true; allowedRatePerMinute?: number } | { accepted: false; reason: string };

/** `WebHook-Allowed-Rate`: a positive whole number of requests per minute, or `*` for any rate. */
const RATE = /^[1-9][0-9]{0,8}$/;

/**
 * Whether the endpoint agreed to receive events from `origin`. The status alone is no consent
 * (the spec: an endpoint may answer OPTIONS without meaning it), so the header decides; a non-2xx
 * answer is a refusal even with the header, as a 405 from a server that does not speak it is.
 */
export function handshakeVerdict(response: HandshakeResponse, origin: string): HandshakeVerdict {
  if (response.kind === 'failed') return { accepted: false, reason: `OPTIONS failed: ${response.error}` };
  const { status, allowedOrigin, allowedRate } = response;
  if (status < 200 || status > 299) {
    return {
      accepted: false,
      reason: `the endpoint answered OPTIONS with ${status}${status === 405 ? ' (it does not take part in the handshake; set validation to "none" to opt out)' : ''}`,
    };
  }
  if (allowedOrigin === undefined) {
    return {
      accepted: false,
      reason: 'the endpoint answered OPTIONS without a WebHook-Allowed-Origin header',
    };
  }
  const granted = allowedOrigin.trim();
  if (granted !== '*' && granted.toLowerCase() !== origin.toLowerCase()) {
    return {
      accepted: false,
      reason: `WebHook-Allowed-Origin ${JSON.stringify(granted.slice(0, 200))} does not match ${JSON.stringify(origin)}`,
    };
  }
  const rate = allowedRate?.trim();
  if (rate === undefined || rate === '*') return { accepted: true };
  if (!RATE.test(rate)) {
    return {
      accepted: false,
      reason: `WebHook-Allowed-Rate ${JSON.stringify(rate.slice(0, 50))} is neither a positive whole number of requests per minute nor *`,
    };
  }
  return { accepted: true, allowedRatePerMinute: Number(rate) };
}
