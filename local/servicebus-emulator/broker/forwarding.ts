import { BrokerError } from './brokerError';
import type { EntityRegistry } from './entityRegistry';
import type { MessageStore } from './messageStore';
import type { SendableEntity } from './queueEntity';
import type { IncomingMessage, StoredMessage } from './storedMessage';

/**
 * ForwardTo and ForwardDeadLetteredMessagesTo. A queue or subscription with ForwardTo hands every
 * message it accepts straight to the target queue or topic; one with
 * ForwardDeadLetteredMessagesTo does the same with what it dead-letters. A message that cannot
 * be forwarded (target gone or full, too many hops) lands in the source's transfer dead-letter
 * queue (`<entity>/$Transfer/$DeadLetterQueue`) with the reason, as in Service Bus.
 */

/** Service Bus forwards a message through at most four entities. */
export const MAX_FORWARD_HOPS = 4;
export const HOP_LIMIT_REASON = 'MaxTransferHopCountExceeded';
const DEAD_LETTER_SOURCE = 'x-opt-deadletter-source';

export type EntityLookup = (name: string) => SendableEntity | undefined;

function lookupIn(registry: EntityRegistry): EntityLookup {
  return (name) => registry.queue(name) ?? registry.topic(name);
}

/** The message as the target receives it: same AMQP message, TTL as the source had it, one hop more. */
function forwarded(message: StoredMessage, hops: number): IncomingMessage {
  const annotations = { ...((message.amqp.message_annotations ?? {}) as Record<string, unknown>) };
  if (message.deadLetterSource !== undefined) annotations[DEAD_LETTER_SOURCE] = message.deadLetterSource;
  const ttl = message.expiresAt - message.enqueuedAt;
  return {
    amqp: { ...message.amqp, message_annotations: annotations },
    messageId: message.messageId,
    size: message.size,
    ttlMs: Number.isFinite(ttl) ? ttl : undefined,
    scheduledAt: message.state === 'scheduled' ? message.scheduledAt : undefined,
    forwardHops: hops,
  };
}

function withReason(message: StoredMessage, reason: string, description: string): StoredMessage {
  const properties = {
    ...(message.amqp.application_properties ?? {}),
    DeadLetterReason: reason,
    DeadLetterErrorDescription: description,
  };
  return { ...message, amqp: { ...message.amqp, application_properties: properties } };
}

/** A store's forwarder: sends to `targetName`, or dead-letters into `owner`'s transfer dead-letter queue. */
function forwarder(
  owner: MessageStore,
  targetName: string,
  lookup: EntityLookup,
): (message: StoredMessage) => void {
  return (message) => {
    const hops = (message.forwardHops ?? 0) + 1;
    try {
      if (hops > MAX_FORWARD_HOPS) {
        throw new BrokerError(
          'InvalidOperation',
          `The message was forwarded more than ${MAX_FORWARD_HOPS} times; last hop '${owner.settings.path}' -> '${targetName}'.`,
        );
      }
      const target = lookup(targetName);
      if (!target) {
        throw new BrokerError(
          'MessagingEntityNotFound',
          `The forwarding target '${targetName}' of '${owner.settings.path}' does not exist.`,
        );
      }
      target.send(forwarded(message, hops));
    } catch (error) {
      if (!(error instanceof BrokerError)) throw error;
      const reason = hops > MAX_FORWARD_HOPS ? HOP_LIMIT_REASON : error.code;
      owner.transferDeadLetters?.acceptDeadLetter(
        withReason(message, reason, error.message),
        owner.settings.path,
      );
    }
  };
}

/** Every queue and subscription store with its owner name (what a ForwardTo may name is a queue or topic). */
function receivableStores(registry: EntityRegistry): Array<{ owner: string; store: MessageStore }> {
  const stores = registry.listQueues().map((queue) => ({ owner: queue.path, store: queue.store }));
  for (const topic of registry.listTopics()) {
    for (const subscription of topic.subscriptions.values()) {
      stores.push({ owner: topic.path, store: subscription.store });
    }
  }
  return stores;
}

/**
 * What is wrong with the namespace's forwarding, or undefined: a target that does not exist, or
 * a ForwardTo loop (a queue reaches itself; a topic reaches itself through a subscription's
 * ForwardTo). Service Bus refuses both when the source entity is created.
 */
export function forwardingProblem(registry: EntityRegistry): string | undefined {
  const lookup = lookupIn(registry);
  const edges = new Map<string, string[]>();
  for (const { owner, store } of receivableStores(registry)) {
    const { forwardTo, forwardDeadLetteredMessagesTo } = store.settings;
    for (const [field, target] of [
      ['ForwardTo', forwardTo],
      ['ForwardDeadLetteredMessagesTo', forwardDeadLetteredMessagesTo],
    ] as const) {
      if (target !== undefined && !lookup(target)) {
        return `${store.settings.path}: ${field} names '${target}', which is not a queue or topic of this namespace`;
      }
    }
    if (forwardTo === undefined) continue;
    const from = owner.toLowerCase();
    edges.set(from, [...(edges.get(from) ?? []), lookup(forwardTo)!.path.toLowerCase()]);
  }
  const loop = findCycle(edges);
  return loop ? `ForwardTo loop: ${loop.join(' -> ')}` : undefined;
}

/** A cycle in a directed graph as a path that ends where it starts, or undefined. */
function findCycle(edges: Map<string, string[]>): string[] | undefined {
  const done = new Set<string>();
  const visit = (node: string, path: string[]): string[] | undefined => {
    const at = path.indexOf(node);
    if (at >= 0) return [...path.slice(at), node];
    if (done.has(node)) return undefined;
    for (const next of edges.get(node) ?? []) {
      const cycle = visit(next, [...path, node]);
      if (cycle) return cycle;
    }
    done.add(node);
    return undefined;
  };
  for (const node of edges.keys()) {
    const cycle = visit(node, []);
    if (cycle) return cycle;
  }
  return undefined;
}

/**
 * Installs (or removes) the forwarders of every queue and subscription per its settings. Call it
 * after entities are created, updated or deleted; check forwardingProblem first.
 */
export function wireForwarding(registry: EntityRegistry): void {
  const lookup = lookupIn(registry);
  for (const { store } of receivableStores(registry)) {
    const { forwardTo, forwardDeadLetteredMessagesTo } = store.settings;
    store.forwarder = forwardTo === undefined ? undefined : forwarder(store, forwardTo, lookup);
    if (store.deadLetters) {
      store.deadLetters.forwarder =
        forwardDeadLetteredMessagesTo === undefined
          ? undefined
          : forwarder(store, forwardDeadLetteredMessagesTo, lookup);
    }
  }
}
