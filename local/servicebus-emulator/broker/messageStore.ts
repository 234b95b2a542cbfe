import { randomUUID } from 'node:crypto';
import { BrokerError } from './brokerError';
import { CloseSignal } from './closeSignal';
import { ConsumerRing } from './consumerRing';
import { MinHeap } from './minHeap';
import type { Consumer, IncomingMessage, ReceiveMode, StoredMessage } from './storedMessage';
import { WakeTimer } from './wakeTimer';

export interface StoreSettings {
  /** Entity path as clients address it, e.g. `orders` or `events/Subscriptions/audit`. */
  path: string;
  lockDurationMs: number;
  maxDeliveryCount: number;
  /** Infinity for no default expiry. */
  defaultTtlMs: number;
  deadLetterOnExpiration: boolean;
  maxSizeBytes: number;
  /** Queue or topic that every accepted message goes to instead of this store (forwarding.ts). */
  forwardTo?: string | undefined;
  /** Queue or topic that dead-lettered messages go to instead of the dead-letter queue. */
  forwardDeadLetteredMessagesTo?: string | undefined;
  /** Sessions: messages grouped by sessionId, each session locked to one receiver (SessionStore). */
  requiresSession?: boolean;
}

export interface DeadLetterInfo {
  reason?: string | undefined;
  description?: string | undefined;
  properties?: Record<string, unknown> | undefined;
}

type Timed = { at: number; sequenceNumber: number; token?: string };

/** Stale index entries tolerated beyond twice the live messages before a compaction pass. */
const COMPACT_SLACK = 1024;

/**
 * The message store shared by queues and topic subscriptions: active messages in sequence
 * order, scheduled, deferred and locked messages, and a dead-letter store of its own.
 * Time-based transitions (scheduled activation, lock expiry, TTL) run on one unref'd timer.
 */
export class MessageStore {
  readonly deadLetters: MessageStore | undefined;
  readonly transferDeadLetters: MessageStore | undefined;
  /** Set by forwarding.ts: takes each message this store would otherwise hold. */
  forwarder: ((message: StoredMessage) => void) | undefined;
  /** Fires when the store closes (its entity deleted, or the emulator stopping). */
  readonly closing = new CloseSignal();
  protected readonly messages = new Map<number, StoredMessage>();
  private readonly available = new MinHeap<number>((seq) => seq);
  private readonly scheduled = new MinHeap<Timed>((t) => t.at);
  private readonly lockExpiries = new MinHeap<Timed>((t) => t.at);
  private readonly expiries = new MinHeap<Timed>((t) => t.at);
  private readonly locks = new Map<string, number>();
  private readonly consumers = new ConsumerRing();
  private readonly timer: WakeTimer;
  private nextSequenceNumber = 1;
  private bytes = 0;
  protected closed = false;

  constructor(
    readonly settings: StoreSettings,
    protected readonly now: () => number = Date.now,
    isDeadLetterStore = false,
  ) {
    this.timer = new WakeTimer(() => this.onTimer(), now);
    const subQueue = (suffix: string): MessageStore =>
      new MessageStore(
        {
          path: `${settings.path}/${suffix}`,
          lockDurationMs: settings.lockDurationMs,
          maxDeliveryCount: Number.MAX_SAFE_INTEGER,
          defaultTtlMs: Infinity,
          deadLetterOnExpiration: false,
          maxSizeBytes: settings.maxSizeBytes,
        },
        now,
        true,
      );
    this.deadLetters = isDeadLetterStore ? undefined : subQueue('$DeadLetterQueue');
    // Receivable so SDK transfer-DLQ receivers work; stays empty while forwarding is unsupported.
    this.transferDeadLetters = isDeadLetterStore ? undefined : subQueue('$Transfer/$DeadLetterQueue');
  }

  get messageCount(): number {
    return this.messages.size;
  }

  /**
   * Throws QuotaExceeded when `size` more bytes would not fit. The dead-letter queue counts
   * toward its entity's size (as in Service Bus), so dead-lettering never needs room of its own.
   */
  assertRoomFor(size: number): void {
    const used = this.bytes + (this.deadLetters?.bytes ?? 0);
    if (used + size > this.settings.maxSizeBytes) {
      throw new BrokerError(
        'QuotaExceeded',
        `The maximum entity size has been reached or exceeded for '${this.settings.path}'. Size of entity in bytes:${used}, Max entity size in bytes: ${this.settings.maxSizeBytes}.`,
      );
    }
  }

