import { DuplicateDetector } from '../../../local/servicebus-emulator/broker/duplicateDetector';
import { MessageStore, type StoreSettings } from '../../../local/servicebus-emulator/broker/messageStore';
import { MinHeap } from '../../../local/servicebus-emulator/broker/minHeap';
import { QueueEntity } from '../../../local/servicebus-emulator/broker/queueEntity';
import type { IncomingMessage } from '../../../local/servicebus-emulator/broker/storedMessage';

/**
 * What the emulator keeps per message must go when the message goes, and the duplicate
 * detection history must last DuplicateDetectionHistoryTimeWindow only: a long-running
 * emulator's memory follows what it holds, not what it has ever carried.
 */

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

function clock(start = Date.UTC(2026, 0, 1)) {
  let now = start;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

function settings(overrides: Partial<StoreSettings> = {}): StoreSettings {
  return {
    path: 'work',
    lockDurationMs: MINUTE,
    maxDeliveryCount: 10,
    defaultTtlMs: 14 * DAY,
    deadLetterOnExpiration: true,
    maxSizeBytes: 1024 * 1024 * 1024,
    ...overrides,
  };
}

function incoming(id: string, scheduledAt?: number): IncomingMessage {
  return { amqp: { message_id: id, body: 'x' }, messageId: id, size: 100, scheduledAt };
}

/** Peek-lock receipt of everything available, then `settle` on each lock token. */
function drain(store: MessageStore, settle: (token: string) => void): number {
  let count = 0;
  for (let message = store.take('peekLock'); message; message = store.take('peekLock')) {
    settle(message.lock!.token);
    count += 1;
  }
  return count;
}

describe('DuplicateDetector', () => {
  it('remembers an id for its window and forgets it after (injected clock)', () => {
    const time = clock();
    const detector = new DuplicateDetector(10 * MINUTE, time.now);
    expect(detector.isDuplicate('a')).toBe(false);
    time.advance(9 * MINUTE);
    expect(detector.isDuplicate('a')).toBe(true);
    expect(detector.isDuplicate('b')).toBe(false);
    expect(detector.size).toBe(2);
    time.advance(MINUTE);
    // 'a' is 10 minutes old: outside the window, forgotten, accepted again.
    expect(detector.isDuplicate('a')).toBe(false);
    detector.close();
  });

  it('keeps only the ids of the last window however many pass through', () => {
    const time = clock();
    const detector = new DuplicateDetector(MINUTE, time.now);
    for (let i = 0; i < 60_000; i++) {
      detector.isDuplicate(`id-${i}`);
      time.advance(10); // 100 ids/s
    }
    expect(detector.size).toBe(6000);
    detector.close();
  });

  it('sheds its history after the window even when no message is sent', () => {
    jest.useFakeTimers({ now: Date.UTC(2026, 0, 1) });
    try {
      const detector = new DuplicateDetector(10 * MINUTE);
      for (let i = 0; i < 1000; i++) detector.isDuplicate(`id-${i}`);
      expect(detector.size).toBe(1000);
      jest.advanceTimersByTime(10 * MINUTE - 1);
      expect(detector.size).toBe(1000);
      jest.advanceTimersByTime(1);
      expect(detector.size).toBe(0);
      detector.close();
    } finally {
      jest.useRealTimers();
    }
  });

  it('is the queue entity’s history: a duplicate within the window is dropped, the history shrinks after', () => {
    const time = clock();
    const queue = new QueueEntity(settings(), 10 * MINUTE, time.now);
    expect(queue.send(incoming('m-1'))).toBe(1);
    expect(queue.send(incoming('m-1'))).toBeUndefined();
    for (let i = 2; i <= 100; i++) queue.send(incoming(`m-${i}`));
    expect(queue.duplicateHistorySize).toBe(100);
    time.advance(10 * MINUTE);
    expect(queue.send(incoming('m-1'))).toBe(101);
    expect(queue.duplicateHistorySize).toBe(1);
    queue.close();
  });
});

describe('MessageStore indexes', () => {
  it('keep nothing for messages completed long before their 14-day TTL', () => {
    const time = clock();
    const store = new MessageStore(settings(), time.now);
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 500; i++) store.accept(incoming(`r${round}-${i}`));
      expect(drain(store, (token) => store.complete(token))).toBe(500);
      time.advance(1000);
    }
    expect(store.messageCount).toBe(0);
    const sizes = store.indexSizes;
    expect(sizes.locks).toBe(0);
    // 10,000 messages passed through; stale entries are dropped once they outnumber the live ones.
    expect(sizes.expiries).toBeLessThanOrEqual(1024);
    expect(sizes.lockExpiries).toBeLessThanOrEqual(1024);
    expect(sizes.available).toBeLessThanOrEqual(1024);
    store.close();
  });

  it('keep nothing for cancelled scheduled messages, and keep the others scheduled', () => {
    const time = clock();
    const store = new MessageStore(settings(), time.now);
    const keep: number[] = [];
    for (let i = 0; i < 5000; i++) {
      const message = store.accept(incoming(`s-${i}`, time.now() + MINUTE + i));
      if (i % 1000 === 0) keep.push(message.sequenceNumber);
      else store.cancelScheduled(message.sequenceNumber);
    }
    expect(store.messageCount).toBe(5);
    expect(store.indexSizes.scheduled).toBeLessThanOrEqual(2 * 5 + 1024);
    expect(store.indexSizes.expiries).toBeLessThanOrEqual(2 * 5 + 1024);
    expect(store.peek(1, 10).map((m) => [m.sequenceNumber, m.state])).toEqual(
      keep.map((seq) => [seq, 'scheduled']),
    );
    store.close();
  });

  it('keep nothing after receive-and-delete, abandon cycles and dead-lettering', () => {
    const time = clock();
    const store = new MessageStore(settings({ maxDeliveryCount: 3 }), time.now);
    for (let i = 0; i < 3000; i++) store.accept(incoming(`d-${i}`));
    for (let message = store.take('receiveAndDelete'); message; message = store.take('receiveAndDelete'));
    for (let i = 0; i < 3000; i++) store.accept(incoming(`a-${i}`));
    // Three abandons each: the third dead-letters the message (MaxDeliveryCount 3).
    for (let attempt = 0; attempt < 3; attempt++) drain(store, (token) => store.abandon(token));
    expect(store.messageCount).toBe(0);
    expect(store.deadLetters!.messageCount).toBe(3000);
    const sizes = store.indexSizes;
    expect(sizes.locks).toBe(0);
    expect(Math.max(sizes.available, sizes.expiries, sizes.lockExpiries)).toBeLessThanOrEqual(1024);
    expect(drain(store.deadLetters!, (token) => store.deadLetters!.complete(token))).toBe(3000);
    expect(store.deadLetters!.indexSizes.locks).toBe(0);
    store.close();
  });
});

describe('MinHeap.compact', () => {
  it('drops what is not kept and pops the rest in order', () => {
    const heap = new MinHeap<number>((n) => n);
    const values = Array.from({ length: 2000 }, (_, i) => (i * 7919) % 2000);
    for (const value of values) heap.push(value);
    heap.compact((n) => n % 3 === 0);
    const popped: number[] = [];
    for (let n = heap.pop(); n !== undefined; n = heap.pop()) popped.push(n);
    expect(popped).toEqual(values.filter((n) => n % 3 === 0).sort((a, b) => a - b));
  });
});
