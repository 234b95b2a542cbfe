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
    return this.entryOf(topic).load;
  }

  /**
   * One subscription. A miss, or a cached "disabled", reloads the topic once before it counts
   * (unless this very call loaded it): a delivery routed by another instance may name a
   * subscription created or re-enabled after this instance's cache was filled, and calling that
   * "deleted" or "disabled" would dead-letter a good delivery.
   */
  async get(topic: string, name: string): Promise<SubscriptionRecord | undefined> {
    const find = (all: SubscriptionRecord[]) => all.find((subscription) => subscription.name === name);
    const entry = this.entryOf(topic);
    const cached = find(await entry.load);
    if (entry.fresh || cached?.status === 'active') return cached;
    this.invalidate(topic);
    return find(await this.forTopic(topic));
  }

  /** The topic's entry; `fresh` when this call started its load. */
  private entryOf(topic: string): { load: Promise<SubscriptionRecord[]>; fresh: boolean } {
    const cached = this.entries.get(topic);
    if (cached && cached.expiresAt > this.now()) return { load: cached.load, fresh: false };
    const load = this.loadTopic(topic);
    this.entries.set(topic, { expiresAt: this.now() + this.ttlMs, load });
    // A failed load must not be served from the cache for the rest of its lifetime.
    load.catch(() => {
      if (this.entries.get(topic)?.load === load) this.entries.delete(topic);
    });
    return { load, fresh: true };
  }

  invalidate(topic: string): void {
    this.entries.delete(topic);
  }
}
