import { QUEUES } from '../config/names';
import { classifyServiceBusSendError, toDestinationMessage } from '../delivery/serviceBusDestination';
import type { DeadLetterDependencies, PoisonMessage } from '../management/deadletters';
import type { DeliverDependencies } from '../pipeline/deliver';
import type { PublishDependencies } from '../pipeline/publish';
import type { RouteDependencies } from '../pipeline/route';
import type { AppContext } from './context';

/** The pipeline's steps wired to the app's real clients. */
export function publishDependencies(context: AppContext): PublishDependencies {
  return {
    sendIngress: (messages) => context.bus.sendIngress(messages),
    putPayload: (eventKey, json) => context.payloads.putPayload(eventKey, json),
  };
}

export function routeDependencies(context: AppContext): RouteDependencies {
  return {
    subscriptionsOf: (topic) => context.subscriptionCache.forTopic(topic),
    createEventIfAbsent: (record) => context.events.createIfAbsent(record),
    getPayload: (ref) => context.payloads.getPayload(ref),
    sendDeliveries: (messages, traceProperties) => context.bus.sendDeliveries(messages, traceProperties),
    sendRejectedIngress: (message) => context.bus.sendRawDeadLetter(message),
    now: () => new Date(),
  };
}

export function deliverDependencies(context: AppContext): DeliverDependencies {
  return {
    subscription: (topic, name) => context.subscriptionCache.get(topic, name),
    getDelivery: (eventKey, deliveryId) => context.deliveries.get(eventKey, deliveryId),
    createDeliveryIfAbsent: (record) => context.deliveries.createIfAbsent(record),
    recordAttempt: (eventKey, deliveryId, attempt, update) =>
      context.deliveries.recordAttempt(eventKey, deliveryId, attempt, update),
    getPayload: (ref) => context.payloads.getPayload(ref),
    deliverWebhook: (delivery) => context.webhooks.deliver(delivery),
    sendToServiceBus: (destination, event, deliveryId) => {
      const message = toDestinationMessage(event, deliveryId);
      return destination.endpointType === 'ServiceBusQueue'
        ? context.bus.sendToQueue(destination.queueName, message)
        : context.bus.sendToTopic(destination.topicName, message);
    },
    classifyServiceBusError: classifyServiceBusSendError,
    scheduleDelivery: (message, at, traceProperties) =>
      context.bus.scheduleDelivery(message, at, traceProperties),
    sendDeadLetter: (message, traceProperties) => context.bus.sendDeadLetter(message, traceProperties),
    disableSubscription: async (topic, name, reason) => {
      await context.subscriptions.disable(topic, name, reason);
      context.subscriptionCache.invalidate(topic);
    },
    now: () => new Date(),
  };
}

export function deadLetterDependencies(context: AppContext): DeadLetterDependencies {
  return {
    subscription: async (topic, name) => (await context.subscriptions.get(topic, name))?.record,
    listDeadLettered: (topic, subscription, page) =>
      context.deliveries.listDeadLettered(topic, subscription, page),
    peekPoison: (topic, subscription, max) => peekPoison(context, topic, subscription, max),
    getEvent: (eventKey) => context.events.get(eventKey),
    sendDeliveries: (messages) => context.bus.sendDeliveries(messages),
    markRedriven: (eventKey, deliveryId) => context.deliveries.markRedriven(eventKey, deliveryId),
    now: () => new Date(),
  };
}

/**
 * Poison deliveries of one subscription: messages Service Bus moved to the native dead-letter
 * sub-queue of `deliveries` after MaxDeliveryCount crashed attempts. Peeked, never consumed.
 */
async function peekPoison(
  context: AppContext,
  topic: string,
  subscription: string,
  max: number,
): Promise<PoisonMessage[]> {
  const receiver = context.serviceBus.createReceiver(QUEUES.deliveries, { subQueueType: 'deadLetter' });
  try {
    const messages = await receiver.peekMessages(max);
    return messages
      .filter(
        (message) =>
          message.applicationProperties?.topic === topic &&
          message.applicationProperties?.subscription === subscription,
      )
      .map((message) => {
        const properties = message.applicationProperties ?? {};
        return {
          sequenceNumber: message.sequenceNumber?.toString() ?? '',
          ...(typeof properties.deliveryId === 'string' ? { deliveryId: properties.deliveryId } : {}),
          ...(typeof properties.eventKey === 'string' ? { eventKey: properties.eventKey } : {}),
          ...(typeof properties.attempt === 'number' ? { attempt: properties.attempt } : {}),
          ...(message.enqueuedTimeUtc ? { enqueuedTimeUtc: message.enqueuedTimeUtc.toISOString() } : {}),
          ...(message.deadLetterReason ? { deadLetterReason: message.deadLetterReason } : {}),
          ...(message.deadLetterErrorDescription
            ? { deadLetterErrorDescription: message.deadLetterErrorDescription }
            : {}),
        };
      });
  } finally {
    await receiver.close();
  }
}
