import type { SubscriptionRecord } from '../../../shared/domain/types';
import { SubscriptionCache } from '../../../shared/pipeline/subscriptionCache';

function subscription(topic: string, name: string): SubscriptionRecord {
  return {
    id: name,
    topic,
    name,
    status: 'active',
    signingSecret: 'whsec_test',
    createdAt: '2026-01-01T00:00:00Z',
    updatedAt: '2026-01-01T00:00:00Z',
    destination: { endpointType: 'WebHook', endpointUrl: 'https://example.test/hook' },
    filter: {},
    retryPolicy: { maxDeliveryAttempts: 30, eventTimeToLiveInMinutes: 1440 },
  };
}

describe('SubscriptionCache', () => {
  let clock = 0;
  const now = () => clock;
  beforeEach(() => {
    clock = 1_000;
  });

  it('serves a topic from one load until the entry expires, then reloads', async () => {
    const loads: string[] = [];
    let generation = 1;
    const cache = new SubscriptionCache(
      async (topic) => {
        loads.push(topic);
        return [subscription(topic, `gen${generation}`)];
      },
      5_000,
      now,
    );
    expect((await cache.forTopic('orders'))[0]?.name).toBe('gen1');
    generation = 2;
    clock += 4_999;
    expect((await cache.forTopic('orders'))[0]?.name).toBe('gen1');
    clock += 2;
    expect((await cache.forTopic('orders'))[0]?.name).toBe('gen2');
    expect(loads).toEqual(['orders', 'orders']);
  });

  it('shares one load between concurrent misses and keeps topics apart', async () => {
    let calls = 0;
    const cache = new SubscriptionCache(
      async (topic) => {
        calls += 1;
        return [subscription(topic, 'a')];
      },
      5_000,
      now,
    );
    const [first, second, other] = await Promise.all([
      cache.forTopic('orders'),
      cache.forTopic('orders'),
      cache.forTopic('payments'),
    ]);
    expect(first).toBe(second);
    expect(other[0]?.topic).toBe('payments');
    expect(calls).toBe(2);
    expect(await cache.get('orders', 'a')).toBeDefined();
    expect(await cache.get('orders', 'missing')).toBeUndefined();
  });

  it('does not keep a failed load, and invalidate forces a reload', async () => {
    let fail = true;
    let calls = 0;
    const cache = new SubscriptionCache(
      async (topic) => {
        calls += 1;
        if (fail) throw new Error('cosmos down');
        return [subscription(topic, 'a')];
      },
      5_000,
      now,
    );
    await expect(cache.forTopic('orders')).rejects.toThrow('cosmos down');
    fail = false;
    expect(await cache.forTopic('orders')).toHaveLength(1);
    cache.invalidate('orders');
    await cache.forTopic('orders');
    expect(calls).toBe(3);
  });

  it('reloads once on a miss, so a subscription made elsewhere after the last load is found', async () => {
    let names = ['a'];
    let calls = 0;
    const cache = new SubscriptionCache(
      async (topic) => {
        calls += 1;
        return names.map((name) => subscription(topic, name));
      },
      5_000,
      now,
    );
    await cache.forTopic('orders');
    names = ['a', 'b'];
    expect((await cache.get('orders', 'b'))?.name).toBe('b');
    expect(await cache.get('orders', 'gone')).toBeUndefined();
    expect(calls).toBe(3);
    expect((await cache.get('orders', 'a'))?.name).toBe('a');
    expect(calls).toBe(3);
  });

  it('confirms a cached "disabled" with one reload, so a subscription re-enabled elsewhere is not dead-lettered', async () => {
    let status: SubscriptionRecord['status'] = 'disabled';
    let calls = 0;
    const cache = new SubscriptionCache(
      async (topic) => {
        calls += 1;
        return [{ ...subscription(topic, 'a'), status }];
      },
      5_000,
      now,
    );
    await cache.forTopic('orders');
    // Re-enabled by a PUT on another instance: this instance's entry still says disabled.
    status = 'active';
    expect((await cache.get('orders', 'a'))?.status).toBe('active');
    expect(calls).toBe(2);
    // Still disabled after the reload: it counts, and the reloaded entry serves the next look.
    status = 'disabled';
    cache.invalidate('orders');
    expect((await cache.get('orders', 'a'))?.status).toBe('disabled');
    expect(calls).toBe(3);
  });
});
