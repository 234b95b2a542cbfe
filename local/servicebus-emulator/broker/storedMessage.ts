import type { Message } from 'rhea';

export type MessageState = 'active' | 'deferred' | 'scheduled';

/**
 * One message held by a queue or subscription. `amqp` is the message as the sender encoded it
 * (body sections untouched); broker annotations are added only when it is delivered.
 */
export interface StoredMessage {
  sequenceNumber: number;
  messageId: string;
  enqueuedAt: number;
  /** Infinity when the message never expires. */
  expiresAt: number;
  scheduledAt?: number | undefined;
  deliveryCount: number;
  state: MessageState;
  lock?: { token: string; lockedUntil: number } | undefined;
  size: number;
  amqp: Message;
  /** Set in dead-letter queues: the entity path the message came from. */
  deadLetterSource?: string;
  /** How many times the message was auto-forwarded to get here (forwarding.ts caps it). */
  forwardHops?: number | undefined;
}

/** What a sender hands the broker. */
export interface IncomingMessage {
  amqp: Message;
  messageId: string;
  size: number;
  /** From header.ttl; the entity's DefaultMessageTimeToLive caps it. */
  ttlMs?: number | undefined;
  scheduledAt?: number | undefined;
  /** Auto-forwarding hops so far. */
  forwardHops?: number | undefined;
}

export type ReceiveMode = 'peekLock' | 'receiveAndDelete';

/** A receiving link as the store sees it: it asks for messages while it has credit. */
export interface Consumer {
  readonly mode: ReceiveMode;
  wantsMessage(): boolean;
  deliver(message: StoredMessage): void;
}
