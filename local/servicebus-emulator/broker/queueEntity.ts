import type { CloseSignal } from './closeSignal';
import { createStore } from './createStore';
import { DuplicateDetector } from './duplicateDetector';
import type { MessageStore, StoreSettings } from './messageStore';
import { assertSessionIdGiven } from './session';
import type { IncomingMessage } from './storedMessage';

/** Something a client can send to: a queue or a topic. */
export interface SendableEntity {
  readonly kind: 'queue' | 'topic';
  readonly path: string;
  /** Enqueues (or schedules) the message; returns its sequence number, or undefined for a duplicate. */
  send(input: IncomingMessage): number | undefined;
  cancelScheduled(sequenceNumber: number): void;
  /** Fires when the entity is deleted (or the emulator stops). */
  readonly closing: CloseSignal;
  close(): void;
}

export class QueueEntity implements SendableEntity {
  readonly kind = 'queue';
  readonly store: MessageStore;
  private readonly duplicates: DuplicateDetector | undefined;

  constructor(settings: StoreSettings, duplicateWindowMs: number | undefined, now: () => number = Date.now) {
    this.store = createStore(settings, now);
    this.duplicates =
      duplicateWindowMs === undefined ? undefined : new DuplicateDetector(duplicateWindowMs, now);
  }

  get path(): string {
    return this.store.settings.path;
  }

  get closing(): CloseSignal {
    return this.store.closing;
  }

  send(input: IncomingMessage): number | undefined {
    this.store.assertRoomFor(input.size);
    assertSessionIdGiven(this.store.settings, input.amqp);
    if (this.duplicates?.isDuplicate(input.messageId)) return undefined;
    return this.store.accept(input).sequenceNumber;
  }

  cancelScheduled(sequenceNumber: number): void {
    this.store.cancelScheduled(sequenceNumber);
  }

  close(): void {
    this.store.close();
    this.duplicates?.close();
  }

  /** Message ids the duplicate detector remembers now (0 without duplicate detection). */
  get duplicateHistorySize(): number {
    return this.duplicates?.size ?? 0;
  }
}
