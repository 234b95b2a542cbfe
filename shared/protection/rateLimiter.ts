/**
 * The arithmetic of the per-subscription limits, pure so a unit table covers it. The state lives
 * in one shared document per subscription (shared/store/ProtectionStore.ts), written with an
 * ETag, so every Function instance takes its slots from the same counters.
 *
 * Rate: a generic cell rate algorithm (GCRA) without burst. `nextSlotAtMs` is the earliest time
 * the next delivery may start; each delivery takes the slot max(nextSlotAtMs, now) and moves it
 * on by 1000 / maxPerSecond ms. Slots are therefore exactly that far apart, so no one-second
 * window holds more than maxPerSecond of them. A delivery whose slot is in the future is held
 * (a scheduled message) until its slot and carries the slot with it, so it is not counted twice
 * and a backlog drains at exactly the limit, in arrival order of the reservations.
 *
 * Concurrency: leases with an expiry (a crashed holder frees its lease when it expires).
 */

export interface Lease {
  id: string;
  untilMs: number;
}

export interface LimiterState {
  nextSlotAtMs?: number;
  leases?: Lease[];
}

export interface Limits {
  maxPerSecond?: number;
  maxConcurrent?: number;
}

/** A held copy arriving this much before its reserved slot still takes it (timer granularity). */
export const SLOT_SLACK_MS = 5;

/** How long a delivery waits before trying again when all its concurrent leases are taken. */
export const CONCURRENCY_RETRY_MS = 1_000;

export type LimiterDecision =
  /** `startAtMs`: the slot, when it is ahead (within `waitWithinMs`): start then, not before. */
  | { kind: 'proceed'; state: LimiterState; leaseId?: string; startAtMs?: number }
  | { kind: 'holdForSlot'; state: LimiterState; slotAtMs: number }
  | { kind: 'holdForConcurrency'; retryAtMs: number };

export interface AdmitInput {
  state: LimiterState;
  limits: Limits;
  nowMs: number;
  /** The slot a held delivery already reserved; it is not charged again. */
  reservedSlotAtMs?: number | undefined;
  /** Id and length of the lease to take when there is a concurrency limit. */
  leaseId: string;
  leaseMs: number;
  /** 0..1, spreads concurrency retries. */
  random: number;
  /** A slot at most this far ahead is taken now, to be waited for (default 0: only a due one). */
  waitWithinMs?: number;
}

/**
 * The milliseconds between two slots, rounded up to a whole microsecond: never shorter than
 * 1000 / maxPerSecond, even after the rounding of adding it up (a third of a second is not a
 * whole number of milliseconds).
 */
export function slotIntervalMs(maxPerSecond: number): number {
  return Math.ceil(1_000_000 / maxPerSecond) / 1000;
}

/** Takes a rate slot (now or later) and a concurrency lease, or says how long to hold. */
export function admit(input: AdmitInput): LimiterDecision {
  const { limits, nowMs } = input;
  let state: LimiterState = { ...input.state };
  if (limits.maxConcurrent !== undefined) {
    const live = (state.leases ?? []).filter((lease) => lease.untilMs > nowMs);
    if (live.length >= limits.maxConcurrent) {
      return {
        kind: 'holdForConcurrency',
        retryAtMs: nowMs + CONCURRENCY_RETRY_MS * (0.5 + input.random),
      };
    }
    state = { ...state, leases: live };
  }
  const charged = input.reservedSlotAtMs !== undefined;
  let startAt: { startAtMs?: number } = {};
  if (limits.maxPerSecond !== undefined && !charged) {
    const slotAtMs = Math.max(state.nextSlotAtMs ?? 0, nowMs);
    const nextSlotAtMs = slotAtMs + slotIntervalMs(limits.maxPerSecond);
    // Never before its slot, not even by a millisecond: that is what keeps every one-second
    // window within the limit (a unit test walks the windows).
    if (slotAtMs > nowMs + (input.waitWithinMs ?? 0)) {
      return { kind: 'holdForSlot', state: { ...state, nextSlotAtMs }, slotAtMs };
    }
    state = { ...state, nextSlotAtMs };
    if (slotAtMs > nowMs) startAt = { startAtMs: slotAtMs };
  }
  if (limits.maxConcurrent !== undefined) {
    state = {
      ...state,
      leases: [...(state.leases ?? []), { id: input.leaseId, untilMs: nowMs + input.leaseMs }],
    };
    return { kind: 'proceed', state, leaseId: input.leaseId, ...startAt };
  }
  return { kind: 'proceed', state, ...startAt };
}

/** Gives a lease back. */
export function release(state: LimiterState, leaseId: string): LimiterState {
  return { ...state, leases: (state.leases ?? []).filter((lease) => lease.id !== leaseId) };
}

/**
 * Whether a held delivery's reserved slot is honoured: only when it is due within `maxEarlyMs`
 * (the copy is scheduled that much before its slot and waits for it in process) and not stale
 * (a copy delayed for an outage, or a forged property, gets a fresh slot instead).
 */
export function reservedSlotHonoured(
  reservedSlotAtMs: number | undefined,
  nowMs: number,
  maxStaleMs: number,
  maxEarlyMs: number = SLOT_SLACK_MS,
): boolean {
  return (
    reservedSlotAtMs !== undefined &&
    Number.isFinite(reservedSlotAtMs) &&
    reservedSlotAtMs <= nowMs + maxEarlyMs &&
    nowMs - reservedSlotAtMs <= maxStaleMs
  );
}