  accept(input: IncomingMessage): StoredMessage {
    this.assertRoomFor(input.size);
    const now = this.now();
    const ttl = Math.min(input.ttlMs ?? Infinity, this.settings.defaultTtlMs);
    const scheduled = input.scheduledAt !== undefined && input.scheduledAt > now;
    const enqueuedAt = scheduled ? input.scheduledAt! : now;
    const message: StoredMessage = {
      sequenceNumber: this.nextSequenceNumber++,
      messageId: input.messageId,
      enqueuedAt,
      expiresAt: enqueuedAt + ttl,
      scheduledAt: input.scheduledAt,
      deliveryCount: 0,
      state: scheduled ? 'scheduled' : 'active',
      size: input.size,
      amqp: input.amqp,
      forwardHops: input.forwardHops,
    };
    if (this.forwarder) {
      this.forwarder(message);
      return message;
    }
    this.messages.set(message.sequenceNumber, message);
    this.bytes += message.size;
    if (scheduled) {
      this.scheduled.push({ at: enqueuedAt, sequenceNumber: message.sequenceNumber });
    } else {
      this.makeAvailable(message);
    }
    if (Number.isFinite(message.expiresAt)) {
      this.expiries.push({ at: message.expiresAt, sequenceNumber: message.sequenceNumber });
    }
    this.rearm();
    this.dispatch();
    return message;
  }

  /** Moves a message in from another store's dead-lettering (or a failed forward). */
  acceptDeadLetter(source: StoredMessage, sourcePath: string): void {
    const message: StoredMessage = {
      ...source,
      sequenceNumber: this.nextSequenceNumber++,
      enqueuedAt: this.now(),
      expiresAt: Infinity,
      state: 'active',
      lock: undefined,
      deadLetterSource: sourcePath,
    };
    if (this.forwarder) {
      this.forwarder(message);
      return;
    }
    this.messages.set(message.sequenceNumber, message);
    this.bytes += message.size;
    this.makeAvailable(message);
    this.dispatch();
  }

  cancelScheduled(sequenceNumber: number): void {
    const message = this.messages.get(sequenceNumber);
    if (!message || message.state !== 'scheduled') {
      throw new BrokerError(
        'MessageNotFound',
        `The scheduled message with sequence number ${sequenceNumber} was not found.`,
      );
    }
    this.remove(message);
  }

  addConsumer(consumer: Consumer): void {
    this.consumers.add(consumer);
    this.dispatch();
  }

  removeConsumer(consumer: Consumer): void {
    this.consumers.remove(consumer);
  }

  /** Hands available messages to consumers with credit, in turn. */
  dispatch(): void {
    if (!this.closed) this.consumers.deal((mode) => this.take(mode));
  }

  /** The next available message, locked (peekLock) or removed (receiveAndDelete). */
  take(mode: ReceiveMode): StoredMessage | undefined {
    const now = this.now();
    for (;;) {
      const seq = this.available.pop();
      if (seq === undefined) return undefined;
      const message = this.messages.get(seq);
      if (!message || message.state !== 'active' || message.lock) continue;
      if (message.expiresAt <= now) {
        this.expire(message);
        continue;
      }
      this.handOut(message, mode, now);
      return message;
    }
  }

  protected handOut(message: StoredMessage, mode: ReceiveMode, now: number): void {
    if (mode === 'receiveAndDelete') {
      this.remove(message);
      return;
    }
    const token = randomUUID();
    message.lock = { token, lockedUntil: this.lockDeadline(message, now) };
    this.locks.set(token, message.sequenceNumber);
    this.lockExpiries.push({ at: message.lock.lockedUntil, sequenceNumber: message.sequenceNumber, token });
    this.rearm();
  }

  /** When a lock handed out now ends; a session store ties it to the session lock. */
  protected lockDeadline(_message: StoredMessage, now: number): number {
    return now + this.settings.lockDurationMs;
  }

  /** The message holding `token`, or MessageLockLost (unknown token or lock already expired). */
  protected locked(token: string): StoredMessage {
    const seq = this.locks.get(token);
    const message = seq === undefined ? undefined : this.messages.get(seq);
    if (!message || !message.lock || message.lock.token !== token) {
      this.locks.delete(token);
      throw new BrokerError(
        'MessageLockLost',
        `The lock supplied is invalid. Either the lock expired, or the message has already been removed from the queue. Reference:${token}, Entity:${this.settings.path}.`,
      );
    }
    if (message.lock.lockedUntil <= this.now()) {
      this.releaseExpiredLock(message);
      return this.locked(token);
    }
    return message;
  }

