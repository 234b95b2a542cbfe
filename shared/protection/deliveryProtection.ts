import { randomUUID } from 'node:crypto';
import type { AttemptOutcome, SubscriptionRecord } from '../domain/types';
import { PreconditionFailedError } from '../domain/repositories';
import { errorMessage } from '../errors/errorMessage';
import type { SystemEvent, SystemEventSink } from '../system/systemEvents';
import {
  type BreakerOutcome,
  type BreakerTransition,
  admitThroughBreaker,
  recordOutcome,
} from './circuitBreaker';
import { isLimited, protectionPolicyOf } from './policy';
import { type ProtectionState, type ProtectionStateStore, stateFor } from './protectionState';
import { type LimiterDecision, SLOT_SLACK_MS, admit, release, reservedSlotHonoured } from './rateLimiter';

/**
 * The delivery-path protections of issue #15 for one process: per-subscription rate and
 * concurrency limits, the circuit breaker and auto-disable, over one shared document per
 * subscription (ProtectionStateStore).
 *
 * Cost per delivery (docs/operations.md, "Protections"):
 * - a subscription without limits: no Cosmos DB request per delivery. The breaker's state is
 *   read at most once per STATE_CACHE_MS per subscription and instance; a success with a closed
 *   circuit and no failures outstanding is only counted in memory (written with the next write);
 *   a failure is one read and one write.
 * - with `maxPerSecond`: one read and one write before the attempt (the slot); a delivery held
 *   for its slot (one scheduled message) costs no Cosmos request when it comes back.
 * - with `maxConcurrent` too: the lease is taken in that same write and given back after the
 *   attempt with one more read and write (joined with the breaker's write when there is one).
 * A write that meets another instance's write first (ETag) reads again and retries.
 */

/** How long an instance trusts the breaker state it read last. */
export const STATE_CACHE_MS = 5_000;
/** A probe or concurrency lease outlives the longest attempt (the webhook timeout, 30 s). */
export const LEASE_MS = 45_000;
/** A reserved rate slot is honoured this long after it came due, then a fresh one is taken. */
export const RESERVED_SLOT_MAX_STALE_MS = 2_000;
/**
 * A slot at most this far ahead is waited for in process; a later one is held as a scheduled
 * message that comes back this much before its slot and waits the rest in process. Scheduled
 * messages are handed out with some jitter (the receive loop, the host's load); waiting for
 * the exact slot in process keeps that jitter out of the rate the endpoint sees.
 */
export const HOLD_LEAD_MS = 1_000;
const MAX_WRITE_TRIES = 8;

export type HoldReason = 'rateLimit' | 'concurrency' | 'circuitOpen';

export type Admission =
  /** `startAtMs`: wait until then before the attempt (the delivery's rate slot). */
  | { kind: 'proceed'; ticket: Ticket; startAtMs?: number }
  | { kind: 'hold'; reason: HoldReason; untilMs: number; reservedSlotAtMs?: number };

/** What settle needs to know of an admitted delivery. */
export interface Ticket {
  leaseId?: string;
  probe?: boolean;
}

export type HealthChange = 'circuitOpened' | 'circuitClosed' | 'disabled';

export interface ProtectionDependencies {
  store: ProtectionStateStore;
  systemEvents: SystemEventSink;
  /** Disables the subscription version that was called; true when this call disabled it. */
  disableSubscription(called: SubscriptionRecord, reason: string): Promise<boolean>;
  /** Told of each change (metrics, log). */
  onHealthChange?(subscription: SubscriptionRecord, change: HealthChange, detail: string): void;
  warn(message: string, subscription: SubscriptionRecord): void;
  now?: () => number;
  random?: () => number;
}

/** One settle waiting for its subscription's next write (settles of one process share a write). */
interface PendingSettle {
  ticket: Ticket;
  outcome: BreakerOutcome | undefined;
  written(): void;
  failed(error: unknown): void;
}

interface CachedState {
  state: ProtectionState | undefined;
  etag: string | undefined;
  readAtMs: number;
}

/** The breaker's view of an attempt outcome (see circuitBreaker.ts for why 4xx is neutral). */
export function breakerOutcomeOf(outcome: AttemptOutcome): BreakerOutcome {
  if (outcome === 'succeeded') return 'success';
  return outcome === 'retryableFailure' ? 'failure' : 'neutral';
}

