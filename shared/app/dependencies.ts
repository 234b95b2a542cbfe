import { randomUUID } from 'node:crypto';
import type { InvocationContext } from '@azure/functions';
import type { ServiceBusReceivedMessage } from '@azure/service-bus';
import Long from 'long';
import { isServiceBusError } from '@azure/service-bus';
import { QUEUES } from '../config/names';
import { deadLetterSessionId, REJECTED_INGRESS_SESSION_ID } from '../domain/deadLetterSession';
import type { DeadLetterMessage } from '../domain/types';
import { parseDeadLetterMessage } from '../pipeline/parseDeliveryMessage';
import { classifyServiceBusSendError, toDestinationMessage } from '../delivery/serviceBusDestination';
import type { DeadLetterDependencies, PoisonMessage } from '../management/deadletters';
import type {
  IngressDeadLetter,
  IngressDeadLetterDependencies,
  PeekedRejection,
} from '../management/ingressDeadLetters';
import { serviceUnavailableProblem } from '../http/problems';
import type { DeliverDependencies } from '../pipeline/deliver';
import { disableIfUnchanged } from '../pipeline/disableSubscription';
import type { PublishDependencies } from '../pipeline/publish';
import type {
  Disposition,
  DrainCounts,
  NativeDeadLetter,
  NativeQueue,
  ReconcileDependencies,
} from '../pipeline/reconcile';
import type { RouteDependencies } from '../pipeline/route';
import { withHttpDependency, withSpan } from '../telemetry';
import type { AppContext } from './context';
import { HTTP_DEPENDENCY_TIMEOUT_MS, withDeadline } from './dependencyOutage';
import { carriedProperties, carriedPublishedAt, ingressEnqueuedTime } from './journey';
import { errorMessage } from '../errors/errorMessage';

/**
 * The pipeline's steps wired to the app's real clients. Every message sent on carries the trace
 * context of the invocation sending it (and the publish time), so route and deliver continue
 * the publish request's trace; webhook calls are recorded as dependencies.
 */
/** The longest publish waits for Service Bus (or Blob storage) before it answers 503. */
export const PUBLISH_DEPENDENCY_TIMEOUT_MS = HTTP_DEPENDENCY_TIMEOUT_MS;

export function publishDependencies(context: AppContext): PublishDependencies {
  return {
    // A send that completes after the 503 is harmless: the caller's retry carries the same
    // messageId (the eventKey), which the ingress queue's duplicate detection drops.
    sendIngress: (messages) =>
      withDeadline(
        'Service Bus',
        PUBLISH_DEPENDENCY_TIMEOUT_MS,
        context.bus.sendIngress(
          messages.map((message) => ({
            ...message,
            applicationProperties: { ...carriedProperties(undefined), ...message.applicationProperties },
          })),
        ),
      ),
    putPayload: (owner, json) =>
      withDeadline('Blob storage', PUBLISH_DEPENDENCY_TIMEOUT_MS, context.payloads.putPayload(owner, json)),
  };
}

export function routeDependencies(context: AppContext, invocation: InvocationContext): RouteDependencies {
  const publishedAt = ingressEnqueuedTime(invocation);
  return {
    subscriptionsOf: (topic) => context.subscriptionCache.forTopic(topic),
    createEventIfAbsent: (record) => context.events.createIfAbsent(record),
    getPayload: (ref) => context.payloads.getPayload(ref),
    putPayload: (owner, json) => context.payloads.putPayload(owner, json),
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
    subscription: async (topic, name) =>
      (await withDeadline('Cosmos DB', HTTP_DEPENDENCY_TIMEOUT_MS, context.subscriptions.get(topic, name)))
        ?.record,
    listDeadLettered: (topic, subscription, page) =>
      withDeadline(
        'Cosmos DB',
        HTTP_DEPENDENCY_TIMEOUT_MS,
        context.deliveries.listDeadLettered(topic, subscription, page),
      ),
    peekPoison: (topic, subscription, max) =>
      withDeadline('Service Bus', HTTP_DEPENDENCY_TIMEOUT_MS, peekPoison(context, topic, subscription, max)),
    drainDeadLetters: (topic, subscription, max, redrive) =>
      drainDeadLetters(context, topic, subscription, max, redrive),
    // Redriven deliveries join the redrive request's trace.
    sendDeliveries: (messages) => context.bus.sendDeliveries(messages, carriedProperties(undefined)),
    markRedriven: (eventKey, deliveryId) => context.deliveries.markRedriven(eventKey, deliveryId),
    now: () => new Date(),
  };
}

