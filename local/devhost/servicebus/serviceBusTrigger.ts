import type { ProcessErrorArgs, ServiceBusReceivedMessage, ServiceBusReceiver } from '@azure/service-bus';
import type { ServiceBusFunctionPlan } from '../app/planFunctions';
import type { ServiceBusHostOptions } from '../app/readHostOptions';
import type { FunctionApp, RegisteredFunction } from '../core/FunctionApp';
import type { InvocationRunner } from '../core/InvocationRunner';
import { settleWithin } from '../core/settleWithin';
import { newInvocationTraceContext } from '../core/traceContext';
import { writeLog } from '../log/hostLogger';
import type { TriggerListener } from '../triggerListener';
import type { ServiceBusConnections } from './ServiceBusConnections';
import { toServiceBusBatchInvocationData, toServiceBusInvocationData } from './toServiceBusInvocation';
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
  const settle = async (message: ServiceBusReceivedMessage, succeeded: boolean): Promise<void> => {
    try {
      if (succeeded) await receiver.completeMessage(message);
      else await receiver.abandonMessage(message);
    } catch (error) {
      // Usually a lost lock: the broker redelivers the message, which is what at-least-once means.
      writeLog(
        'warning',
        `Could not ${succeeded ? 'complete' : 'abandon'} message ${String(message.messageId)} on '${entityPath}': ${errorMessage(error)}`,
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
  if (plan.cardinality === 'many') {
    return startBatchDispatch({ fn, plan, runner, options, receiver, settle, processError });
  }

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
    if (options.autoCompleteMessages) await settle(message, outcome.succeeded);
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

interface BatchDispatch {
  fn: RegisteredFunction;
  plan: ServiceBusFunctionPlan;
  runner: InvocationRunner;
  options: ServiceBusHostOptions;
  receiver: ServiceBusReceiver;
  settle(message: ServiceBusReceivedMessage, succeeded: boolean): Promise<void>;
  processError(args: ProcessErrorArgs): Promise<void>;
}

/**
 * Cardinality many, as the extension's batch receive loop runs it: one batch at a time per
 * function, holding what is available now up to maxMessageBatchSize; with minMessageBatchSize
 * above 1, a smaller batch waits for more until maxBatchWaitTime. The invocation gets the bodies
 * as an array and the metadata as per-message arrays; with autoCompleteMessages the whole batch
 * is completed when it succeeds and abandoned when it throws. The receiver holds up to
 * maxMessageBatchSize messages, so the next batch gathers while one runs.
 */
function startBatchDispatch(dispatch: BatchDispatch): TriggerListener {
  const { fn, plan, runner, options, receiver } = dispatch;
  const entityPath = receiver.entityPath;
  const buffered: Array<{ message: ServiceBusReceivedMessage; release: () => void }> = [];
  const inFlight = new Set<Promise<void>>();
  let running = false;
  let stopping = false;
  let flushQueued = false;
  let waitTimer: NodeJS.Timeout | undefined;

  const runBatch = async (messages: ServiceBusReceivedMessage[]): Promise<void> => {
    const data = toServiceBusBatchInvocationData(messages, plan.name, plan.dataType);
    const outcome = await runner.run(
      fn,
      `New ServiceBus batch detected on '${entityPath}' (${messages.length} messages)`,
      {
        inputData: [{ name: plan.triggerName, data: data.input }],
        triggerMetadata: data.triggerMetadata,
        traceContext: newInvocationTraceContext(plan.name, undefined),
      },
    );
    if (options.autoCompleteMessages) {
      await Promise.all(messages.map((message) => dispatch.settle(message, outcome.succeeded)));
    }
  };

  const dispatchNow = (): void => {
    if (running || buffered.length === 0) return;
    clearTimeout(waitTimer);
    waitTimer = undefined;
    const batch = buffered.splice(0, options.maxMessageBatchSize);
    running = true;
    const work = runBatch(batch.map((entry) => entry.message)).finally(() => {
      running = false;
      for (const entry of batch) entry.release();
      if (!stopping) considerDispatch();
    });
    inFlight.add(work);
    work.then(
      () => inFlight.delete(work),
      () => inFlight.delete(work),
    );
  };

  const considerDispatch = (): void => {
    if (running || buffered.length === 0) return;
    if (buffered.length >= options.minMessageBatchSize) {
      // Messages of one transfer arrive one callback each: let the rest of them join the batch.
      if (!flushQueued) {
        flushQueued = true;
        setImmediate(() => {
          flushQueued = false;
          dispatchNow();
        });
      }
    } else {
      waitTimer ??= setTimeout(() => {
        waitTimer = undefined;
        dispatchNow();
      }, options.maxBatchWaitTimeMs);
    }
  };

  const subscription = receiver.subscribe(
    {
      // Resolves once the message's batch has run and been settled: until then it holds a credit.
      processMessage: (message) =>
        new Promise<void>((release) => {
          buffered.push({ message, release });
          if (!stopping) considerDispatch();
        }),
      processError: (args) => dispatch.processError(args),
    },
    { autoCompleteMessages: false, maxConcurrentCalls: options.maxMessageBatchSize },
  );

  return {
    async stopReceiving() {
      stopping = true;
      clearTimeout(waitTimer);
      // Messages waiting for a batch go back at once rather than when their lock expires.
      const waiting = buffered.splice(0);
      await settleWithin(
        waiting.map((entry) => dispatch.settle(entry.message, false).finally(entry.release)),
        SETTLE_TIMEOUT_MS,
      );
      await subscription.close();
    },
    async close() {
      await settleWithin([...inFlight], SETTLE_TIMEOUT_MS);
      await receiver.close();
    },
  };
}
