import type { MessageStore } from './messageStore';
import type { QueueEntity, SendableEntity } from './queueEntity';
import type { TopicEntity } from './topicEntity';

/** What a link address names. */
export interface ResolvedAddress {
  /** Normalised entity path, e.g. `orders/$DeadLetterQueue`. */
  path: string;
  /** The queue or topic the address belongs to. */
  entity: SendableEntity;
  /** The store receivers read from; undefined for a topic itself. */
  store: MessageStore | undefined;
  deadLetter: boolean;
  management: boolean;
}

/** Strips an `sb://host[:port]/` prefix: some clients address links by full URI. */
function entityPathOf(address: string): string {
  const match = /^[a-z]+:\/\/[^/]+\/(.*)$/i.exec(address);
  return match ? match[1]! : address;
}

export class EntityRegistry {
  private readonly queues = new Map<string, QueueEntity>();
  private readonly topics = new Map<string, TopicEntity>();

  addQueue(queue: QueueEntity): void {
    this.queues.set(queue.path.toLowerCase(), queue);
  }

  addTopic(topic: TopicEntity): void {
    this.topics.set(topic.path.toLowerCase(), topic);
  }

  resolve(address: string): ResolvedAddress | undefined {
    let rest = entityPathOf(address);
    const management = /\/\$management$/i.test(rest);
    if (management) rest = rest.slice(0, -'/$management'.length);
    const transfer = /\/\$Transfer\/\$DeadLetterQueue$/i.test(rest);
    const deadLetter = transfer || /\/\$DeadLetterQueue$/i.test(rest);
    if (deadLetter) rest = rest.slice(0, -(transfer ? '/$Transfer/$DeadLetterQueue' : '/$DeadLetterQueue').length);
    const key = rest.toLowerCase();
    const pick = (store: MessageStore): MessageStore | undefined =>
      transfer ? store.transferDeadLetters : deadLetter ? store.deadLetters : store;
    const queue = this.queues.get(key);
    if (queue) {
      const store = pick(queue.store);
      return { path: store!.settings.path, entity: queue, store, deadLetter, management };
    }
    const topic = this.topics.get(key);
    if (topic) {
      if (deadLetter) return undefined;
      return { path: topic.path, entity: topic, store: undefined, deadLetter, management };
    }
    const split = key.lastIndexOf('/subscriptions/');
    if (split < 0) return undefined;
    const owner = this.topics.get(key.slice(0, split));
    const subscription = owner?.subscriptions.get(key.slice(split + '/subscriptions/'.length));
    if (!owner || !subscription) return undefined;
    const store = pick(subscription.store);
    return { path: store!.settings.path, entity: owner, store, deadLetter, management };
  }

  close(): void {
    for (const queue of this.queues.values()) queue.close();
    for (const topic of this.topics.values()) topic.close();
  }
}
