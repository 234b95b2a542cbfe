import type { SubscriptionRecord } from '../../../shared/domain/types';
import { PreconditionFailedError } from '../../../shared/domain/repositories';
import { DeliveryProtection, STATE_CACHE_MS } from '../../../shared/protection/deliveryProtection';
import type { ProtectionState, ProtectionStateStore } from '../../../shared/protection/protectionState';
import { healthView } from '../../../shared/protection/protectionState';
import type { SystemEvent, SystemEventSink } from '../../../shared/system/systemEvents';

/** The store's contract (ETags, create-if-absent) in memory, counting requests. */
function memoryStore() {
  const documents = new Map<string, { state: ProtectionState; etag: string }>();
  let version = 0;
  const calls = { read: 0, write: 0 };
  const store: ProtectionStateStore = {
    read: (topic, name) => {
      calls.read += 1;
      const found = documents.get(`${topic}/${name}`);
      return Promise.resolve(found ? structuredClone(found) : undefined);
    },
    write: (topic, name, state, etag) => {
      calls.write += 1;
      const key = `${topic}/${name}`;
      const current = documents.get(key);
      if ((etag === undefined && current) || (etag !== undefined && current?.etag !== etag)) {
        return Promise.reject(new PreconditionFailedError('changed'));
      }
      version += 1;
      documents.set(key, { state: structuredClone(state), etag: `"${version}"` });
      return Promise.resolve(`"${version}"`);
    },
  };
  return { store, calls, documents };
}

function recordingSink() {
  const events: SystemEvent[] = [];
  const sink: SystemEventSink = {
    emit: (event) => {
      events.push(event);
      return Promise.resolve();
    },
  };
  return { sink, events };
}

const subscription: SubscriptionRecord = {
  id: 'orders',
  topic: 'shop',
  name: 'orders',
  status: 'active',
  destination: { endpointType: 'WebHook', endpointUrl: 'http://127.0.0.1:9/hook' },
  filter: {},
  retryPolicy: { maxDeliveryAttempts: 30, eventTimeToLiveInMinutes: 1440 },
  circuitBreaker: { minimumRequests: 3, failureRatio: 0.5, windowSeconds: 60, coolDownSeconds: 10 },
  disableAfterHours: 1,
  signingSecret: 'whsec_x',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
};

function setup(record: SubscriptionRecord = subscription) {
  let now = Date.parse('2026-01-02T00:00:00Z');
  const { store, calls, documents } = memoryStore();
  const { sink, events } = recordingSink();
  const disabled: string[] = [];
  const protection = new DeliveryProtection({
    store,
    systemEvents: sink,
    disableSubscription: (_called, reason) => {
      disabled.push(reason);
      return Promise.resolve(disabled.length === 1);
    },
    warn: (message) => {
      throw new Error(`unexpected warning: ${message}`);
    },
    now: () => now,
    random: () => 0,
  });
  return {
    protection,
    calls,
    events,
    disabled,
    record,
    state: () => documents.get(`${record.topic}/${record.name}`)?.state,
    advance: (ms: number) => (now += ms),
    now: () => now,
  };
}

