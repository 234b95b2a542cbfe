import type { InvocationContext } from '@azure/functions';
import Long from 'long';
import { QUEUES } from '../config/names';
import { deadLetterSessionId } from '../domain/deadLetterSession';
import type { DeadLetterMessage } from '../domain/types';
import { parseDeadLetterMessage } from '../pipeline/parseDeliveryMessage';
import { classifyServiceBusSendError, toDestinationMessage } from '../delivery/serviceBusDestination';
import type { DeadLetterDependencies, PoisonMessage } from '../management/deadletters';
import type { DeliverDependencies } from '../pipeline/deliver';
import { disableIfUnchanged } from '../pipeline/disableSubscription';
import type { PublishDependencies } from '../pipeline/publish';
import type { RouteDependencies } from '../pipeline/route';
import { withHttpDependency, withSpan } from '../telemetry';
import type { AppContext } from './context';
import { carriedProperties, carriedPublishedAt, ingressEnqueuedTime } from './journey';
import { errorMessage } from '../errors/errorMessage';

/**
 * The pipeline's steps wired to the app's real clients. Every message sent on carries the trace
 * context of the invocation sending it (and the publish time), so route and deliver continue
 * the publish request's trace; webhook calls are recorded as dependencies.
 */
export function publishDependencies(context: AppContext): PublishDependencies {
  return {
    sendIngress: (messages) =>
      context.bus.sendIngress(
        messages.map((message) => ({
          ...message,
          applicationProperties: { ...carriedProperties(undefined), ...message.applicationProperties },
        })),
      ),
    putPayload: (eventKey, json) => context.payloads.putPayload(eventKey, json),
  };
}

export function routeDependencies(context: AppContext, invocation: InvocationContext): RouteDependencies {
  const publishedAt = ingressEnqueuedTime(invocation);
  return {
    subscriptionsOf: (topic) => context.subscriptionCache.forTopic(topic),
    createEventIfAbsent: (record) => context.events.createIfAbsent(record),
    getPayload: (ref) => context.payloads.getPayload(ref),
    sendDeliveries: (messages, traceProperties) =>
      context.bus.sendDeliveries(messages, { ...carriedProperties(publishedAt), ...traceProperties }),
    sendRejectedIngress: (message) => context.bus.sendRawDeadLetter(message),
    now: () => new Date(),
  };
}

export function deliverDependencies(context: AppContext, invocation: InvocationContext): DeliverDependencies {
  const publishedAt = carriedPublishedAt(invocation);
  return {
    subscription: (topic, name) => context.subscriptionCache.get(topic, name),
    getDelivery: (eventKey, deliveryId) => context.deliveries.get(eventKey, deliveryId),
    createDeliveryIfAbsent: (record) => context.deliveries.createIfAbsent(record),
    recordAttempt: (eventKey, deliveryId, attempt, update) =>
      context.deliveries.recordAttempt(eventKey, deliveryId, attempt, update),
    getPayload: (ref) => context.payloads.getPayload(ref),
    deliverWebhook: (delivery, message) =>
      withHttpDependency(
        {
          method: 'POST',
          url: delivery.endpointUrl,
          attributes: {
            eventKey: message.eventKey,
            topic: message.topic,
            subscription: message.subscription,
            deliveryId: message.deliveryId,
            attempt: message.attempt,
          },
        },
        // traceparent last: the subscriber joins this trace whatever custom headers say.
        (traceHeaders) =>
          context.webhooks.deliver({ ...delivery, headers: { ...delivery.headers, ...traceHeaders } }),
        (result) => result.status ?? 0,
      ),
    sendToServiceBus: (destination, event, deliveryId) => {
      const message = toDestinationMessage(event, deliveryId);
      return destination.endpointType === 'ServiceBusQueue'
        ? context.bus.sendToQueue(destination.queueName, message)
        : context.bus.sendToTopic(destination.topicName, message);
    },
    classifyServiceBusError: classifyServiceBusSendError,
    scheduleDelivery: (message, at, traceProperties) => {
      const properties = { ...carriedProperties(publishedAt), ...traceProperties };
      // The Service Bus SDK traces sends but not scheduling: record the retry's send ourselves.
      return withSpan(
        'ServiceBusSender.schedule',
        {
          kind: 'client',
          attributes: {
            'az.namespace': 'Microsoft.ServiceBus',
            'messaging.system': 'servicebus',
            'messaging.destination.name': QUEUES.deliveries,
            'messaging.operation': 'publish',
            deliveryId: message.deliveryId,
            attempt: message.attempt,
          },
        },
        () => context.bus.scheduleDelivery(message, at, properties),
      );
    },
    sendDeadLetter: (message, traceProperties) =>
      context.bus.sendDeadLetter(message, { ...carriedProperties(publishedAt), ...traceProperties }),
    disableSubscription: async (called, reason) => {
      await disableIfUnchanged(context.subscriptions, called, reason, new Date());
      context.subscriptionCache.invalidate(called.topic);
    },
    now: () => new Date(),
    firstReceipt: invocation.triggerMetadata?.deliveryCount === 1,
  };
}