export class DeliveryProtection {
  private readonly cache = new Map<string, CachedState>();
  /** Reads under way for the cache, per subscription: concurrent misses share one (one Cosmos request). */
  private readonly reading = new Map<string, Promise<CachedState>>();
  /** Successes seen here and not yet written, per subscription (folded into the next write). */
  private readonly unwritten = new Map<string, number>();
  /**
   * Settles waiting for their subscription's write, and whether one is under way. Every delivery
   * of a subscription writes the same document: written one by one, concurrent settles of one
   * process met each other's ETags, and under load most of them used up their tries on conflicts
   * (each a read and a write). So a process writes each document one write at a time, and what
   * arrives meanwhile goes into the next write together.
   */
  private readonly pendingSettles = new Map<string, PendingSettle[]>();
  private readonly writing = new Set<string>();
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(private readonly dependencies: ProtectionDependencies) {
    this.now = dependencies.now ?? Date.now;
    this.random = dependencies.random ?? Math.random;
  }

  /** Whether the delivery may be attempted now, or until when it is held. Throws on an outage. */
  async admit(subscription: SubscriptionRecord, reservedSlotAtMs?: number): Promise<Admission> {
    const policy = protectionPolicyOf(subscription);
    const cached = await this.cached(subscription);
    const nowMs = this.now();
    const seen = stateFor(cached.state, subscription, nowMs);
    const breaker = admitThroughBreaker(seen.breaker, nowMs, LEASE_MS);
    if (breaker.kind === 'hold') return this.circuitHold(breaker.untilMs, nowMs);
    const reserved = reservedSlotHonoured(
      reservedSlotAtMs,
      nowMs,
      RESERVED_SLOT_MAX_STALE_MS,
      HOLD_LEAD_MS + SLOT_SLACK_MS,
    )
      ? reservedSlotAtMs
      : undefined;
    const reservedStart = reserved !== undefined ? { startAtMs: reserved } : {};
    const needsWrite =
      breaker.kind === 'probe' ||
      policy.maxConcurrent !== undefined ||
      (policy.maxPerSecond !== undefined && reserved === undefined);
    if (!needsWrite) return { kind: 'proceed', ticket: {}, ...reservedStart };

    let { state: stored, etag } = cached;
    for (let tries = 0; tries < MAX_WRITE_TRIES; tries += 1) {
      if (tries > 0) ({ state: stored, etag } = await this.reread(subscription));
      const now = this.now();
      const current = stateFor(stored, subscription, now);
      const gate = admitThroughBreaker(current.breaker, now, LEASE_MS);
      if (gate.kind === 'hold') return this.circuitHold(gate.untilMs, now);
      const limited: LimiterDecision = isLimited(policy)
        ? admit({
            state: current.limiter,
            limits: policy,
            nowMs: now,
            reservedSlotAtMs: reserved,
            leaseId: randomUUID(),
            leaseMs: LEASE_MS,
            random: this.random(),
            waitWithinMs: HOLD_LEAD_MS,
          })
        : { kind: 'proceed', state: current.limiter };
      if (limited.kind === 'holdForConcurrency') {
        return { kind: 'hold', reason: 'concurrency', untilMs: limited.retryAtMs };
      }
      const next: ProtectionState = {
        ...current,
        breaker: gate.kind === 'probe' ? gate.state : current.breaker,
        limiter: limited.state,
      };
      try {
        await this.write(subscription, next, etag);
      } catch (error) {
        if (error instanceof PreconditionFailedError) continue;
        throw error;
      }
      if (limited.kind === 'holdForSlot') {
        return {
          kind: 'hold',
          reason: 'rateLimit',
          untilMs: limited.slotAtMs - HOLD_LEAD_MS,
          reservedSlotAtMs: limited.slotAtMs,
        };
      }
      return {
        kind: 'proceed',
        ...(limited.startAtMs !== undefined ? { startAtMs: limited.startAtMs } : reservedStart),
        ticket: {
          ...(limited.leaseId !== undefined ? { leaseId: limited.leaseId } : {}),
          ...(gate.kind === 'probe' ? { probe: true } : {}),
        },
      };
    }
    // Too much contention for now: try again shortly, as for a taken lease.
    return { kind: 'hold', reason: 'concurrency', untilMs: this.now() + 500 + 1_000 * this.random() };
  }

  /**
   * Counts the attempt's outcome (undefined: the destination was not called) and gives the
   * lease back. Never throws: the attempt already happened, and a lost count or an unreleased
   * lease (it expires) costs less than repeating the attempt.
   */
  async settle(
    subscription: SubscriptionRecord,
    ticket: Ticket,
    outcome: AttemptOutcome | undefined,
  ): Promise<void> {
    try {
      await this.settleOrThrow(subscription, ticket, outcome);
    } catch (error) {
      this.dependencies.warn(
        `could not record the outcome for the protections: ${errorMessage(error)}`,
        subscription,
      );
    }
  }