  /**
   * Takes back a message handed to a consumer whose link closed before it went on the wire:
   * it was never delivered, so it is available again without counting a delivery.
   */
  restore(message: StoredMessage): void {
    if (this.closed) return;
    if (message.lock) {
      if (this.messages.get(message.sequenceNumber) !== message) return;
      this.unlock(message);
    } else {
      if (this.messages.has(message.sequenceNumber)) return;
      this.messages.set(message.sequenceNumber, message);
      this.bytes += message.size;
    }
    if (message.state === 'active') this.makeAvailable(message);
    this.dispatch();
  }

  complete(token: string): void {
    this.remove(this.locked(token));
  }

  abandon(token: string, propertiesToModify?: Record<string, unknown>): void {
    const message = this.locked(token);
    this.unlock(message);
    mergeProperties(message, propertiesToModify);
    this.countFailedDelivery(message);
  }

  /**
   * Sets the message aside until receiveDeferredMessages. The delivery it was deferred from
   * counts, as in Service Bus: received (0), deferred, received by sequence number (1).
   */
  defer(token: string, propertiesToModify?: Record<string, unknown>): void {
    const message = this.locked(token);
    this.unlock(message);
    mergeProperties(message, propertiesToModify);
    message.state = 'deferred';
    message.deliveryCount += 1;
  }

  deadLetter(token: string, info: DeadLetterInfo): void {
    const message = this.locked(token);
    if (!this.deadLetters) {
      throw new BrokerError(
        'InvalidOperation',
        `Messages in '${this.settings.path}' cannot be dead-lettered again: complete or abandon them.`,
      );
    }
    mergeProperties(message, info.properties);
    this.moveToDeadLetters(message, info.reason, info.description);
  }

  renewLock(token: string): number {
    const message = this.locked(token);
    message.lock!.lockedUntil = this.now() + this.settings.lockDurationMs;
    this.lockExpiries.push({ at: message.lock!.lockedUntil, sequenceNumber: message.sequenceNumber, token });
    return message.lock!.lockedUntil;
  }

  /** Deferred messages by sequence number; MessageNotFound if any is not deferred here. */
  receiveDeferred(sequenceNumbers: number[], mode: ReceiveMode): StoredMessage[] {
    const now = this.now();
    const found = sequenceNumbers.map((seq) => {
      const message = this.messages.get(seq);
      if (message && message.expiresAt <= now && !message.lock) this.expire(message);
      if (!message || !this.messages.has(seq) || message.state !== 'deferred' || message.lock) {
        throw new BrokerError(
          'MessageNotFound',
          `Failed to lock one or more specified messages. The message with sequence number ${seq} was not found or is locked.`,
        );
      }
      return message;
    });
    for (const message of found) this.handOut(message, mode, now);
    return found;
  }

  /** Up to `count` messages from `fromSequenceNumber` on, in any state, without locking. */
  peek(fromSequenceNumber: number, count: number): StoredMessage[] {
    const result: StoredMessage[] = [];
    for (const message of this.messages.values()) {
      if (result.length >= count) break;
      if (message.sequenceNumber >= fromSequenceNumber && message.expiresAt > this.now())
        result.push(message);
    }
    return result;
  }

  close(): void {
    this.closed = true;
    this.timer.cancel();
    this.deadLetters?.close();
    this.transferDeadLetters?.close();
    this.closing.fire();
  }

  protected makeAvailable(message: StoredMessage): void {
    this.available.push(message.sequenceNumber);
  }

  protected unlock(message: StoredMessage): void {
    if (message.lock) this.locks.delete(message.lock.token);
    message.lock = undefined;
  }

  private remove(message: StoredMessage): void {
    this.unlock(message);
    if (this.messages.delete(message.sequenceNumber)) this.bytes -= message.size;
    this.compactIndexes();
  }

  /** Entries held in the time and availability indexes (for tests of boundedness). */
  get indexSizes(): {
    available: number;
    scheduled: number;
    lockExpiries: number;
    expiries: number;
    locks: number;
  } {
    return {
      available: this.available.size,
      scheduled: this.scheduled.size,
      lockExpiries: this.lockExpiries.size,
      expiries: this.expiries.size,
      locks: this.locks.size,
    };
  }