export function deadLetterDependencies(context: AppContext): DeadLetterDependencies {
  return {
    subscription: async (topic, name) => (await context.subscriptions.get(topic, name))?.record,
    listDeadLettered: (topic, subscription, page) =>
      context.deliveries.listDeadLettered(topic, subscription, page),
    peekPoison: (topic, subscription, max) => peekPoison(context, topic, subscription, max),
    drainDeadLetters: (topic, subscription, max, redrive) =>
      drainDeadLetters(context, topic, subscription, max, redrive),
    // Redriven deliveries join the redrive request's trace.
    sendDeliveries: (messages) => context.bus.sendDeliveries(messages, carriedProperties(undefined)),
    markRedriven: (eventKey, deliveryId) => context.deliveries.markRedriven(eventKey, deliveryId),
    now: () => new Date(),
  };
}

/** How long redrive waits for more of a session's messages before it calls the session drained. */
const DRAIN_WAIT_MS = 500;

/**
 * Receives a subscription's session of the `deadletters` queue in peek-lock, redrives each
 * message and completes it; a message that fails to redrive is abandoned (it stays, and the
 * error reaches the caller). A message that is not a dead letter is set aside in the native
 * dead-letter sub-queue so it cannot block the session.
 */
async function drainDeadLetters(
  context: AppContext,
  topic: string,
  subscription: string,
  max: number,
  redrive: (deadLetter: DeadLetterMessage) => Promise<void>,
): Promise<string[]> {
  const receiver = await context.serviceBus.acceptSession(
    QUEUES.deadletters,
    deadLetterSessionId(topic, subscription),
  );
  const redriven: string[] = [];
  try {
    while (redriven.length < max) {
      const batch = await receiver.receiveMessages(Math.min(max - redriven.length, 100), {
        maxWaitTimeInMs: DRAIN_WAIT_MS,
      });
      if (batch.length === 0) break;
      for (const message of batch) {
        let deadLetter: DeadLetterMessage;
        try {
          deadLetter = parseDeadLetterMessage(message.body);
        } catch (error) {
          await receiver.deadLetterMessage(message, {
            deadLetterReason: 'NotADeadLetterMessage',
            deadLetterErrorDescription: errorMessage(error),
          });
          continue;
        }
        try {
          await redrive(deadLetter);
        } catch (error) {
          await receiver.abandonMessage(message).catch(() => undefined);
          throw error;
        }
        await receiver.completeMessage(message);
        redriven.push(deadLetter.deliveryId);
      }
    }
  } finally {
    await receiver.close();
  }
  return redriven;
}

/** Queues whose native dead-letter sub-queue can hold a subscription's messages. */
const POISON_SOURCES = [QUEUES.deliveries, QUEUES.deadletters] as const;

/**
 * Poison of one subscription: messages Service Bus moved to the native dead-letter sub-queue of
 * `deliveries` (an attempt that crashed MaxDeliveryCount times) or of `deadletters` (a dead
 * letter that could not be redriven). Peeked, never consumed.
 */
async function peekPoison(
  context: AppContext,
  topic: string,
  subscription: string,
  max: number,
): Promise<PoisonMessage[]> {
  const found = await Promise.all(
    POISON_SOURCES.map((queue) => peekPoisonOf(context, queue, topic, subscription, max)),
  );
  return found.flat().slice(0, max);
}

async function peekPoisonOf(
  context: AppContext,
  queue: (typeof POISON_SOURCES)[number],
  topic: string,
  subscription: string,
  max: number,
): Promise<PoisonMessage[]> {
  const receiver = context.serviceBus.createReceiver(queue, { subQueueType: 'deadLetter' });
  try {
    // From the start every time: the SDK otherwise continues where the last peek on this
    // connection stopped, and a second look would miss what the first one saw.
    const messages = await receiver.peekMessages(max, { fromSequenceNumber: Long.ZERO });
    return messages
      .filter(
        (message) =>
          message.applicationProperties?.topic === topic &&
          message.applicationProperties?.subscription === subscription,
      )
      .map((message) => {
        const properties = message.applicationProperties ?? {};
        return {
          queue,
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
