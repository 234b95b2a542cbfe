import type { MessageStore } from './messageStore';
import type { QueueEntity, SendableEntity } from './queueEntity';
import type { TopicEntity } from './topicEntity';
import { SessionStore } from './sessionStore';

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
  /** Lower-case entity path -> when a link or token last named it (the admin API's AccessedAt). */
  private readonly lastAccess = new Map<string, number>();

  addQueue(queue: QueueEntity): void {
    this.queues.set(queue.path.toLowerCase(), queue);
  }

  addTopic(topic: TopicEntity): void {
    this.topics.set(topic.path.toLowerCase(), topic);
  }

  queue(name: string): QueueEntity | undefined {
    return this.queues.get(name.toLowerCase());
  }

  topic(name: string): TopicEntity | undefined {
    return this.topics.get(name.toLowerCase());
  }

  /** Queues and topics share one namespace of names, case-insensitively. */
  hasEntity(name: string): boolean {
    return this.queues.has(name.toLowerCase()) || this.topics.has(name.toLowerCase());
  }

  listQueues(): QueueEntity[] {
    return [...this.queues.values()];
  }

  listTopics(): TopicEntity[] {
    return [...this.topics.values()];
  }

  /** Deletes a queue and its messages (run-time deletion); open links see the entity gone on their next use. */
  removeQueue(name: string): boolean {
    const queue = this.queues.get(name.toLowerCase());
    if (!queue) return false;
    this.queues.delete(name.toLowerCase());
    this.lastAccess.delete(name.toLowerCase());
    queue.close();
    return true;
  }

  /** Deletes a topic with all its subscriptions and their messages. */
  removeTopic(name: string): boolean {
    const topic = this.topics.get(name.toLowerCase());
    if (!topic) return false;
    this.topics.delete(name.toLowerCase());
    this.lastAccess.delete(name.toLowerCase());
    topic.close();
    return true;
  }

  /** When a client last opened a link to, or put a token for, the entity at `path` (undefined: never). */
  accessedAt(path: string): number | undefined {
    return this.lastAccess.get(path.toLowerCase());
  }

  resolve(address: string): ResolvedAddress | undefined {
    let rest = entityPathOf(address);
    const management = /\/\$management$/i.test(rest);
    if (management) rest = rest.slice(0, -'/$management'.length);
    const transfer = /\/\$Transfer\/\$DeadLetterQueue$/i.test(rest);
    const deadLetter = transfer || /\/\$DeadLetterQueue$/i.test(rest);
    if (deadLetter)
      rest = rest.slice(0, -(transfer ? '/$Transfer/$DeadLetterQueue' : '/$DeadLetterQueue').length);
    const key = rest.toLowerCase();
    const pick = (store: MessageStore): MessageStore | undefined =>
      transfer ? store.transferDeadLetters : deadLetter ? store.deadLetters : store;
    const queue = this.queues.get(key);
    if (queue) {
      this.lastAccess.set(key, Date.now());
      const store = pick(queue.store);
      return { path: store!.settings.path, entity: queue, store, deadLetter, management };
    }
    const topic = this.topics.get(key);
    if (topic) {
      if (deadLetter) return undefined;
      this.lastAccess.set(key, Date.now());
      return { path: topic.path, entity: topic, store: undefined, deadLetter, management };
    }
    const split = key.lastIndexOf('/subscriptions/');
    if (split < 0) return undefined;
    const owner = this.topics.get(key.slice(0, split));
    const subscription = owner?.subscriptions.get(key.slice(split + '/subscriptions/'.length));
    if (!owner || !subscription) return undefined;
    this.lastAccess.set(key, Date.now());
    const store = pick(subscription.store);
    return { path: store!.settings.path, entity: owner, store, deadLetter, management };
  }

  /** Probe: acceptNextSession calls waiting on the queue or subscription at `path` (0 if none or not sessionful). */
  waitingSessionAccepts(path: string): number {
    const key = path.toLowerCase();
    const split = key.lastIndexOf('/subscriptions/');
    const store =
      split < 0
        ? this.queues.get(key)?.store
        : this.topics.get(key.slice(0, split))?.subscriptions.get(key.slice(split + '/subscriptions/'.length))
            ?.store;
    return store instanceof SessionStore ? store.waitingAccepts : 0;
  }

  close(): void {
    for (const queue of this.queues.values()) queue.close();
    for (const topic of this.topics.values()) topic.close();
  }
}
