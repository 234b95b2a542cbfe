import type { Arrival } from './receiver';

/** The deliveries of one measurement phase. */
export interface PhaseDeliveries {
  /** Every POST the receiver got, duplicates included (at-least-once). */
  received: number;
  /** Distinct webhook-ids: deliveries completed at least once. */
  unique: number;
  /** Publish-to-arrival times of first arrivals, in ms. */
  latenciesMs: number[];
  firstArrivalAt: number;
  lastArrivalAt: number;
}

/** Sorts arrivals into phases by data.phase; arrivals of unknown phases are counted apart. */
export class DeliveryTracker {
  readonly #phases = new Map<string, PhaseDeliveries & { ids: Set<string> }>();
  stray = 0;

  open(phase: string): PhaseDeliveries {
    const deliveries = {
      received: 0,
      unique: 0,
      latenciesMs: [],
      firstArrivalAt: NaN,
      lastArrivalAt: NaN,
      ids: new Set<string>(),
    };
    this.#phases.set(phase, deliveries);
    return deliveries;
  }

  record(arrival: Arrival): void {
    const phase = this.#phases.get(arrival.phase);
    if (!phase) {
      this.stray++;
      return;
    }
    phase.received++;
    if (phase.ids.has(arrival.webhookId)) return;
    phase.ids.add(arrival.webhookId);
    phase.unique++;
    phase.latenciesMs.push(arrival.arrivedAt - arrival.sentAt);
    if (Number.isNaN(phase.firstArrivalAt)) phase.firstArrivalAt = arrival.arrivedAt;
    phase.lastArrivalAt = arrival.arrivedAt;
  }
}

/** The p-th percentile (0-100) by nearest rank; NaN for no values. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))] ?? NaN;
}
