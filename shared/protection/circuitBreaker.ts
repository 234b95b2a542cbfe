import type { BreakerPolicy } from './policy';

/**
 * A subscription's circuit breaker as a pure state machine (a unit table covers it):
 * - closed: every delivery goes; outcomes are counted in a window of `windowMs` (tumbling:
 *   counts start again when it is over). When at least `minimumRequests` were counted and the
 *   share of failures reaches `failureRatio`, the circuit opens.
 * - open: no delivery goes until `coolDownMs` after opening (they are held, using no attempt).
 * - halfOpen: one probe delivery at a time (it holds the probe until `probeUntilMs`); a success
 *   closes the circuit, a failure opens it again for another cool-down.
 * Failures are the outcomes that say the endpoint is unwell (retryable ones: 5xx, 408, 429,
 * timeouts, refused connections); a permanent refusal (a 4xx) says it is up, and counts as neither.
 */

/** How long a delivery waits while another one probes a half-open circuit, before it looks again. */
export const PROBE_RECHECK_MS = 2_000;

export type CircuitState = 'closed' | 'open' | 'halfOpen';

export interface BreakerState {
  state: CircuitState;
  /** When the state last changed (ISO time). */
  changedAt: string;
  windowStartMs: number;
  successes: number;
  failures: number;
  /** Open: when the cool-down ends. */
  openUntilMs?: number;
  /** Half-open: until when the current probe holds the circuit. */
  probeUntilMs?: number;
}

export type BreakerOutcome = 'success' | 'failure' | 'neutral';

export type BreakerTransition = 'opened' | 'closed';

export function closedBreaker(nowMs: number): BreakerState {
  return {
    state: 'closed',
    changedAt: new Date(nowMs).toISOString(),
    windowStartMs: nowMs,
    successes: 0,
    failures: 0,
  };
}

export type BreakerAdmission =
  { kind: 'go' } | { kind: 'probe'; state: BreakerState } | { kind: 'hold'; untilMs: number };

/** Whether a delivery may go now. A probe changes the state (it must be written before going). */
export function admitThroughBreaker(
  state: BreakerState,
  nowMs: number,
  probeLeaseMs: number,
): BreakerAdmission {
  if (state.state === 'closed') return { kind: 'go' };
  if (state.state === 'open' && nowMs < (state.openUntilMs ?? 0)) {
    return { kind: 'hold', untilMs: state.openUntilMs ?? nowMs };
  }
  if (state.state === 'halfOpen' && nowMs < (state.probeUntilMs ?? 0)) {
    // The probe usually answers in far less than its lease: look again soon.
    return { kind: 'hold', untilMs: Math.min(state.probeUntilMs ?? nowMs, nowMs + PROBE_RECHECK_MS) };
  }
  const changedAt = state.state === 'open' ? new Date(nowMs).toISOString() : state.changedAt;
  const { openUntilMs: _cooledDown, ...rest } = state;
  return {
    kind: 'probe',
    state: { ...rest, state: 'halfOpen', changedAt, probeUntilMs: nowMs + probeLeaseMs },
  };
}

/** Counts an outcome and moves the state; `transition` says whether it opened or closed. */
export function recordOutcome(
  state: BreakerState,
  outcome: BreakerOutcome,
  policy: BreakerPolicy,
  nowMs: number,
  /** Successes this instance saw without writing them (folded in now). */
  unwrittenSuccesses = 0,
): { state: BreakerState; transition?: BreakerTransition } {
  const current = nowMs - state.windowStartMs >= policy.windowMs ? rollWindow(state, nowMs) : state;
  const successes = current.successes + unwrittenSuccesses + (outcome === 'success' ? 1 : 0);
  const failures = current.failures + (outcome === 'failure' ? 1 : 0);
  const counted: BreakerState = { ...current, successes, failures };
  if (current.state === 'halfOpen') {
    if (outcome === 'success') return { state: closedBreaker(nowMs), transition: 'closed' };
    if (outcome === 'failure') return { state: opened(counted, policy, nowMs) };
    // A neutral probe (the endpoint refused one event) frees the probe for the next delivery.
    const { probeUntilMs: _probe, ...rest } = counted;
    return { state: rest };
  }
  if (current.state === 'closed' && shouldOpen(counted, policy)) {
    return { state: opened(counted, policy, nowMs), transition: 'opened' };
  }
  return { state: counted };
}

function shouldOpen(state: BreakerState, policy: BreakerPolicy): boolean {
  const total = state.successes + state.failures;
  return total >= policy.minimumRequests && state.failures / total >= policy.failureRatio;
}

function opened(state: BreakerState, policy: BreakerPolicy, nowMs: number): BreakerState {
  const { probeUntilMs: _probe, ...rest } = state;
  return {
    ...rest,
    state: 'open',
    changedAt: state.state === 'open' ? state.changedAt : new Date(nowMs).toISOString(),
    openUntilMs: nowMs + policy.coolDownMs,
  };
}

function rollWindow(state: BreakerState, nowMs: number): BreakerState {
  return { ...state, windowStartMs: nowMs, successes: 0, failures: 0 };
}
