import { z } from 'zod';
import type { DeadLetterMessage, DeliveryMessage } from '../domain/types';

const deliveryMessageSchema = z.object({
  deliveryId: z.string().min(1),
  eventKey: z.string().min(1),
  topic: z.string().min(1),
  subscription: z.string().min(1),
  attempt: z.number().int().min(1),
  firstAttemptAt: z.iso.datetime({ offset: true }),
  firstAttemptNumber: z.number().int().min(1).exactOptional(),
  event: z
    .looseObject({ specversion: z.literal('1.0'), id: z.string(), source: z.string(), type: z.string() })
    .exactOptional(),
  payloadRef: z.string().min(1).exactOptional(),
});

/**
 * A message from the deliveries queue. Only Switchyard writes that queue, so a message that does
 * not parse is a bug or a stranger's message: it is thrown, and Service Bus dead-letters it as
 * poison after MaxDeliveryCount, where the dead-letter API shows it.
 */
export function parseDeliveryMessage(body: unknown): DeliveryMessage {
  const value =
    typeof body === 'string' || Buffer.isBuffer(body) ? (JSON.parse(String(body)) as unknown) : body;
  const parsed = deliveryMessageSchema.safeParse(value);
  if (!parsed.success) {
    throw new Error(
      `not a delivery message: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
    );
  }
  const { event, ...rest } = parsed.data;
  if (!event && !rest.payloadRef) {
    throw new Error('not a delivery message: it carries neither event nor payloadRef');
  }
  return { ...rest, ...(event ? { event: event } : {}) };
}

const deadLetterFieldsSchema = z.object({
  reason: z.string().min(1),
  description: z.string(),
  deadLetteredAt: z.string().min(1),
});

/** A message from the `deadletters` queue: a delivery message plus why it was given up. */
export function parseDeadLetterMessage(body: unknown): DeadLetterMessage {
  const delivery = parseDeliveryMessage(body);
  const value =
    typeof body === 'string' || Buffer.isBuffer(body) ? (JSON.parse(String(body)) as unknown) : body;
  const parsed = deadLetterFieldsSchema.safeParse(value);
  if (!parsed.success) {
    throw new Error(
      `not a dead letter: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`,
    );
  }
  return { ...delivery, ...parsed.data };
}
