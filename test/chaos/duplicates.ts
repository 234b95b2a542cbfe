/**
 * Why a webhook received a delivery more than once (same webhook-id, answered 2xx each time),
 * told from the receiver's clock and the chaos timeline: each repeated 2xx receipt is put down
 * to what happened between it and the 2xx receipt before it.
 */

/** One 2xx receipt of a delivery after an earlier one, with the earlier one's time. */
export interface RepeatedReceipt {
  /** The earlier 2xx receipt of the same webhook-id (ms since the epoch, receiver's clock). */
  previousOkAtMs: number;
  /** This receipt. */
  atMs: number;
}

/** A Cosmos DB outage: from refusing to answering again. */
export interface Window {
  fromMs: number;
  toMs: number;
}

export interface ChaosTimeline {
  /** When each kill -9 of the dev host's process group was sent. */
  killsAtMs: readonly number[];
  outages: readonly Window[];
}

export type DuplicateCause =
  /** The webhook answered just before or while Cosmos DB refused: the attempt was not recorded. */
  | 'outage'
  /** The host was killed after the webhook answered and before the attempt was recorded. */
  | 'kill'
  /** Neither: a re-send the chaos does not explain. */
  | 'other';

/**
 * An attempt answered this long before the refusal began may still have been waiting for its
 * record write when it did (the write takes a few hundred ms on a loaded machine).
 */
export const OUTAGE_LEAD_MS = 2_000;

/**
 * The cause of one repeated receipt. The earlier receipt falling in an outage (or just before it)
 * comes first: its record write was refused, so the attempt ran again after the outage whether
 * or not a kill came in between (the chaos keeps kills at least 2 s after an outage, and a
 * postponed attempt comes back 15 s or more after the outage began). Else a kill between the two
 * receipts: the killed host had the answer and not yet the record.
 */
/**
 * The receiver runs in the test's own process, which sends the kill: a request the host wrote just
 * before it died is read, and its 2xx timed, in a later turn of that process, after the kill.
 * A receipt this soon after a kill still came from the killed host (a restart takes seconds).
 */
export const KILL_READ_LAG_MS = 1_000;

/** The kill between the two receipts (the earlier one read at most KILL_READ_LAG_MS after it). */
function killBetween(receipt: RepeatedReceipt, killsAtMs: readonly number[]): number {
  return killsAtMs.findIndex(
    (kill) => kill >= receipt.previousOkAtMs - KILL_READ_LAG_MS && kill <= receipt.atMs,
  );
}

export function causeOf(receipt: RepeatedReceipt, timeline: ChaosTimeline): DuplicateCause {
  if (
    timeline.outages.some(
      (outage) =>
        receipt.previousOkAtMs >= outage.fromMs - OUTAGE_LEAD_MS && receipt.previousOkAtMs <= outage.toMs,
    )
  )
    return 'outage';
  if (killBetween(receipt, timeline.killsAtMs) >= 0) return 'kill';
  return 'other';
}

export interface DuplicateReport {
  total: number;
  byCause: Record<DuplicateCause, number>;
  /** Repeated receipts put down to each kill, in kill order. */
  perKill: number[];
  /** How long after the earlier receipt the repeat came (ms): median and largest. */
  gapMedianMs: number;
  gapMaxMs: number;
  /**
   * For the kill duplicates: how long before the kill the webhook had answered (ms), median and
   * largest. The window in which an answered attempt was not recorded yet; below 0 when the
   * receiver read the request after the kill was sent.
   */
  beforeKillMedianMs: number;
  beforeKillMaxMs: number;
}

export function classifyDuplicates(
  receipts: readonly RepeatedReceipt[],
  timeline: ChaosTimeline,
): DuplicateReport {
  const byCause: Record<DuplicateCause, number> = { outage: 0, kill: 0, other: 0 };
  const perKill = timeline.killsAtMs.map(() => 0);
  const beforeKill: number[] = [];
  for (const receipt of receipts) {
    const cause = causeOf(receipt, timeline);
    byCause[cause] += 1;
    if (cause === 'kill') {
      const index = killBetween(receipt, timeline.killsAtMs);
      perKill[index] = (perKill[index] ?? 0) + 1;
      beforeKill.push((timeline.killsAtMs[index] ?? receipt.previousOkAtMs) - receipt.previousOkAtMs);
    }
  }
  const gaps = receipts.map((receipt) => receipt.atMs - receipt.previousOkAtMs);
  return {
    total: receipts.length,
    byCause,
    perKill,
    gapMedianMs: median(gaps),
    gapMaxMs: Math.max(0, ...gaps),
    beforeKillMedianMs: median(beforeKill),
    beforeKillMaxMs: Math.max(0, ...beforeKill),
  };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

/** The short line CI shows. */
export function formatDuplicateReport(report: DuplicateReport): string {
  return (
    `duplicates=${report.total} (outage:${report.byCause.outage} ` +
    `kill:${report.byCause.kill} [${report.perKill.join(',')}] other:${report.byCause.other}; ` +
    `answered before the kill: median ${report.beforeKillMedianMs} ms, max ${report.beforeKillMaxMs} ms; ` +
    `repeated after: median ${Math.round(report.gapMedianMs / 1000)} s, max ${Math.round(report.gapMaxMs / 1000)} s)`
  );
}
