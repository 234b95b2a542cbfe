import {
  type BreakerOutcome,
  type BreakerState,
  PROBE_RECHECK_MS,
  admitThroughBreaker,
  closedBreaker,
  recordOutcome,
} from '../../../shared/protection/circuitBreaker';
import { CIRCUIT_BREAKER_DEFAULTS, protectionPolicyOf } from '../../../shared/protection/policy';

const policy = { minimumRequests: 4, failureRatio: 0.5, windowMs: 60_000, coolDownMs: 10_000 };
const T = Date.parse('2026-01-01T00:00:00Z');
const LEASE = 45_000;

function counts(state: BreakerState) {
  return { state: state.state, successes: state.successes, failures: state.failures };
}

/** Feeds outcomes one per second from T and returns the final state and the transitions seen. */
function feed(outcomes: BreakerOutcome[], start: BreakerState = closedBreaker(T)) {
  let state = start;
  const transitions: string[] = [];
  outcomes.forEach((outcome, index) => {
    const result = recordOutcome(state, outcome, policy, T + (index + 1) * 1000);
    state = result.state;
    if (result.transition) transitions.push(result.transition);
  });
  return { state, transitions };
}

describe('circuit breaker state machine', () => {
  it.each<[string, BreakerOutcome[], { state: string; successes: number; failures: number }, string[]]>([
    [
      'stays closed below the minimum of requests',
      ['failure', 'failure', 'failure'],
      { state: 'closed', successes: 0, failures: 3 },
      [],
    ],
    [
      'opens at the minimum with the failure ratio reached',
      ['success', 'success', 'failure', 'failure'],
      { state: 'open', successes: 2, failures: 2 },
      ['opened'],
    ],
    [
      'stays closed when the ratio is below the threshold',
      ['success', 'success', 'success', 'failure'],
      { state: 'closed', successes: 3, failures: 1 },
      [],
    ],
    [
      'neutral outcomes (4xx) count as neither',
      ['neutral', 'neutral', 'neutral', 'failure'],
      { state: 'closed', successes: 0, failures: 1 },
      [],
    ],
    [
      'opens once; later failures while open do not announce it again',
      ['failure', 'failure', 'failure', 'failure', 'failure', 'failure'],
      { state: 'open', successes: 0, failures: 6 },
      ['opened'],
    ],
  ])('%s', (_name, outcomes, expected, transitions) => {
    const result = feed(outcomes);
    expect(counts(result.state)).toEqual(expected);
    expect(result.transitions).toEqual(transitions);
  });

  it('starts a new window when the old one is over', () => {
    const { state } = feed(['failure', 'failure', 'failure']);
    const later = recordOutcome(state, 'failure', policy, T + policy.windowMs + 5_000);
    expect(counts(later.state)).toEqual({ state: 'closed', successes: 0, failures: 1 });
    expect(later.state.windowStartMs).toBe(T + policy.windowMs + 5_000);
  });

  it('folds successes another write did not carry into the ratio', () => {
    const { state } = feed(['failure', 'failure', 'failure']);
    const result = recordOutcome(state, 'failure', policy, T + 5_000, 10);
    expect(counts(result.state)).toEqual({ state: 'closed', successes: 10, failures: 4 });
  });

  it.each<[string, BreakerState, number, string, number | undefined]>([
    ['closed: every delivery goes', closedBreaker(T), T, 'go', undefined],
    [
      'open within the cool-down: held until it ends',
      { ...closedBreaker(T), state: 'open', openUntilMs: T + 10_000 },
      T + 3_000,
      'hold',
      T + 10_000,
    ],
    [
      'open after the cool-down: this delivery is the probe',
      { ...closedBreaker(T), state: 'open', openUntilMs: T + 10_000 },
      T + 10_000,
      'probe',
      undefined,
    ],
    [
      'half-open with a probe out: held, looking again soon',
      { ...closedBreaker(T), state: 'halfOpen', probeUntilMs: T + LEASE },
      T + 1_000,
      'hold',
      T + 1_000 + PROBE_RECHECK_MS,
    ],
    [
      'half-open whose probe lease expired: a new probe',
      { ...closedBreaker(T), state: 'halfOpen', probeUntilMs: T + LEASE },
      T + LEASE,
      'probe',
      undefined,
    ],
  ])('%s', (_name, state, now, kind, until) => {
    const admission = admitThroughBreaker(state, now, LEASE);
    expect(admission.kind).toBe(kind);
    if (admission.kind === 'hold') expect(admission.untilMs).toBe(until);
    if (admission.kind === 'probe') {
      expect(admission.state.state).toBe('halfOpen');
      expect(admission.state.probeUntilMs).toBe(now + LEASE);
    }
  });

  it('a successful probe closes the circuit with fresh counts; a failed one opens it again', () => {
    const { state: open } = feed(['failure', 'failure', 'failure', 'failure']);
    const probeAt = (open.openUntilMs ?? 0) + 1;
    const probe = admitThroughBreaker(open, probeAt, LEASE);
    if (probe.kind !== 'probe') throw new Error(`expected a probe, got ${probe.kind}`);

    const closed = recordOutcome(probe.state, 'success', policy, probeAt + 100);
    expect(closed.transition).toBe('closed');
    expect(counts(closed.state)).toEqual({ state: 'closed', successes: 0, failures: 0 });
    expect(closed.state.changedAt).toBe(new Date(probeAt + 100).toISOString());

    const reopened = recordOutcome(probe.state, 'failure', policy, probeAt + 100);
    expect(reopened.transition).toBeUndefined();
    expect(reopened.state.state).toBe('open');
    expect(reopened.state.openUntilMs).toBe(probeAt + 100 + policy.coolDownMs);
    expect(reopened.state.probeUntilMs).toBeUndefined();

    const neutral = recordOutcome(probe.state, 'neutral', policy, probeAt + 100);
    expect(neutral.state.state).toBe('halfOpen');
    expect(neutral.state.probeUntilMs).toBeUndefined();
  });

  it("defaults are Convoy's: 10 requests, 70 % failures, 5-minute window, 30 s cool-down", () => {
    expect(CIRCUIT_BREAKER_DEFAULTS).toEqual({
      minimumRequests: 10,
      failureRatio: 0.7,
      windowSeconds: 300,
      coolDownSeconds: 30,
    });
    const resolved = protectionPolicyOf({ circuitBreaker: { coolDownSeconds: 2 } });
    expect(resolved.breaker).toEqual({
      minimumRequests: 10,
      failureRatio: 0.7,
      windowMs: 300_000,
      coolDownMs: 2_000,
    });
    expect(resolved.disableAfterMs).toBe(120 * 3_600_000);
  });
});
