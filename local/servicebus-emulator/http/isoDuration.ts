/**
 * TimeSpans as Service Bus writes them in ATOM descriptions (XmlConvert.ToString(TimeSpan)):
 * `PT1M`, `P14D`, `PT0.5S`, and TimeSpan.MaxValue for "never" (no TTL, no auto-delete).
 */
export const MAX_TIMESPAN = 'P10675199DT2H48M5.4775807S';

/** Anything this long or longer is "never": beyond it, enqueue time + TTL would not be a valid date. */
export const NEVER_MS = 10_000 * 365 * 86_400_000;

export function formatIsoDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms >= NEVER_MS) return MAX_TIMESPAN;
  const days = Math.floor(ms / 86_400_000);
  let rest = ms - days * 86_400_000;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = rest / 1000;
  const time = `${hours ? `${hours}H` : ''}${minutes ? `${minutes}M` : ''}${seconds ? `${seconds}S` : ''}`;
  if (!days && !time) return 'PT0S';
  return `P${days ? `${days}D` : ''}${time ? `T${time}` : ''}`;
}
