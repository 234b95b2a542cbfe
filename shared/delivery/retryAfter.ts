/**
 * Parses a Retry-After header (RFC 9110 10.2.3): delta-seconds or an HTTP-date. Returns the
 * wait in milliseconds from `now` (0 for a date in the past), or undefined when the header is
 * absent or unreadable. The caller bounds it by the event's time to live.
 */
export function parseRetryAfter(header: string | null | undefined, now: Date): number | undefined {
  if (header === null || header === undefined) return undefined;
  const value = header.trim();
  if (value === '') return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // Only dates that name a weekday or month (IMF-fixdate and the obsolete forms), not bare numbers.
  if (!/[a-z]/i.test(value)) return undefined;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now.getTime());
}
