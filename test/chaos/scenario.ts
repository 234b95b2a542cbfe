/**
 * What the chaos run publishes and whom each event must reach: events drawn from a seeded random
 * source, and subscriptions whose filters give each event a fan-out of 1 to 5. `expectedFor` is
 * worked out here, independently of the router, so a wrong match shows as a finding too.
 */

/** mulberry32: a small seeded generator, so a failing run can be replayed with its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export interface ChaosEvent {
  specversion: '1.0';
  id: string;
  source: string;
  type: 'order.created' | 'order.paid';
  subject: string;
  datacontenttype: 'application/json';
  data: { n: number; total: number };
}

export const CHAOS_TOPIC = 'chaos';
export const CHAOS_SOURCE = '/switchyard/chaos';

export function chaosEvents(count: number, runId: string, random: () => number): ChaosEvent[] {
  return Array.from({ length: count }, (_, n) => ({
    specversion: '1.0',
    id: `${runId}-${n}`,
    source: CHAOS_SOURCE,
    type: random() < 0.5 ? 'order.created' : 'order.paid',
    subject: `/${random() < 0.5 ? 'eu' : 'us'}/orders/${n}`,
    datacontenttype: 'application/json',
    data: { n, total: Math.floor(random() * 1000) },
  }));
}

export interface ChaosSubscription {
  name: string;
  /** The filter as PUT to the API. */
  filter: Record<string, unknown>;
  /** The same filter, evaluated here. */
  matches(event: ChaosEvent): boolean;
}

export const CHAOS_SUBSCRIPTIONS: readonly ChaosSubscription[] = [
  { name: 'every', filter: {}, matches: () => true },
  {
    name: 'created',
    filter: { includedEventTypes: ['order.created'] },
    matches: (e) => e.type === 'order.created',
  },
  { name: 'eu', filter: { subjectBeginsWith: '/eu/' }, matches: (e) => e.subject.startsWith('/eu/') },
  {
    name: 'large',
    filter: { advancedFilters: [{ operatorType: 'NumberGreaterThan', key: 'data.total', value: 700 }] },
    matches: (e) => e.data.total > 700,
  },
  {
    name: 'us-paid-small',
    filter: {
      includedEventTypes: ['order.paid'],
      subjectBeginsWith: '/us/',
      advancedFilters: [{ operatorType: 'NumberLessThan', key: 'data.total', value: 300 }],
    },
    matches: (e) => e.type === 'order.paid' && e.subject.startsWith('/us/') && e.data.total < 300,
  },
];

export function expectedFor(event: ChaosEvent): string[] {
  return CHAOS_SUBSCRIPTIONS.filter((subscription) => subscription.matches(event)).map(({ name }) => name);
}

/**
 * Up to `count` moments (ms from the start) for chaos actions: sorted, inside [from, to], at
 * least `gapMs` apart and `allowed`. Fewer when the window cannot hold them all.
 */
export function spreadMoments(
  count: number,
  fromMs: number,
  toMs: number,
  gapMs: number,
  random: () => number,
  allowed: (moment: number) => boolean = () => true,
): number[] {
  const moments: number[] = [];
  for (let tries = 0; tries < 10_000 && moments.length < count; tries += 1) {
    const candidate = Math.round(fromMs + random() * (toMs - fromMs));
    if (allowed(candidate) && moments.every((moment) => Math.abs(moment - candidate) >= gapMs))
      moments.push(candidate);
  }
  return moments.sort((a, b) => a - b);
}