/**
 * Takes the `$ingress` session of `deadletters`. Reading a session needs its lock for a moment;
 * a request that finds another one holding it is answered 503 with a short Retry-After.
 */
async function acceptIngressSession(context: AppContext, options?: { skipParsingBodyAsJson: boolean }) {
  try {
    return await context.serviceBus.acceptSession(QUEUES.deadletters, REJECTED_INGRESS_SESSION_ID, options);
  } catch (error) {
    if (isServiceBusError(error) && error.code === 'SessionCannotBeLocked') {
      throw serviceUnavailableProblem(
        'Service Bus: another request holds the $ingress session of the deadletters queue for a moment; try again',
        1,
      );
    }
    throw error;
  }
}

/** Peeks the `$ingress` session of `deadletters` (never consumes). */
async function peekRejectedIngress(
  context: AppContext,
  from: bigint,
  max: number,
): Promise<PeekedRejection[]> {
  const receiver = await acceptIngressSession(context);
  try {
    // A peek may answer fewer messages than asked for while more follow: ask again from the
    // last one on until there are enough or none come back.
    const found: PeekedRejection[] = [];
    let next = from;
    while (found.length < max) {
      const batch = await receiver.peekMessages(max - found.length, {
        fromSequenceNumber: Long.fromString(next.toString()),
      });
      const last = batch.at(-1)?.sequenceNumber;
      if (!last) break;
      found.push(
        ...batch.map((message) => ({
          sequenceNumber: message.sequenceNumber?.toString() ?? '',
          body: message.body as unknown,
        })),
      );
      next = BigInt(last.toString()) + 1n;
    }
    return found;
  } finally {
    await receiver.close();
  }
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

export function reconcileDependencies(context: AppContext): ReconcileDependencies {
  return {
    drainNativeDeadLetters: (queue, max, handle) => drainNativeDeadLetters(context, queue, max, handle),
    sendRawDeadLetter: (message) => context.bus.sendRawDeadLetter(message),
    sendDeadLetter: (message) => context.bus.sendDeadLetter(message, carriedProperties(undefined)),
    sendDeliveries: (messages) => context.bus.sendDeliveries(messages, carriedProperties(undefined)),
    getDelivery: (eventKey, deliveryId) => context.deliveries.get(eventKey, deliveryId),
    createDeliveryIfAbsent: (record) => context.deliveries.createIfAbsent(record),
    recordAttempt: (eventKey, deliveryId, attempt, update) =>
      context.deliveries.recordAttempt(eventKey, deliveryId, attempt, update),
    listOverdueRetries: (dueBefore, max) => context.deliveries.listOverdueRetries(dueBefore, max),
    markRetryReenqueued: (eventKey, deliveryId, nextAttemptAt) =>
      context.deliveries.markRetryReenqueued(eventKey, deliveryId, nextAttemptAt),
    getEvent: (eventKey) => context.events.get(eventKey),
    newMessageId: () => randomUUID(),
    now: () => new Date(),
  };
}

/** How long a drain waits for the next batch of a native dead-letter sub-queue. */
const NATIVE_DRAIN_WAIT_MS = 1_000;

/**
 * Receives up to `max` messages of a queue's native dead-letter sub-queue in peek-lock (bodies
 * as bytes, as they were sent) and settles each as `handle` says. Messages to leave, and those
 * `handle` failed on, are abandoned only at the end, so the same run does not receive them again.
 */
async function drainNativeDeadLetters(
  context: AppContext,
  queue: NativeQueue,
  max: number,
  handle: (message: NativeDeadLetter) => Promise<Disposition>,
): Promise<DrainCounts> {
  const receiver = context.serviceBus.createReceiver(QUEUES[queue], {
    subQueueType: 'deadLetter',
    receiveMode: 'peekLock',
    skipParsingBodyAsJson: true,
  });
  const counts: DrainCounts = { handled: 0, left: 0, failed: 0 };
  const toAbandon: ServiceBusReceivedMessage[] = [];
  try {
    let received = 0;
    while (received < max) {
      const batch = await receiver.receiveMessages(Math.min(max - received, 50), {
        maxWaitTimeInMs: NATIVE_DRAIN_WAIT_MS,
      });
      if (batch.length === 0) break;
      received += batch.length;
      for (const message of batch) {
        let disposition: Disposition;
        try {
          disposition = await handle(nativeDeadLetterOf(message));
        } catch {
          counts.failed += 1;
          toAbandon.push(message);
          continue;
        }
        if (disposition === 'handled') {
          await receiver.completeMessage(message);
          counts.handled += 1;
        } else {
          counts.left += 1;
          toAbandon.push(message);
        }
      }
    }
  } finally {
    await Promise.allSettled(toAbandon.map((message) => receiver.abandonMessage(message)));
    await receiver.close();
  }
  return counts;
}

function nativeDeadLetterOf(message: ServiceBusReceivedMessage): NativeDeadLetter {
  return {
    body: message.body as unknown,
    ...(message.messageId !== undefined ? { messageId: message.messageId as string | number } : {}),
    ...(message.contentType ? { contentType: message.contentType } : {}),
    ...(message.subject ? { subject: message.subject } : {}),
    ...(message.correlationId !== undefined
      ? { correlationId: message.correlationId as string | number }
      : {}),
    ...(message.sessionId ? { sessionId: message.sessionId } : {}),
    ...(message.enqueuedTimeUtc ? { enqueuedTimeUtc: message.enqueuedTimeUtc } : {}),
    applicationProperties: {
      ...(message.applicationProperties ?? {}),
    },
    ...(message.deadLetterReason ? { deadLetterReason: message.deadLetterReason } : {}),
    ...(message.deadLetterErrorDescription
      ? { deadLetterErrorDescription: message.deadLetterErrorDescription }
      : {}),
    ...(message.deliveryCount !== undefined ? { deliveryCount: message.deliveryCount } : {}),
  };
}

export function ingressDeadLetterDependencies(context: AppContext): IngressDeadLetterDependencies {
  return {
    peekRejectedIngress: (from, max) => peekRejectedIngress(context, from, max),
    drainIngressDeadLetters: (max, handle) => drainIngressDeadLetters(context, max, handle),
    sendIngress: (message) =>
      context.bus.sendIngress([
        {
          ...message,
          applicationProperties: { ...carriedProperties(undefined), ...message.applicationProperties },
        },
      ]),
  };
}

async function drainIngressDeadLetters(
  context: AppContext,
  max: number,
  handle: (deadLetter: IngressDeadLetter) => Promise<'redriven' | 'kept'>,
): Promise<{ redriven: number; kept: number }> {
  const receiver = await acceptIngressSession(context, { skipParsingBodyAsJson: true });
  const result = { redriven: 0, kept: 0 };
  try {
    // Only what is there now: kept messages go to the end of the session and must not come round again.
    const present = (await receiver.peekMessages(max, { fromSequenceNumber: Long.ZERO })).length;
    let taken = 0;
    while (taken < present) {
      const batch = await receiver.receiveMessages(Math.min(present - taken, 100), {
        maxWaitTimeInMs: DRAIN_WAIT_MS,
      });
      if (batch.length === 0) break;
      taken += batch.length;
      for (const message of batch) {
        let outcome: 'redriven' | 'kept';
        try {
          outcome = await handle({
            body: message.body as unknown,
            sequenceNumber: message.sequenceNumber?.toString() ?? '',
          });
          if (outcome === 'kept') {
            await context.bus.sendRawDeadLetter({
              body: message.body as unknown,
              sessionId: REJECTED_INGRESS_SESSION_ID,
              ...(message.contentType ? { contentType: message.contentType } : {}),
              ...(message.subject ? { subject: message.subject } : {}),
              ...(message.messageId !== undefined ? { messageId: message.messageId } : {}),
              ...(message.applicationProperties
                ? { applicationProperties: message.applicationProperties }
                : {}),
            });
          }
        } catch (error) {
          await Promise.allSettled(batch.map((other) => receiver.abandonMessage(other)));
          throw error;
        }
        await receiver.completeMessage(message);
        result[outcome] += 1;
      }
    }
  } finally {
    await receiver.close();
  }
  return result;
}
