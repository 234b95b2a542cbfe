import type { ServiceBusMessage } from '@azure/service-bus';
import { deadLetterSessionId } from '../domain/deadLetterSession';
import type { DeadLetterMessage, DeliveryMessage } from '../domain/types';

/**
 * The message id of one attempt of one delivery. Duplicate detection on the queue drops a second
 * send of the same attempt, so a re-run of route or deliver after a crash sends no second copy.
 */
export function deliveryMessageId(deliveryId: string, attempt: number): string {
  return `${deliveryId}:${attempt}`;
}

/** W3C trace context (traceparent, Diagnostic-Id) carried from one step to the next. */
export type TraceProperties = Record<string, string>;

function properties(
  message: DeliveryMessage,
  traceProperties: TraceProperties,
): NonNullable<ServiceBusMessage['applicationProperties']> {
  return {
    ...traceProperties,
    deliveryId: message.deliveryId,
    topic: message.topic,
    subscription: message.subscription,
    eventKey: message.eventKey,
    attempt: message.attempt,
  };
}

/** A message for the `deliveries` queue: one attempt of one delivery. */
export function toDeliveryServiceBusMessage(
  message: DeliveryMessage,
  traceProperties: TraceProperties = {},
): ServiceBusMessage {
  return {
    body: message,
    contentType: 'application/json',
    messageId: deliveryMessageId(message.deliveryId, message.attempt),
    applicationProperties: properties(message, traceProperties),
  };
}

/**
 * A message for the product's `deadletters` queue: the delivery envelope, in the subscription's
 * session, with the reason also as subject and property for filtering.
 */
export function toDeadLetterServiceBusMessage(
  message: DeadLetterMessage,
  traceProperties: TraceProperties = {},
): ServiceBusMessage {
  const envelope = toDeliveryServiceBusMessage(message, traceProperties);
  return {
    ...envelope,
    sessionId: deadLetterSessionId(message.topic, message.subscription),
    subject: message.reason,
    applicationProperties: { ...envelope.applicationProperties, reason: message.reason },
  };
}
