import type { SubscriptionRecord } from '../domain/types';

/**
 * A short-lived, per-topic cache of subscriptions, so routing and delivery cost no Cosmos read
 * per event. A change made elsewhere takes effect within `ttlMs`; changes made through this
 * instance take effect at once (`invalidate`). Concurrent misses for a topic share one load.
 */
export class SubscriptionCache {
  private readonly entries = new Map<string, { expiresAt: number; load: Promise<SubscriptionRecord[]> }>();

  constructor(
    private readonly loadTopic: (topic: string) => Promise<SubscriptionRecord[]>,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** All subscriptions of a topic, active and disabled. */
  async forTopic(topic: string): Promise<SubscriptionRecord[]> {
    const cached = this.entries.get(topic);
    if (cached && cached.expiresAt > this.now()) return cached.load;
    const load = this.loadTopic(topic);
    this.entries.set(topic, { expiresAt: this.now() + this.ttlMs, load });
    // A failed load must not be served from the cache for the rest of its lifetime.
    load.catch(() => {
      if (this.entries.get(topic)?.load === load) this.entries.delete(topic);
    });
    return load;
  }

  /**
   * One subscription. A miss reloads the topic once before it counts: a delivery routed by
   * another instance may name a subscription created after this instance's cache was filled,
   * and calling that "deleted" would dead-letter a good delivery.
   */
  async get(topic: string, name: string): Promise<SubscriptionRecord | undefined> {
    const find = (all: SubscriptionRecord[]) => all.find((subscription) => subscription.name === name);
    const cached = find(await this.forTopic(topic));
    if (cached) return cached;
    this.invalidate(topic);
    return find(await this.forTopic(topic));
  }

  invalidate(topic: string): void {
    this.entries.delete(topic);
  }
}