  private async settleOrThrow(
    subscription: SubscriptionRecord,
    ticket: Ticket,
    outcome: AttemptOutcome | undefined,
  ): Promise<void> {
    const breakerOutcome = outcome === undefined ? undefined : breakerOutcomeOf(outcome);
    const cached = await this.cached(subscription);
    const seen = stateFor(cached.state, subscription, this.now());
    const quietSuccess =
      breakerOutcome === 'success' &&
      seen.breaker.state === 'closed' &&
      seen.breaker.failures === 0 &&
      seen.failingSinceMs === undefined;
    const failingAlready = breakerOutcome !== 'success' && seen.failingSinceMs !== undefined;
    const noCount = breakerOutcome === undefined || quietSuccess;
    if (!ticket.leaseId && !ticket.probe && (noCount || (breakerOutcome === 'neutral' && failingAlready))) {
      if (quietSuccess) this.unwritten.set(this.key(subscription), this.unwrittenOf(subscription) + 1);
      return;
    }

    await new Promise<void>((resolve, reject) => {
      const key = this.key(subscription);
      const pending = this.pendingSettles.get(key) ?? [];
      pending.push({ ticket, outcome: breakerOutcome, written: resolve, failed: reject });
      this.pendingSettles.set(key, pending);
      if (!this.writing.has(key)) this.writeSettles(subscription, key);
    });
  }

  /** Writes the waiting settles of one subscription, one write at a time, until none wait. */
  private writeSettles(subscription: SubscriptionRecord, key: string): void {
    const batch = this.pendingSettles.get(key) ?? [];
    this.pendingSettles.delete(key);
    if (batch.length === 0) {
      this.writing.delete(key);
      return;
    }
    this.writing.add(key);
    this.writeSettleBatch(subscription, batch).then(
      () => {
        for (const settle of batch) settle.written();
        this.writeSettles(subscription, key);
      },
      (error: unknown) => {
        for (const settle of batch) settle.failed(error);
        this.writeSettles(subscription, key);
      },
    );
  }

  /** Counts the outcomes of `batch` in order and gives their leases back, in one write. */
  private async writeSettleBatch(subscription: SubscriptionRecord, batch: PendingSettle[]): Promise<void> {
    const policy = protectionPolicyOf(subscription);
    let { state: stored, etag } = await this.cached(subscription);
    for (let tries = 0; tries < MAX_WRITE_TRIES; tries += 1) {
      if (tries > 0) ({ state: stored, etag } = await this.reread(subscription));
      const nowMs = this.now();
      const current = stateFor(stored, subscription, nowMs);
      let limiter = current.limiter;
      let breaker = current.breaker;
      let failingSinceMs = current.failingSinceMs;
      const transitions: BreakerTransition[] = [];
      // Successes counted here without a write so far go into the first outcome counted.
      const unwritten = this.unwrittenOf(subscription);
      let folded = 0;
      for (const { ticket, outcome } of batch) {
        if (ticket.leaseId) limiter = release(limiter, ticket.leaseId);
        if (outcome === undefined) continue;
        const counted = recordOutcome(breaker, outcome, policy.breaker, nowMs, unwritten - folded);
        folded = unwritten;
        breaker = counted.state;
        if (counted.transition) transitions.push(counted.transition);
        failingSinceMs = outcome === 'success' ? undefined : (failingSinceMs ?? nowMs);
      }
      const next: ProtectionState = {
        subscriptionVersion: current.subscriptionVersion,
        breaker,
        limiter,
        ...(failingSinceMs !== undefined ? { failingSinceMs } : {}),
      };
      try {
        await this.write(subscription, next, etag);
      } catch (error) {
        if (error instanceof PreconditionFailedError) continue;
        throw error;
      }
      this.foldedUnwritten(subscription, folded);
      for (const transition of transitions) await this.announceTransition(subscription, transition, next);
      const lastOutcome = batch.findLast((settle) => settle.outcome !== undefined)?.outcome;
      if (
        lastOutcome !== undefined &&
        lastOutcome !== 'success' &&
        failingSinceMs !== undefined &&
        nowMs - failingSinceMs >= policy.disableAfterMs
      ) {
        await this.autoDisable(subscription, failingSinceMs, policy.disableAfterMs);
      }
      return;
    }
    throw new Error('too many concurrent writes of the protection state');
  }

