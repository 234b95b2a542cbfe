import { randomUUID } from 'node:crypto';
import { types, type Message } from 'rhea';
import { amqpMessage } from './rheaMessage';
import type { IncomingMessage, MessageState, StoredMessage } from '../broker/storedMessage';

/** Message format of a batch: each data section of the envelope is an encoded message. */
export const BATCH_FORMAT = 0x80013700;

const STATE_CODE: Record<MessageState, number> = { active: 0, deferred: 1, scheduled: 2 };

function toMillis(value: unknown): number | undefined {
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number') return value;
  return undefined;
}

/** A decoded message as the broker stores it; assigns a message id when the sender gave none. */
export function fromWire(message: Message, size: number): IncomingMessage {
  const messageId =
    message.message_id === undefined || message.message_id === null
      ? randomUUID()
      : String(message.message_id);
  if (message.message_id === undefined || message.message_id === null) message.message_id = messageId;
  const annotations = (message.message_annotations ?? {}) as Record<string, unknown>;
  const ttl = typeof message.ttl === 'number' && message.ttl > 0 ? message.ttl : undefined;
  return {
    amqp: message,
    messageId,
    size,
    ttlMs: ttl,
    scheduledAt: toMillis(annotations['x-opt-scheduled-enqueue-time']),
  };
}

/** The messages in a transfer: one for format 0, the envelope's data sections for a batch. */
export function decodeTransfer(
  payload: Message | Buffer,
  format: number | undefined,
): Array<{ message: Message; size: number }> {
  if (!Buffer.isBuffer(payload)) {
    return [{ message: payload, size: amqpMessage.encode(payload).length }];
  }
  if (format !== BATCH_FORMAT) throw new Error(`unsupported message format ${format}`);
  const envelope = amqpMessage.decode(payload);
  const body = envelope.body as { content?: Buffer | Buffer[]; multiple?: boolean } | undefined;
  const sections =
    body?.content === undefined ? [] : Array.isArray(body.content) ? body.content : [body.content];
  return sections.map((section) => ({ message: amqpMessage.decode(section), size: section.length }));
}

/** The message as delivered: the stored one plus the broker's annotations and delivery count. */
export function toWire(stored: StoredMessage): Message {
  const annotations: Record<string, unknown> = {
    ...((stored.amqp.message_annotations ?? {}) as Record<string, unknown>),
    'x-opt-sequence-number': types.wrap_long(stored.sequenceNumber),
    'x-opt-enqueue-sequence-number': types.wrap_long(stored.sequenceNumber),
    'x-opt-enqueued-time': new Date(stored.enqueuedAt),
    'x-opt-message-state': types.wrap_int(STATE_CODE[stored.state]),
  };
  if (stored.lock) annotations['x-opt-locked-until'] = new Date(stored.lock.lockedUntil);
  if (stored.deadLetterSource) annotations['x-opt-deadletter-source'] = stored.deadLetterSource;
  return {
    ...stored.amqp,
    message_id: stored.amqp.message_id ?? stored.messageId,
    delivery_count: stored.deliveryCount,
    message_annotations: annotations,
  };
}

export function encodeForManagement(stored: StoredMessage): Buffer {
  return amqpMessage.encode(toWire(stored));
}
