import { waitFor } from '../../support/wait';
import { type Pipeline, startPipeline } from './harness';

/**
 * The delivery-path protections (issue #15) through two dev hosts on one stack: two Function
 * instances sharing the limit's and the breaker's state in Cosmos DB.
 */
describe('delivery protections with two dev hosts', () => {
  let pipeline: Pipeline;
  beforeAll(async () => {
    pipeline = await startPipeline({ extraHosts: 1 });
    // The owners' channel: a webhook subscriber of every system event (topic switchyard.system).
    await pipeline.createWebhookSubscription('switchyard.system', 'owners', '/system');
  }, 180_000);

  /** Waits for the system event `type` about topic/name to reach the subscriber of switchyard.system. */
  const systemEvent = (type: string, topic: string, name: string) =>
    waitFor(
      `the system event ${type} about ${topic}/${name}`,
      () =>
        pipeline.receiver
          .received('/system')
          .map(
            (request) =>
              JSON.parse(request.body) as { type: string; data: { topic: string; subscription: string } },
          )
          .find(
            (event) =>
              event.type === `switchyard.${type}` &&
              event.data.topic === topic &&
              event.data.subscription === name,
          ),
      { timeoutMs: 30_000 },
    );
  afterAll(async () => {
    await pipeline?.stop();
  });

  /** Publishes through each host in turn, so both take part. */
  async function publishMany(topic: string, count: number, prefix: string): Promise<string[]> {
    const keys: string[] = [];
    for (let i = 0; i < count; i += 1) {
      const host = pipeline.hosts[i % pipeline.hosts.length];
      const response = await fetch(`${host?.url}/api/topics/${topic}/events`, {
        method: 'POST',
        headers: { 'x-functions-key': 'e2e-test-key', 'content-type': 'application/cloudevents+json' },
        body: JSON.stringify({ specversion: '1.0', id: `${prefix}-${i}`, source: '/test', type: 't' }),
      });
      if (response.status !== 202) throw new Error(`publish answered ${response.status}`);
      const body = (await response.json()) as { accepted: Array<{ eventKey: string }> };
      keys.push(body.accepted[0]?.eventKey ?? '');
    }
    return keys;
  }

  async function health(topic: string, name: string) {
    const response = await pipeline.api('GET', `/topics/${topic}/subscriptions/${name}`);
    return response.json as {
      status: string;
      disabledReason?: string;
      health: { circuit: string; circuitChangedAt: string; window: { successes: number; failures: number } };
    };
  }

  /** The most requests the receiver saw within any one second. */
  function maxPerAnySecond(times: number[]): number {
    const sorted = [...times].sort((a, b) => a - b);
    let most = 0;
    for (const [i, start] of sorted.entries()) {
      let count = 0;
      for (let j = i; j < sorted.length && (sorted[j] ?? Infinity) < start + 1000; j += 1) count += 1;
      most = Math.max(most, count);
    }
    return most;
  }

  it('a receiver never sees more than maxPerSecond (+1 tolerance) in any second, and every event arrives with one attempt', async () => {
    const limit = 5;
    const events = 40;
    await pipeline.createWebhookSubscription('protect-rate', 'limited', '/limited', {
      delivery: { maxPerSecond: limit },
    });
    const keys = await publishMany('protect-rate', events, 'rate');
    await waitFor(
      'every event to reach the limited receiver',
      () => pipeline.receiver.received('/limited').length >= events,
      { timeoutMs: 90_000, intervalMs: 200 },
    );
    const times = pipeline.receiver.received('/limited').map((request) => request.at);
    const ids = new Set(
      pipeline.receiver.received('/limited').map((request) => request.headers['webhook-id']),
    );
    expect(ids.size).toBe(events);
    const most = maxPerAnySecond(times);

    console.log(
      `rate limit ${limit}/s: at most ${most} requests in any one second (${times.length} in ${(Math.max(...times) - Math.min(...times)) / 1000} s)`,
    );
    expect(most).toBeLessThanOrEqual(limit + 1);
    // Held deliveries used no attempt.
    for (const key of keys.slice(-5)) {
      const status = await waitFor(`delivery of ${key} recorded`, async () => {
        const delivery = (await pipeline.eventStatus(key)).deliveries?.[0];
        return delivery?.status === 'succeeded' && delivery;
      });
      expect(status.attempts).toHaveLength(1);
    }
  }, 150_000);

  it('an endpoint returning 500 opens the circuit, attempts stop, and after recovery every event is delivered and the circuit closes', async () => {
    const events = 8;
    pipeline.receiver.respond(
      '/flaky',
      Array.from({ length: 1000 }, () => 500),
    );
    await pipeline.createWebhookSubscription('protect-breaker', 'flaky', '/flaky', {
      retryPolicy: { schedule: [1], maxDeliveryAttempts: 30 },
      circuitBreaker: { minimumRequests: 3, failureRatio: 0.5, coolDownSeconds: 3 },
    });
    const keys = await publishMany('protect-breaker', events, 'breaker');
    const opened = await waitFor(
      'the circuit to open',
      async () => {
        const view = await health('protect-breaker', 'flaky');
        return view.health.circuit !== 'closed' && view;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    expect(opened.health.window.failures).toBeGreaterThanOrEqual(3);

    // Without the breaker each of the events would be attempted about once a second (schedule
    // [1]): 8 x 9 = 72 requests in the next 9 s. With it, only probes (one per cool-down of 3 s)
    // and attempts that were already under way when it opened.
    const before = pipeline.receiver.received('/flaky').length;
    await new Promise((resolve) => setTimeout(resolve, 9_000));
    const during = pipeline.receiver.received('/flaky').length - before;

    console.log(`circuit open: ${during} requests in 9 s (without the breaker about ${events * 9})`);
    expect(during).toBeLessThanOrEqual(events + 4);
    expect((await health('protect-breaker', 'flaky')).health.circuit).not.toBe('closed');

    pipeline.receiver.respond('/flaky', []);
    for (const key of keys) {
      await waitFor(
        `delivery of ${key} to succeed`,
        async () => (await pipeline.eventStatus(key)).deliveries?.[0]?.status === 'succeeded',
        { timeoutMs: 60_000, intervalMs: 250 },
      );
    }
    const closed = await waitFor(
      'the circuit to close',
      async () => {
        const view = await health('protect-breaker', 'flaky');
        return view.health.circuit === 'closed' && view;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    expect(Date.parse(closed.health.circuitChangedAt)).toBeGreaterThan(
      Date.parse(opened.health.circuitChangedAt),
    );
    const ok = pipeline.receiver.received('/flaky').filter((request) => request.body.includes('breaker-'));
    expect(new Set(ok.map((request) => request.headers['webhook-id'])).size).toBe(events);
    // The owners heard of both changes through switchyard.system.
    await systemEvent('subscription.circuitOpened', 'protect-breaker', 'flaky');
    await systemEvent('subscription.circuitClosed', 'protect-breaker', 'flaky');
  }, 180_000);

  it('a subscription whose endpoint failed every attempt for disableAfterHours is disabled with a reason; PUT re-enables it', async () => {
    pipeline.receiver.respond(
      '/dead',
      Array.from({ length: 1000 }, () => 503),
    );
    const body = {
      destination: { endpointType: 'WebHook', endpointUrl: pipeline.receiver.url('/dead') },
      filter: {},
      retryPolicy: { schedule: [1] },
      // 3.6 s instead of Svix's 5 days.
      disableAfterHours: 0.001,
    };
    const created = await pipeline.api('PUT', '/topics/protect-disable/subscriptions/dead', body);
    expect(created.status).toBe(201);
    await publishMany('protect-disable', 2, 'disable');
    const disabled = await waitFor(
      'the subscription to be disabled',
      async () => {
        const view = await health('protect-disable', 'dead');
        return view.status === 'disabled' && view;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    expect(disabled.disabledReason).toMatch(
      /^AutoDisabled: every attempt failed since .* \(disableAfterHours 0\.001\)$/,
    );
    const told = await systemEvent('subscription.disabled', 'protect-disable', 'dead');
    expect(told.data).toMatchObject({ topic: 'protect-disable', subscription: 'dead' });

    pipeline.receiver.respond('/dead', []);
    const replaced = await pipeline.api('PUT', '/topics/protect-disable/subscriptions/dead', body);
    expect(replaced.status).toBe(200);
    const enabled = await health('protect-disable', 'dead');
    expect(enabled.status).toBe('active');
    expect(enabled.disabledReason).toBeUndefined();
    expect(enabled.health.circuit).toBe('closed');
    // A subscription change reaches every instance within SWITCHYARD_SUBSCRIPTION_CACHE_SECONDS
    // (1 s here): the other host, whose cache the failing retries kept filled, may still route an
    // event published at once by the disabled version (to no delivery). So publish until one is
    // delivered.
    const after: string[] = [];
    await waitFor(
      'a delivery after re-enabling',
      async () => {
        after.push(...(await publishMany('protect-disable', 1, `after-${after.length}`)));
        const statuses = await Promise.all(after.map((key) => pipeline.eventStatus(key)));
        return statuses.some((status) => status.deliveries?.[0]?.status === 'succeeded');
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
  }, 120_000);
});
