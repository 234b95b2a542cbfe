/**
 * ISO 8601 durations as the official emulator's Config.json writes them ("PT1M", "P14D",
 * "PT0.5S", "P1DT2H"). Years and months are refused: they have no fixed length.
 */
const DURATION =
  /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

const UNIT_MS = [7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000] as const;

/** Milliseconds in `text`, or undefined when it is not a day/time ISO 8601 duration. */
export function parseIsoDuration(text: string): number | undefined {
  const match = DURATION.exec(text.trim());
  if (!match || text.trim() === 'P' || text.trim().endsWith('T')) return undefined;
  let total = 0;
  let any = false;
  UNIT_MS.forEach((unit, index) => {
    const part = match[index + 1];
    if (part !== undefined) {
      any = true;
      total += Number(part) * unit;
    }
  });
  return any ? Math.round(total) : undefined;
}
