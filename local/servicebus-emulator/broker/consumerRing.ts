import type { Consumer, ReceiveMode, StoredMessage } from './storedMessage';

/**
 * The receivers of one store, served in turn: each pass gives one message to the next
 * consumer with credit, so a consumer with a large credit cannot starve the others.
 */
export class ConsumerRing {
  private readonly consumers: Consumer[] = [];
  private next = 0;
  private running = false;

  add(consumer: Consumer): void {
    this.consumers.push(consumer);
  }

  remove(consumer: Consumer): void {
    const index = this.consumers.indexOf(consumer);
    if (index >= 0) this.consumers.splice(index, 1);
  }

  /** Deals messages from `take` until no consumer wants one or `take` has none. Not re-entrant. */
  deal(take: (mode: ReceiveMode) => StoredMessage | undefined): void {
    if (this.running) return;
    this.running = true;
    try {
      let progressed = true;
      while (progressed && this.consumers.length > 0) {
        progressed = false;
        for (let i = 0; i < this.consumers.length; i++) {
          const index = (this.next + i) % this.consumers.length;
          const consumer = this.consumers[index]!;
          if (!consumer.wantsMessage()) continue;
          const message = take(consumer.mode);
          if (!message) return;
          this.next = (index + 1) % this.consumers.length;
          consumer.deliver(message);
          progressed = true;
          break;
        }
      }
    } finally {
      this.running = false;
    }
  }
}
