import {
  CONCURRENCY_RETRY_MS,
  type LimiterDecision,
  type LimiterState,
  admit,
  release,
  reservedSlotHonoured,
  slotIntervalMs,
} from '../../../shared/protection/rateLimiter';

const T = 1_800_000_000_000;

function admitAt(
  state: LimiterState,
  nowMs: number,
  limits: { maxPerSecond?: number; maxConcurrent?: number },
  extra: { reservedSlotAtMs?: number; leaseId?: string } = {},
): LimiterDecision {
  return admit({
    state,
    limits,
    nowMs,
    leaseId: extra.leaseId ?? 'lease',
    leaseMs: 45_000,
    random: 0.5,
    reservedSlotAtMs: extra.reservedSlotAtMs,
  });
}

describe('rate limiter arithmetic', () => {
  it.each<[string, LimiterState, number, number, string, number | undefined]>([
    ['an idle limiter lets the first delivery go now', {}, 5, T, 'proceed', T + 200],
    ['a slot in the past counts as now', { nextSlotAtMs: T - 10_000 }, 5, T, 'proceed', T + 200],
    ['a slot even 1 ms ahead is held for', { nextSlotAtMs: T + 1 }, 5, T, 'holdForSlot', T + 201],
    [
      'a slot later than now holds for it and reserves the one after',
      { nextSlotAtMs: T + 150 },
      5,
      T,
      'holdForSlot',
      T + 350,
    ],
    [
      'one per second: the next slot is a second on',
      { nextSlotAtMs: T + 1_000 },
      1,
      T,
      'holdForSlot',
      T + 2_000,
    ],
    ['a thousand per second: a millisecond apart', {}, 1_000, T, 'proceed', T + 1],
  ])('%s', (_name, state, maxPerSecond, now, kind, nextSlot) => {
    const decision = admitAt(state, now, { maxPerSecond });
    expect(decision.kind).toBe(kind);
    if (decision.kind !== 'holdForConcurrency')
      expect(decision.state.nextSlotAtMs).toBeCloseTo(nextSlot ?? 0, 6);
    if (decision.kind === 'holdForSlot')
      expect(decision.slotAtMs).toBe(Math.max(state.nextSlotAtMs ?? 0, now));
  });

  it('never gives more than maxPerSecond slots in any one-second window, however requests arrive', () => {
    for (const maxPerSecond of [1, 3, 7, 10, 50, 300, 999]) {
      let state: LimiterState = {};
      const slots: number[] = [];
      // 5 x maxPerSecond requests in bursts at random-ish times within 2 s.
      for (let i = 0; i < maxPerSecond * 5; i += 1) {
        const now = T + ((i * 7919) % 2000);
        const decision = admitAt(state, now, { maxPerSecond });
        if (decision.kind === 'holdForConcurrency') throw new Error('no concurrency limit here');
        state = decision.state;
        slots.push(decision.kind === 'holdForSlot' ? decision.slotAtMs : now);
      }
      slots.sort((a, b) => a - b);
      for (let i = 0; i < slots.length; i += 1) {
        const start = slots[i] ?? 0;
        const inWindow = slots.filter((slot) => slot >= start && slot < start + 1000).length;
        expect(inWindow).toBeLessThanOrEqual(maxPerSecond);
      }
      expect(slotIntervalMs(maxPerSecond)).toBeGreaterThanOrEqual(1000 / maxPerSecond);
      expect(slotIntervalMs(maxPerSecond)).toBeLessThan(1000 / maxPerSecond + 0.001);
    }
  });

  it.each<[string, number, string, number | undefined]>([
    ['a slot within the wait is taken now, to start at the slot', 900, 'proceed', T + 900],
    ['a slot beyond the wait is held for', 1_100, 'holdForSlot', undefined],
    ['a due slot starts now', 0, 'proceed', undefined],
  ])('waitWithinMs 1000: %s', (_name, ahead, kind, startAtMs) => {
    const decision = admit({
      state: { nextSlotAtMs: T + ahead },
      limits: { maxPerSecond: 10, maxConcurrent: 5 },
      nowMs: T,
      leaseId: 'lease',
      leaseMs: 45_000,
      random: 0,
      waitWithinMs: 1_000,
    });
    expect(decision.kind).toBe(kind);
    if (decision.kind === 'proceed') {
      expect(decision.startAtMs).toBe(startAtMs);
      // The lease is taken with the slot, also when the start is ahead.
      expect(decision.leaseId).toBe('lease');
      expect(decision.state.nextSlotAtMs).toBe(T + ahead + 100);
    }
  });

  it('a reserved slot is not charged again', () => {
    const decision = admitAt({ nextSlotAtMs: T + 5_000 }, T, { maxPerSecond: 2 }, { reservedSlotAtMs: T });
    expect(decision).toEqual({ kind: 'proceed', state: { nextSlotAtMs: T + 5_000 } });
  });

  it.each<[string, number | undefined, number, boolean]>([
    ['due now', T, T, true],
    ['a few ms early (timer granularity)', T + 5, T, true],
    ['came due a second ago', T - 1_000, T, true],
    ['stale (delayed by an outage)', T - 2_001, T, false],
    ['early (not yet due)', T + 1_000, T, false],
    ['absent', undefined, T, false],
    ['not a number', Number.NaN, T, false],
  ])('reserved slot %s: honoured %s', (_name, slot, now, honoured) => {
    expect(reservedSlotHonoured(slot, now, 2_000)).toBe(honoured);
    // Copies come back up to a lead before their slot and wait for it in process.
    if (slot === T + 1_000) expect(reservedSlotHonoured(slot, now, 2_000, 1_005)).toBe(true);
  });

  it('concurrency: leases up to the limit, then holds without taking a rate slot; expired leases free up', () => {
    const limits = { maxPerSecond: 100, maxConcurrent: 2 };
    const first = admitAt({}, T, limits, { leaseId: 'a' });
    if (first.kind !== 'proceed') throw new Error(first.kind);
    const second = admitAt(first.state, T + 10, limits, { leaseId: 'b' });
    if (second.kind !== 'proceed') throw new Error(second.kind);
    expect(second.leaseId).toBe('b');
    expect(second.state.leases?.map((lease) => lease.id)).toEqual(['a', 'b']);

    const third = admitAt(second.state, T + 20, limits, { leaseId: 'c' });
    expect(third).toEqual({ kind: 'holdForConcurrency', retryAtMs: T + 20 + CONCURRENCY_RETRY_MS });

    const released = release(second.state, 'a');
    const fourth = admitAt(released, T + 30, limits, { leaseId: 'd' });
    expect(fourth.kind).toBe('proceed');

    const afterExpiry = admitAt(second.state, T + 45_011, limits, { leaseId: 'e' });
    if (afterExpiry.kind !== 'proceed') throw new Error(afterExpiry.kind);
    expect(afterExpiry.state.leases?.map((lease) => lease.id)).toEqual(['e']);
  });
});
