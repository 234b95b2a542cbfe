import type { ProcessErrorArgs, ServiceBusReceivedMessage, ServiceBusReceiver } from '@azure/service-bus';
import type { ServiceBusFunctionPlan } from '../app/planFunctions';
import type { ServiceBusHostOptions } from '../app/readHostOptions';
import type { FunctionApp } from '../core/FunctionApp';
import type { InvocationRunner } from '../core/InvocationRunner';
import { settleWithin } from '../core/settleWithin';
import { newInvocationTraceContext } from '../core/traceContext';
import { writeLog } from '../log/hostLogger';
import type { TriggerListener } from '../triggerListener';
import type { ServiceBusConnections } from './ServiceBusConnections';
import { toServiceBusInvocationData } from './toServiceBusInvocation';
import { errorMessage } from '../../../shared/errors/errorMessage';

/**
 * Feeds one queue or topic subscription to one function with the Service Bus extension's
 * semantics: peek-lock, up to maxConcurrentCalls at once, the lock renewed while the handler
 * runs (up to maxAutoLockRenewalDuration). With autoCompleteMessages: success completes the
 * message and a failure abandons it, so the broker redelivers it with deliveryCount + 1 and
 * dead-letters it after the entity's MaxDeliveryCount. Without it nothing is settled (a Node.js
 * function cannot settle without SDK bindings) and the message comes back when its lock expires.
 */
/** How long close() waits for settlements still on their way to the broker. */
const SETTLE_TIMEOUT_MS = 5_000;

export function startServiceBusTrigger(
  app: FunctionApp,
  plan: ServiceBusFunctionPlan,
  runner: InvocationRunner,
  connections: ServiceBusConnections,
  options: ServiceBusHostOptions,
): TriggerListener {
  const fn = app.functions.get(plan.name);
  if (!fn) throw new Error(`function "${plan.name}" is not registered`);
  let client;
  try {
    client = connections.clientFor(plan.connection);
  } catch (error) {
    throw new Error(`function "${plan.name}": ${errorMessage(error)}`);
  }
  const receiverOptions = {
    receiveMode: 'peekLock' as const,
    maxAutoLockRenewalDurationInMs: options.maxAutoLockRenewalDurationMs,
    // Bodies stay bytes; the host's conversion rules (toServiceBusInput) decide what the handler gets.
    skipParsingBodyAsJson: true,
  };
  const entity = plan.entity;
  const receiver: ServiceBusReceiver =
    'queueName' in entity
      ? client.createReceiver(entity.queueName, receiverOptions)
      : client.createReceiver(entity.topicName, entity.subscriptionName, receiverOptions);
  const entityPath = receiver.entityPath;
  const origin = { functionName: plan.name };

  // Invocation plus settlement per message, so close() can let settlements finish first.
  const inFlight = new Set<Promise<void>>();
  const processMessage = (message: ServiceBusReceivedMessage): Promise<void> => {
    const work = invokeAndSettle(message);
    inFlight.add(work);
    return work.finally(() => inFlight.delete(work));
  };

  const invokeAndSettle = async (message: ServiceBusReceivedMessage): Promise<void> => {
    const data = toServiceBusInvocationData(message, plan.name, plan.dataType);
    const outcome = await runner.run(
      fn,
      `New ServiceBus message detected on '${entityPath}' (MessageId=${String(message.messageId)}, DeliveryCount=${(message.deliveryCount ?? 0) + 1})`,
      {
        inputData: [{ name: plan.triggerName, data: data.input }],
        triggerMetadata: data.triggerMetadata,
        traceContext: newInvocationTraceContext(plan.name, data.parentTraceParent),
      },
    );
    if (!options.autoCompleteMessages) return;
    try {
      if (outcome.succeeded) await receiver.completeMessage(message);
      else await receiver.abandonMessage(message);
    } catch (error) {
      // Usually a lost lock: the broker redelivers the message, which is what at-least-once means.
      writeLog(
        'warning',
        `Could not ${outcome.succeeded ? 'complete' : 'abandon'} message ${String(message.messageId)} on '${entityPath}': ${errorMessage(error)}`,
        origin,
      );
    }
  };

  const processError = (args: ProcessErrorArgs): Promise<void> => {
    writeLog(
      'warning',
      `Service Bus receiver for '${entityPath}' reported (${args.errorSource}): ${args.error.message}`,
      origin,
    );
    return Promise.resolve();
  };

  const subscription = receiver.subscribe(
    { processMessage, processError },
    // Settling is ours (above), so the SDK must not complete or abandon on its own.
    { autoCompleteMessages: false, maxConcurrentCalls: options.maxConcurrentCalls },
  );

  return {
    async stopReceiving() {
      await subscription.close();
    },
    async close() {
      await settleWithin([...inFlight], SETTLE_TIMEOUT_MS);
      await receiver.close();
    },
  };
}
