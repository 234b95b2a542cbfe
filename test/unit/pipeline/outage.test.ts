import { ServiceBusError } from '@azure/service-bus';
import {
  ANSWERED_PATIENCE_MS,
  decideAfterOutage,
  deliverRetryDelaysMs,
  IN_INVOCATION_RETRY_DELAYS_MS,
  MAX_OUTAGE_POSTPONEMENTS,
  outageRideOutMs,
  postponedCopy,
  postponedMessageId,
  postponementDelayMs,
  postponementsOf,
  rideOutOutage,
} from '../../../shared/pipeline/outage';

function unexpected(what: string): never {
  throw new Error(`unexpected: ${what}`);
}

const cosmosRefused = () =>
  Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED', diagnostics: {} });

describe('the postponement schedule', () => {
  it('starts at 15 s, doubles, and stays at 5 min', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 100].map(postponementDelayMs)).toEqual([
      15_000, 30_000, 60_000, 120_000, 240_000, 300_000, 300_000, 300_000,
    ]);
  });

  it('rides out at least 24 hours before giving up', () => {
    expect(outageRideOutMs()).toBeGreaterThanOrEqual(24 * 3600_000);
    expect(outageRideOutMs()).toBeLessThan(25 * 3600_000);
  });

  it('postpones until the limit, then gives up', () => {
    expect(decideAfterOutage(0)).toEqual({ kind: 'postpone', postponement: 1, delayMs: 15_000 });
    expect(decideAfterOutage(MAX_OUTAGE_POSTPONEMENTS - 1)).toEqual({
      kind: 'postpone',
      postponement: MAX_OUTAGE_POSTPONEMENTS,
      delayMs: 300_000,
    });
    expect(decideAfterOutage(MAX_OUTAGE_POSTPONEMENTS)).toEqual({ kind: 'giveUp' });
  });

  it('reads a forged or broken postponement count as 0', () => {
    expect(postponementsOf({ outagePostponements: 3 })).toBe(3);
    expect(postponementsOf({ outagePostponements: '3' })).toBe(0);
    expect(postponementsOf({ outagePostponements: -1 })).toBe(0);
    expect(postponementsOf({ outagePostponements: 1.5 })).toBe(0);
    expect(postponementsOf({ outagePostponements: 1e9 })).toBe(0);
    expect(postponementsOf({})).toBe(0);
  });
});

describe('postponed copies', () => {
  it('never carry the original messageId, which duplicate detection would drop', () => {
    expect(postponedMessageId('abc', 1)).toBe('abc~outage-1');
    // A copy of a copy derives from the first message's id, so a re-run sends the same id.
    expect(postponedMessageId('abc~outage-1', 2)).toBe('abc~outage-2');
    expect(postponedMessageId('abc~outage-1', 2)).toBe(postponedMessageId('abc~outage-1', 2));
  });

  it('fit Service Bus message id limits, and are unique without an original id', () => {
    const long = 'x'.repeat(128);
    expect(postponedMessageId(long, 12).length).toBeLessThanOrEqual(128);
    expect(postponedMessageId(long, 12)).toBe(postponedMessageId(`${postponedMessageId(long, 11)}`, 12));
    expect(postponedMessageId(undefined, 1)).not.toBe(postponedMessageId(undefined, 1));
  });

  it('keep body, content type and every application property, and count the postponement', () => {
    const copy = postponedCopy(
      {
        body: { specversion: '1.0', id: '1' },
        messageId: 'key',
        contentType: 'application/cloudevents+json',
        subject: 's',
        correlationId: 'c',
        applicationProperties: {
          topic: 'orders',
          payloadRef: 'ref',
          traceparent: 'tp',
          outagePostponements: 1,
        },
      },
      2,
    );
    expect(copy).toEqual({
      body: Buffer.from(JSON.stringify({ specversion: '1.0', id: '1' })),
      messageId: 'key~outage-2',
      contentType: 'application/cloudevents+json',
      subject: 's',
      correlationId: 'c',
      applicationProperties: {
        topic: 'orders',
        payloadRef: 'ref',
        traceparent: 'tp',
        outagePostponements: 2,
      },
    });
  });
});

