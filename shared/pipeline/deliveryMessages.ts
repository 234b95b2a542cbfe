import { createHash } from 'node:crypto';
import type { ServiceBusMessage } from '@azure/service-bus';
import type { DeadLetterMessage, DeliveryMessage } from '../domain/types';

/**
 * The delivery id of an (event, subscription) pair: the same on every run of route and on every
 * attempt, so a re-run creates no second delivery and receivers can deduplicate on webhook-id.
 */
export function deliveryIdOf(eventKey: string, topic: string, subscription: string): string {
  const digest = createHash('sha256').update(`${eventKey}\n${topic}\n${subscription}`, 'utf8').digest();
  return `dlv_${digest.subarray(0, 18).toString('base64url')}`;
}

/**
 * The Service Bus message for one attempt. messageId `deliveryId:attempt` lets duplicate
 * detection drop a second copy when route or deliver runs again after a crash.
 */
export function toDeliveryServiceBusMessage(
  message: DeliveryMessage,
  traceProperties: Record<string, string> = {},
): ServiceBusMessage {
  return {
    body: message,
    contentType: 'application/json',
    messageId: `${message.deliveryId}:${message.attempt}`,
    applicationProperties: {
      ...traceProperties,
      topic: message.topic,
      subscription: message.subscription,
      eventKey: message.eventKey,
      deliveryId: message.deliveryId,
      attempt: message.attempt,
    },
  };
}

export function toDeadLetterServiceBusMessage(
  message: DeadLetterMessage,
  traceProperties: Record<string, string> = {},
): ServiceBusMessage {
  return {
    body: message,
    contentType: 'application/json',
    messageId: `${message.deliveryId}:deadletter:${message.attempt}`,
    subject: message.reason,
    applicationProperties: {
      ...traceProperties,
      topic: message.topic,
      subscription: message.subscription,
      eventKey: message.eventKey,
      deliveryId: message.deliveryId,
      reason: message.reason,
    },
  };
}
