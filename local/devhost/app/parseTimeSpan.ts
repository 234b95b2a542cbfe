/**
 * Parses a .NET TimeSpan as host.json writes them ("hh:mm:ss", "d.hh:mm:ss", "hh:mm:ss.fff")
 * into milliseconds. Returns undefined for anything else.
 */
export function parseTimeSpan(text: string): number | undefined {
  const match = /^(-)?(?:(\d+)\.)?(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,7}))?$/.exec(text.trim());
  if (!match) return undefined;
  const [, minus, days = '0', hours = '0', minutes = '0', seconds = '0', fraction = ''] = match;
  const fractionMs = fraction ? Number(`0.${fraction}`) * 1000 : 0;
  const ms =
    ((Number(days) * 24 + Number(hours)) * 60 + Number(minutes)) * 60_000 +
    Number(seconds) * 1000 +
    fractionMs;
  return minus ? -ms : ms;
}