  /** Successes that a write has now counted are no longer unwritten (more may have come meanwhile). */
  private foldedUnwritten(subscription: SubscriptionRecord, folded: number): void {
    const left = this.unwrittenOf(subscription) - folded;
    if (left > 0) this.unwritten.set(this.key(subscription), left);
    else this.unwritten.delete(this.key(subscription));
  }

  private circuitHold(untilMs: number, nowMs: number): Admission {
    // Spread the held deliveries a little, so the end of a cool-down is not one thundering herd.
    return { kind: 'hold', reason: 'circuitOpen', untilMs: Math.max(untilMs, nowMs) + 1_000 * this.random() };
  }

  private async announceTransition(
    subscription: SubscriptionRecord,
    transition: BreakerTransition,
    state: ProtectionState,
  ): Promise<void> {
    const { breaker } = state;
    const change: HealthChange = transition === 'opened' ? 'circuitOpened' : 'circuitClosed';
    const data =
      transition === 'opened'
        ? {
            failures: breaker.failures,
            successes: breaker.successes,
            windowStartedAt: new Date(breaker.windowStartMs).toISOString(),
            openUntil: new Date(breaker.openUntilMs ?? this.now()).toISOString(),
          }
        : { closedAt: breaker.changedAt };
    this.dependencies.onHealthChange?.(subscription, change, JSON.stringify(data));
    await this.emit(subscription, {
      type: transition === 'opened' ? 'subscription.circuitOpened' : 'subscription.circuitClosed',
      topic: subscription.topic,
      subscription: subscription.name,
      data,
    });
  }

  private async autoDisable(
    subscription: SubscriptionRecord,
    failingSinceMs: number,
    disableAfterMs: number,
  ): Promise<void> {
    const hours = Math.round((disableAfterMs / 3_600_000) * 1000) / 1000;
    const failingSince = new Date(failingSinceMs).toISOString();
    const reason = `AutoDisabled: every attempt failed since ${failingSince} (disableAfterHours ${hours})`;
    const disabled = await this.dependencies.disableSubscription(subscription, reason);
    if (!disabled) return;
    this.dependencies.onHealthChange?.(subscription, 'disabled', reason);
    await this.emit(subscription, {
      type: 'subscription.disabled',
      topic: subscription.topic,
      subscription: subscription.name,
      data: { reason, failingSince, disableAfterHours: hours },
    });
  }

  /**
   * A system event is told once, after the change is written; a sink outage is logged, not
   * retried. The sink itself drops events about subscriptions of the system topic (loop guard).
   */
  private async emit(subscription: SubscriptionRecord, event: SystemEvent): Promise<void> {
    try {
      await this.dependencies.systemEvents.emit(event);
    } catch (error) {
      this.dependencies.warn(`could not emit ${event.type}: ${errorMessage(error)}`, subscription);
    }
  }

  private key(subscription: SubscriptionRecord): string {
    return `${subscription.topic}/${subscription.name}`;
  }

  private async cached(subscription: SubscriptionRecord): Promise<CachedState> {
    const key = this.key(subscription);
    const entry = this.cache.get(key);
    if (entry && this.now() - entry.readAtMs < STATE_CACHE_MS) return entry;
    // When the cached state expires under load, every delivery in flight misses at once.
    const pending = this.reading.get(key);
    if (pending) return pending;
    const read = this.reread(subscription).then((state) => ({ ...state, readAtMs: this.now() }));
    this.reading.set(key, read);
    try {
      return await read;
    } finally {
      if (this.reading.get(key) === read) this.reading.delete(key);
    }
  }

  private async reread(
    subscription: SubscriptionRecord,
  ): Promise<{ state: ProtectionState | undefined; etag: string | undefined }> {
    const read = await this.dependencies.store.read(subscription.topic, subscription.name);
    this.remember(subscription, read?.state, read?.etag);
    return { state: read?.state, etag: read?.etag };
  }

  private async write(
    subscription: SubscriptionRecord,
    state: ProtectionState,
    etag: string | undefined,
  ): Promise<void> {
    const written = await this.dependencies.store.write(subscription.topic, subscription.name, state, etag);
    this.remember(subscription, state, written);
  }

  private unwrittenOf(subscription: SubscriptionRecord): number {
    return this.unwritten.get(this.key(subscription)) ?? 0;
  }

  private remember(
    subscription: SubscriptionRecord,
    state: ProtectionState | undefined,
    etag: string | undefined,
  ): CachedState {
    const entry: CachedState = { state, etag, readAtMs: this.now() };
    this.cache.set(this.key(subscription), entry);
    return entry;
  }
}