describe('rideOutOutage', () => {
  const noSleep = { sleep: async () => undefined, now: () => new Date('2026-01-01T00:00:00Z') };

  it('runs the step again within the invocation while the outage is short', async () => {
    let runs = 0;
    const reruns: boolean[] = [];
    const outcome = await rideOutOutage(
      async (rerun) => {
        reruns.push(rerun);
        runs += 1;
        if (runs < 3) throw cosmosRefused();
        return 'routed';
      },
      { ...noSleep, postponements: 0, postpone: async () => unexpected('a postponement') },
    );
    expect(outcome).toEqual({ kind: 'done', result: 'routed' });
    expect(reruns).toEqual([false, true, true]);
  });

  it('postpones after the retries, with the next delay, and succeeds (the host completes the original)', async () => {
    const postponed: Array<[number, string]> = [];
    const outcome = await rideOutOutage(
      async () => {
        throw cosmosRefused();
      },
      { ...noSleep, postponements: 2, postpone: async (n, at) => void postponed.push([n, at.toISOString()]) },
    );
    expect(outcome).toMatchObject({ kind: 'postponed', dependency: 'Cosmos DB', postponement: 3 });
    expect(postponed).toEqual([[3, '2026-01-01T00:01:00.000Z']]);
  });

  it('tries as often as the retry delays say before postponing', async () => {
    let runs = 0;
    await rideOutOutage(
      async () => {
        runs += 1;
        throw new ServiceBusError('busy', 'ServiceBusy');
      },
      { ...noSleep, postponements: 0, postpone: async () => undefined },
    );
    expect(runs).toBe(IN_INVOCATION_RETRY_DELAYS_MS.length + 1);
  });

  it('asks for the delays at each failure, so a step that got further waits longer', async () => {
    let runs = 0;
    let answeredAtMs: number | undefined;
    const nowMs = Date.parse('2026-01-01T00:00:00Z');
    const outcome = await rideOutOutage(
      async () => {
        runs += 1;
        // The destination answers in the first run; recording stays refused.
        answeredAtMs ??= nowMs;
        throw cosmosRefused();
      },
      {
        ...noSleep,
        postponements: 0,
        postpone: async () => undefined,
        retryDelaysMs: () => deliverRetryDelaysMs(answeredAtMs, nowMs),
      },
    );
    expect(outcome.kind).toBe('postponed');
    expect(runs).toBe(deliverRetryDelaysMs(nowMs, nowMs).length + 1);
    expect(runs).toBeGreaterThan(IN_INVOCATION_RETRY_DELAYS_MS.length + 1);
  });

  it('throws (the host abandons) when the copy cannot be scheduled', async () => {
    const sendFailure = new ServiceBusError('no link', 'ServiceCommunicationProblem');
    await expect(
      rideOutOutage(
        async () => {
          throw cosmosRefused();
        },
        {
          ...noSleep,
          postponements: 0,
          postpone: async () => {
            throw sendFailure;
          },
        },
      ),
    ).rejects.toBe(sendFailure);
  });

  it('gives up after the last postponement: the error goes to the host as any other', async () => {
    const error = cosmosRefused();
    await expect(
      rideOutOutage(
        async () => {
          throw error;
        },
        {
          ...noSleep,
          postponements: MAX_OUTAGE_POSTPONEMENTS,
          postpone: async () => unexpected('a postponement'),
        },
      ),
    ).rejects.toBe(error);
  });

  it('throws an error that is no outage at once, without retrying', async () => {
    let runs = 0;
    const bug = new TypeError('x is undefined');
    await expect(
      rideOutOutage(
        async () => {
          runs += 1;
          throw bug;
        },
        { ...noSleep, postponements: 0, postpone: async () => unexpected('a postponement') },
      ),
    ).rejects.toBe(bug);
    expect(runs).toBe(1);
  });
});

describe('deliverRetryDelaysMs', () => {
  const answeredAt = Date.parse('2026-01-01T00:00:00Z');
  const sum = (delays: readonly number[]) => delays.reduce((total, ms) => total + ms, 0);

  it('the ordinary retries until the destination answered', () => {
    expect(deliverRetryDelaysMs(undefined, answeredAt)).toEqual(IN_INVOCATION_RETRY_DELAYS_MS);
  });

  it('after an answer: the ordinary retries first, then enough to wait out the patience', () => {
    const delays = deliverRetryDelaysMs(answeredAt, answeredAt + 1_000);
    expect(delays.slice(0, IN_INVOCATION_RETRY_DELAYS_MS.length)).toEqual(IN_INVOCATION_RETRY_DELAYS_MS);
    expect(sum(delays)).toBeGreaterThanOrEqual(ANSWERED_PATIENCE_MS);
    // Inside the 5-minute automatic lock renewal of host.json.
    expect(ANSWERED_PATIENCE_MS).toBeLessThan(5 * 60_000);
  });

  it('back to the ordinary ones (used up by then: postponed) once the patience is over', () => {
    expect(deliverRetryDelaysMs(answeredAt, answeredAt + ANSWERED_PATIENCE_MS)).toEqual(
      IN_INVOCATION_RETRY_DELAYS_MS,
    );
  });
});
