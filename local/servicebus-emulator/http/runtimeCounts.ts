import type { MessageStore } from '../broker/messageStore';
import type { TopicEntity } from '../broker/topicEntity';
import type { RuntimeCounts } from './descriptionFields';

const ALL = Number.MAX_SAFE_INTEGER;

/**
 * Message counts of a queue or subscription, read with peek (every unexpired message in any
 * state). Deferred and locked messages count as active, as in Service Bus; size includes the
 * dead-letter sub-queues, which count toward the entity's size.
 */
export function storeCounts(store: MessageStore): RuntimeCounts {
  const main = store.peek(0, ALL);
  const deadLetters = store.deadLetters?.peek(0, ALL) ?? [];
  const transferDeadLetters = store.transferDeadLetters?.peek(0, ALL) ?? [];
  const scheduled = main.filter((message) => message.state === 'scheduled').length;
  const size = [...main, ...deadLetters, ...transferDeadLetters].reduce(
    (sum, message) => sum + message.size,
    0,
  );
  return {
    active: main.length - scheduled,
    deadLetter: deadLetters.length,
    scheduled,
    transfer: 0,
    transferDeadLetter: transferDeadLetters.length,
    sizeInBytes: size,
  };
}

/**
 * A topic's figures: size summed over its subscriptions; scheduled messages are those of its
 * busiest subscription (a topic keeps no messages of its own: each subscription holds a copy).
 */
export function topicCounts(topic: TopicEntity): RuntimeCounts {
  const counts = [...topic.subscriptions.values()].map((subscription) => storeCounts(subscription.store));
  return {
    active: 0,
    deadLetter: 0,
    scheduled: Math.max(0, ...counts.map((c) => c.scheduled)),
    transfer: 0,
    transferDeadLetter: 0,
    sizeInBytes: counts.reduce((sum, c) => sum + c.sizeInBytes, 0),
  };
}
