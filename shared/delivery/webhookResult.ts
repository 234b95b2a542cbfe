/**
 * What one webhook POST came to. The client never throws for network trouble; it says so here.
 * `ok` is true only for 200-204.
 */
export interface WebhookResult {
  ok: boolean;
  /** HTTP status, when a response arrived. */
  status?: number;
  /** From just before the connection (after the SSRF check) to the end of the body prefix. */
  durationMs: number;
  /** The first 4 KB of the response body (UTF-8, possibly cut mid-character). */
  responseBodyPrefix?: string;
  /** The raw Retry-After header, when the response carried one. */
  retryAfter?: string;
  /** Retry-After in milliseconds from the response, when it could be read. */
  retryAfterMs?: number;
  /** The Location header of a redirect that was not followed. */
  location?: string;
  /** Why no usable response arrived. */
  failure?: WebhookFailure;
  /** A readable cause, safe to store and show (no secrets, no signatures). */
  error?: string;
}

/**
 * `refused`: the SSRF guard (or the URL itself) rules the target out: permanent.
 * `timeout`, `network`: nothing (complete) came back in time: retryable.
 */
export type WebhookFailure = 'refused' | 'timeout' | 'network';
