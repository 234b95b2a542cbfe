import { BrokerError } from './brokerError';
import { CloseSignal } from './closeSignal';
import { createStore } from './createStore';
import { DuplicateDetector } from './duplicateDetector';
import type { MessageStore, StoreSettings } from './messageStore';
import type { SendableEntity } from './queueEntity';
import { toRuleMessage } from './ruleMessage';
import { copiesFor, type SubscriptionRule } from './rules';
import type { IncomingMessage } from './storedMessage';

export interface Subscription {
  name: string;
  store: MessageStore;
  rules: SubscriptionRule[];
}

/**
 * A topic copies each message to every subscription with a matching rule (see copiesFor for how
 * many copies). Each subscription is an ordinary message store; its rules array is changed in
 * place by the rule manager ($management add-rule / remove-rule).
 */
export class TopicEntity implements SendableEntity {
  readonly kind = 'topic';
  readonly subscriptions = new Map<string, Subscription>();
  readonly closing = new CloseSignal();
  private readonly duplicates: DuplicateDetector | undefined;
  private nextSequenceNumber = 1;
  /** Topic sequence number of a scheduled message -> its copies, for cancelScheduledMessages. */
  private readonly scheduledCopies = new Map<number, { at: number; copies: Array<[MessageStore, number]> }>();

  constructor(
    readonly path: string,
    private readonly defaultTtlMs: number,
    duplicateWindowMs: number | undefined,
    private readonly now: () => number = Date.now,
  ) {
    this.duplicates =
      duplicateWindowMs === undefined ? undefined : new DuplicateDetector(duplicateWindowMs, now);
  }

  addSubscription(name: string, settings: StoreSettings, rules: SubscriptionRule[]): Subscription {
    const subscription = { name, store: createStore(settings, this.now), rules };
    this.subscriptions.set(name.toLowerCase(), subscription);
    return subscription;
  }

  send(input: IncomingMessage): number | undefined {
    for (const subscription of this.subscriptions.values()) subscription.store.assertRoomFor(input.size);
    if (this.duplicates?.isDuplicate(input.messageId)) return undefined;
    const sequenceNumber = this.nextSequenceNumber++;
    const copies: Array<[MessageStore, number]> = [];
    const ttlMs = Math.min(input.ttlMs ?? Infinity, this.defaultTtlMs);
    const capped = { ...input, ttlMs };
    const view = toRuleMessage(capped, { sequenceNumber, enqueuedAt: this.now() });
    for (const subscription of this.subscriptions.values()) {
      for (const copy of copiesFor(subscription.rules, capped, view)) {
        const stored = subscription.store.accept(copy);
        copies.push([subscription.store, stored.sequenceNumber]);
      }
    }
    this.forgetActivatedSchedules();
    if (input.scheduledAt !== undefined && input.scheduledAt > this.now()) {
      this.scheduledCopies.set(sequenceNumber, { at: input.scheduledAt, copies });
    }
    return sequenceNumber;
  }

  cancelScheduled(sequenceNumber: number): void {
    const copies = this.scheduledCopies.get(sequenceNumber)?.copies;
    if (!copies) {
      throw new BrokerError(
        'MessageNotFound',
        `The scheduled message with sequence number ${sequenceNumber} was not found.`,
      );
    }
    this.scheduledCopies.delete(sequenceNumber);
    for (const [store, seq] of copies) {
      try {
        store.cancelScheduled(seq);
      } catch {
        // Already enqueued in that subscription: nothing left to cancel there.
      }
    }
  }

  /** Keeps the cancel bookkeeping bounded: entries whose time has passed can no longer be cancelled. */
  private forgetActivatedSchedules(): void {
    const now = this.now();
    for (const [seq, entry] of this.scheduledCopies) if (entry.at <= now) this.scheduledCopies.delete(seq);
  }

  close(): void {
    for (const subscription of this.subscriptions.values()) subscription.store.close();
    this.duplicates?.close();
    this.closing.fire();
  }
}
