import type { DeliveryView } from '../../../cli/format';
import { formatTailEntry, TailState } from '../../../cli/tail';

function delivery(id: string, attempts: number[], extra: Partial<DeliveryView> = {}): DeliveryView {
  return {
    deliveryId: id,
    eventKey: `key-${id}`,
    subscription: 'billing',
    status: 'retrying',
    attempts: attempts.map((n) => ({
      n,
      at: `2026-12-07T15:00:0${n}.000Z`,
      outcome: 'retryableFailure',
      httpStatus: 503,
      durationMs: 5,
      error: 'HTTP 503',
    })),
    ...extra,
  };
}

describe('TailState', () => {
  it('reports only attempts after the baseline, once each, oldest first', () => {
    const state = new TailState();
    state.baseline([delivery('a', [1])]);
    expect(state.update([delivery('a', [1])])).toEqual([]);
    const entries = state.update([delivery('b', [3]), delivery('a', [1, 2])]);
    expect(
      entries.map((entry) => [entry.deliveryId, entry.kind === 'attempt' ? entry.attempt.n : 0]),
    ).toEqual([
      ['a', 2],
      ['b', 3],
    ]);
    // The same delivery from the newest and the retrying list in one poll: reported once.
    expect(state.update([delivery('b', [3, 4]), delivery('b', [3, 4])])).toHaveLength(1);
  });

  it('reports a dead letter once, after the attempt that caused it', () => {
    const state = new TailState();
    state.baseline([]);
    const deadLettered = delivery('c', [1], {
      status: 'deadLettered',
      deadLetter: { reason: 'PermanentFailure', description: 'HTTP 400', at: '2026-12-07T15:00:01.000Z' },
    });
    const entries = state.update([deadLettered]);
    expect(entries.map((entry) => entry.kind)).toEqual(['attempt', 'deadLettered']);
    expect(state.update([deadLettered])).toEqual([]);
    expect(entries.map(formatTailEntry)).toEqual([
      '2026-12-07T15:00:01.000Z  billing  key-c  attempt 1  retryableFailure  HTTP 503  5 ms  HTTP 503',
      '2026-12-07T15:00:01.000Z  billing  key-c  dead-lettered: PermanentFailure: HTTP 400',
    ]);
  });
});
