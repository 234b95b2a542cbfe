import type { ServiceBusMessage } from '@azure/service-bus';
import type { DeadLetterMessage, DeliveryMessage } from '../domain/types';

/**
 * The message id of one attempt of one delivery. Duplicate detection on the queue drops a second
 * send of the same attempt, so a re-run of route or deliver after a crash sends no second copy.
 */
export function deliveryMessageId(deliveryId: string, attempt: number): string {
  return `${deliveryId}:${attempt}`;
}

function properties(message: DeliveryMessage): ServiceBusMessage['applicationProperties'] {
  return {
    topic: message.topic,
    subscription: message.subscription,
    eventKey: message.eventKey,
    attempt: message.attempt,
  };
}

/** A message for the `deliveries` queue: one attempt of one delivery. */
export function toDeliveryServiceBusMessage(message: DeliveryMessage): ServiceBusMessage {
  return {
    body: message,
    contentType: 'application/json',
    messageId: deliveryMessageId(message.deliveryId, message.attempt),
    applicationProperties: properties(message),
  };
}

/** A message for the product's `deadletters` queue, with the reason also as a property for filtering. */
export function toDeadLetterServiceBusMessage(message: DeadLetterMessage): ServiceBusMessage {
  return {
    body: message,
    contentType: 'application/json',
    messageId: deliveryMessageId(message.deliveryId, message.attempt),
    subject: message.reason,
    applicationProperties: { ...properties(message), reason: message.reason },
  };
}