  /**
   * The indexes are checked lazily: an entry whose message was settled, cancelled or moved stays
   * until its time comes (an expiry entry for a message completed at once under a 14-day TTL
   * would stay 14 days). When an index holds more than twice the live messages, its stale entries
   * are dropped in one pass, so memory follows the messages held, not the messages ever sent.
   */
  private compactIndexes(): void {
    const limit = 2 * this.messages.size + COMPACT_SLACK;
    const live = (seq: number): StoredMessage | undefined => this.messages.get(seq);
    if (this.expiries.size > limit) this.expiries.compact((due) => live(due.sequenceNumber) !== undefined);
    if (this.scheduled.size > limit)
      this.scheduled.compact((due) => live(due.sequenceNumber)?.state === 'scheduled');
    if (this.lockExpiries.size > limit)
      this.lockExpiries.compact((due) => live(due.sequenceNumber)?.lock?.token === due.token);
    if (this.available.size > limit) {
      this.available.compact((seq) => {
        const message = live(seq);
        return message !== undefined && message.state === 'active' && !message.lock;
      });
    }
  }

  /** Abandon and lock expiry: one more delivery counted; past MaxDeliveryCount it is dead-lettered. */
  protected countFailedDelivery(message: StoredMessage): void {
    message.deliveryCount += 1;
    if (message.deliveryCount >= this.settings.maxDeliveryCount && this.deadLetters) {
      this.moveToDeadLetters(
        message,
        'MaxDeliveryCountExceeded',
        `Message could not be consumed after ${this.settings.maxDeliveryCount} delivery attempts.`,
      );
      return;
    }
    if (message.state === 'active') {
      this.makeAvailable(message);
      this.dispatch();
    }
  }

  private releaseExpiredLock(message: StoredMessage): void {
    this.unlock(message);
    this.countFailedDelivery(message);
  }

  protected moveToDeadLetters(message: StoredMessage, reason?: string, description?: string): void {
    this.remove(message);
    if (!this.deadLetters) return;
    const props = { ...(message.amqp.application_properties ?? {}) };
    if (reason !== undefined) props.DeadLetterReason = reason;
    if (description !== undefined) props.DeadLetterErrorDescription = description;
    message.amqp = { ...message.amqp, application_properties: props };
    this.deadLetters.acceptDeadLetter(message, this.settings.path);
  }

  protected expire(message: StoredMessage): void {
    if (this.settings.deadLetterOnExpiration && this.deadLetters) {
      this.moveToDeadLetters(message, 'TTLExpiredException', 'The message expired and was dead lettered.');
    } else {
      this.remove(message);
    }
  }

  /** Runs the transitions that are due and re-arms the timer for the next one. */
  private onTimer(): void {
    if (this.closed) return;
    const now = this.now();
    for (let due = this.scheduled.peek(); due && due.at <= now; due = this.scheduled.peek()) {
      this.scheduled.pop();
      const message = this.messages.get(due.sequenceNumber);
      if (message && message.state === 'scheduled') {
        message.state = 'active';
        this.makeAvailable(message);
      }
    }
    for (let due = this.lockExpiries.peek(); due && due.at <= now; due = this.lockExpiries.peek()) {
      this.lockExpiries.pop();
      const message = this.messages.get(due.sequenceNumber);
      if (message?.lock && message.lock.token === due.token && message.lock.lockedUntil <= now) {
        this.releaseExpiredLock(message);
      }
    }
    for (let due = this.expiries.peek(); due && due.at <= now; due = this.expiries.peek()) {
      this.expiries.pop();
      const message = this.messages.get(due.sequenceNumber);
      // A locked message expires when its lock is released; deferred ones stay until received.
      if (message && message.state === 'active' && !message.lock) this.expire(message);
      else if (message?.lock)
        this.expiries.push({ at: message.lock.lockedUntil + 1, sequenceNumber: message.sequenceNumber });
    }
    this.rearm();
    this.dispatch();
  }

  private rearm(): void {
    if (this.closed) return;
    this.timer.wakeAt(
      Math.min(
        this.scheduled.peek()?.at ?? Infinity,
        this.lockExpiries.peek()?.at ?? Infinity,
        this.expiries.peek()?.at ?? Infinity,
      ),
    );
  }
}

function mergeProperties(message: StoredMessage, properties: Record<string, unknown> | undefined): void {
  if (!properties || Object.keys(properties).length === 0) return;
  message.amqp = {
    ...message.amqp,
    application_properties: { ...(message.amqp.application_properties ?? {}), ...properties },
  };
}