describe('DeliveryProtection', () => {
  it('a subscription without limits makes no Cosmos request per delivery while healthy', async () => {
    const t = setup();
    for (let i = 0; i < 50; i += 1) {
      const admission = await t.protection.admit(t.record);
      if (admission.kind !== 'proceed') throw new Error(admission.kind);
      await t.protection.settle(t.record, admission.ticket, 'succeeded');
      t.advance(10);
    }
    // One read of the breaker's state for the whole run (the cache lasts STATE_CACHE_MS).
    expect(STATE_CACHE_MS).toBeGreaterThan(500);
    expect(t.calls).toEqual({ read: 1, write: 0 });
  });

  it('deliveries in flight when the cached state expires share one read of it', async () => {
    const t = setup();
    const concurrently = async (count: number) => {
      const admissions = await Promise.all(Array.from({ length: count }, () => t.protection.admit(t.record)));
      await Promise.all(
        admissions.map((admission) => {
          if (admission.kind !== 'proceed') throw new Error(admission.kind);
          return t.protection.settle(t.record, admission.ticket, 'succeeded');
        }),
      );
    };
    await concurrently(128);
    expect(t.calls).toEqual({ read: 1, write: 0 });
    t.advance(STATE_CACHE_MS);
    await concurrently(128);
    expect(t.calls).toEqual({ read: 2, write: 0 });
  });

  it('a failed shared read fails every delivery waiting on it, and the next one reads again', async () => {
    const t = setup();
    const failing = new DeliveryProtection({
      store: {
        read: () => {
          t.calls.read += 1;
          return t.calls.read === 1
            ? Promise.reject(new Error('Cosmos DB down'))
            : Promise.resolve(undefined);
        },
        write: () => Promise.reject(new Error('no write expected')),
      },
      systemEvents: { emit: () => Promise.resolve() },
      disableSubscription: () => Promise.resolve(false),
      warn: (message) => {
        throw new Error(`unexpected warning: ${message}`);
      },
      now: () => t.now(),
    });
    const outcomes = await Promise.allSettled([failing.admit(t.record), failing.admit(t.record)]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'rejected']);
    expect(t.calls.read).toBe(1);
    await expect(failing.admit(t.record)).resolves.toMatchObject({ kind: 'proceed' });
    expect(t.calls.read).toBe(2);
  });

  it('opens on failures, holds without attempts, probes once, closes on success, and says so once each', async () => {
    const t = setup();
    for (let i = 0; i < 3; i += 1) {
      const admission = await t.protection.admit(t.record);
      if (admission.kind !== 'proceed') throw new Error(admission.kind);
      await t.protection.settle(t.record, admission.ticket, 'retryableFailure');
    }
    expect(t.events.map((event) => event.type)).toEqual(['subscription.circuitOpened']);
    expect(t.events[0]).toMatchObject({ topic: 'shop', subscription: 'orders', data: { failures: 3 } });
    expect(healthView(t.state(), t.record, t.now())).toMatchObject({
      circuit: 'open',
      window: { failures: 3 },
    });

    const held = await t.protection.admit(t.record);
    expect(held).toMatchObject({ kind: 'hold', reason: 'circuitOpen', untilMs: t.now() + 10_000 });

    t.advance(10_000);
    const probe = await t.protection.admit(t.record);
    if (probe.kind !== 'proceed') throw new Error(probe.kind);
    expect(probe.ticket.probe).toBe(true);
    const whileProbing = await t.protection.admit(t.record);
    expect(whileProbing).toMatchObject({ kind: 'hold', reason: 'circuitOpen' });

    await t.protection.settle(t.record, probe.ticket, 'succeeded');
    expect(t.events.map((event) => event.type)).toEqual([
      'subscription.circuitOpened',
      'subscription.circuitClosed',
    ]);
    expect((await t.protection.admit(t.record)).kind).toBe('proceed');
    expect(healthView(t.state(), t.record, t.now()).circuit).toBe('closed');
  });

  it('auto-disables once every attempt failed for disableAfterHours, and tells it once', async () => {
    const t = setup({ ...subscription, circuitBreaker: { minimumRequests: 1000 } });
    for (let i = 0; i < 5; i += 1) {
      await t.protection.settle(t.record, {}, 'retryableFailure');
      t.advance(20 * 60_000);
    }
    expect(t.disabled).toHaveLength(2);
    expect(t.disabled[0]).toMatch(/^AutoDisabled: every attempt failed since 2026-01-02T00:00:00.000Z/);
    expect(t.events.map((event) => event.type)).toEqual(['subscription.disabled']);
  });

  it('a success in between starts the failing time again', async () => {
    const t = setup({ ...subscription, circuitBreaker: { minimumRequests: 1000 } });
    await t.protection.settle(t.record, {}, 'retryableFailure');
    t.advance(50 * 60_000);
    await t.protection.settle(t.record, {}, 'succeeded');
    t.advance(1_000);
    await t.protection.settle(t.record, {}, 'retryableFailure');
    t.advance(50 * 60_000);
    await t.protection.settle(t.record, {}, 'retryableFailure');
    expect(t.disabled).toEqual([]);
    expect(healthView(t.state(), t.record, t.now()).failingSince).toBe('2026-01-02T00:50:01.000Z');
  });

  it('a new version of the subscription (PUT) starts with a closed circuit and no failing time', async () => {
    const t = setup();
    for (let i = 0; i < 3; i += 1) await t.protection.settle(t.record, {}, 'retryableFailure');
    const replaced = { ...t.record, updatedAt: '2026-01-02T00:00:05.000Z' };
    expect((await t.protection.admit(replaced)).kind).toBe('proceed');
    expect(healthView(t.state(), replaced, t.now())).toMatchObject({
      circuit: 'closed',
      window: { failures: 0 },
    });
  });

  it('rate limit: slots a fixed interval apart; near ones are waited for, later ones held with their slot', async () => {
    const t = setup({ ...subscription, delivery: { maxPerSecond: 4 } });
    const start = t.now();
    const admitted = [];
    for (let i = 0; i < 5; i += 1) admitted.push(await t.protection.admit(t.record));
    expect(
      admitted.map((admission) => admission.kind === 'proceed' && (admission.startAtMs ?? start) - start),
    ).toEqual([0, 250, 500, 750, 1000]);
    const sixth = await t.protection.admit(t.record);
    // Held as a scheduled message that comes back a second early and waits the rest in process.
    expect(sixth).toEqual({
      kind: 'hold',
      reason: 'rateLimit',
      untilMs: start + 250,
      reservedSlotAtMs: start + 1250,
    });
    t.advance(250);
    const writes = t.calls.write;
    const back = await t.protection.admit(t.record, start + 1250);
    expect(back).toEqual({ kind: 'proceed', ticket: {}, startAtMs: start + 1250 });
    // The reserved slot is not charged again: no write.
    expect(t.calls.write).toBe(writes);
  });

  it("concurrent settles of one process share the subscription's writes: every outcome counted, no conflict", async () => {
    // Failures outstanding, so every outcome is written (no quiet successes).
    const t = setup({ ...subscription, circuitBreaker: { minimumRequests: 1000 } });
    await t.protection.settle(t.record, {}, 'retryableFailure');
    const writesBefore = t.calls.write;
    const outcomes = Array.from({ length: 60 }, (_, i) => (i % 4 === 0 ? 'retryableFailure' : 'succeeded'));
    await Promise.all(outcomes.map((outcome) => t.protection.settle(t.record, {}, outcome)));
    // One write for the first settle, one for all that came while it was under way; none repeated
    // for a conflict (setup's warn throws, so a settle that gave up would fail the test).
    expect(t.calls.write - writesBefore).toBeLessThanOrEqual(2);
    expect(healthView(t.state(), t.record, t.now()).window).toMatchObject({
      failures: 1 + 15,
      successes: 45,
    });
    // The last outcome was a success: the failing time is cleared.
    expect(healthView(t.state(), t.record, t.now()).failingSince).toBeUndefined();
  });

  it('concurrent settles give back every lease in their shared write', async () => {
    const t = setup({ ...subscription, delivery: { maxConcurrent: 5 } });
    const tickets = [];
    for (let i = 0; i < 5; i += 1) {
      const admission = await t.protection.admit(t.record);
      if (admission.kind !== 'proceed') throw new Error(admission.kind);
      tickets.push(admission.ticket);
    }
    expect(await t.protection.admit(t.record)).toMatchObject({ kind: 'hold', reason: 'concurrency' });
    await Promise.all(tickets.map((ticket) => t.protection.settle(t.record, ticket, 'succeeded')));
    expect(healthView(t.state(), t.record, t.now()).inFlight).toBe(0);
  });

  it('concurrency: leases are taken and given back', async () => {
    const t = setup({ ...subscription, delivery: { maxConcurrent: 1 } });
    const first = await t.protection.admit(t.record);
    if (first.kind !== 'proceed') throw new Error(first.kind);
    expect(await t.protection.admit(t.record)).toMatchObject({ kind: 'hold', reason: 'concurrency' });
    await t.protection.settle(t.record, first.ticket, 'succeeded');
    expect((await t.protection.admit(t.record)).kind).toBe('proceed');
  });
});
