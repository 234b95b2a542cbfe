/**
 * The Service Bus and timer functions' handlers: route, deliver and reconcile, each riding out
 * dependency outages (shared/pipeline/outage.ts). functions/*.ts only register them.
 */
import { InvocationContext, type LogLevel } from '@azure/functions';
import { QUEUES } from '../config/names';
import { errorMessage } from '../errors/errorMessage';
import {
  decideAfterFailure,
  MAX_PROCESSING_FAILURES,
  PROCESSING_FAILURES_PROPERTY,
  processBatch,
  processingFailuresOf,
} from '../pipeline/batch';
import { type AnsweredAttempt, deliverAttempt } from '../pipeline/deliver';
import {
  copyOf,
  deliverRetryDelaysMs,
  postponedCopy,
  postponementsOf,
  rideOutOutage,
} from '../pipeline/outage';
import { parseDeliveryMessage } from '../pipeline/parseDeliveryMessage';
import {
  type NativeDeadLetter,
  reconcile as reconcileOnce,
  reconcileDeliveryPoison,
  reconcileIngressPoison,
} from '../pipeline/reconcile';
import { routeIngressMessage } from '../pipeline/route';
import { log } from '../telemetry';
import { appContext } from './context';
import { deliverDependencies, reconcileDependencies, routeDependencies } from './dependencies';
import { unavailableDependency } from './dependencyOutage';
import { traceMessage } from './invocationTelemetry';
import { ingressEnqueuedTime } from './journey';
import { reportDelivery } from './reportDelivery';
import { outageLogger, reportPostponed } from './reportOutage';
import { reportRouted } from './reportRoute';
import {
  applicationPropertiesOf,
  deliveryCountOf,
  messageIdOf,
  messageMetadataOfBatch,
  receivedMessageOf,
} from './triggerMetadata';

export async function routeTrigger(message: unknown, context: InvocationContext): Promise<void> {
  const shared = appContext();
  const applicationProperties = applicationPropertiesOf(context);
  const topic = typeof applicationProperties.topic === 'string' ? applicationProperties.topic : undefined;
  const messageId = messageIdOf(context);
  const enqueuedTimeUtc = ingressEnqueuedTime(context);
  // An outage of Cosmos DB, Blob storage or Service Bus costs time, not the message: see outage.ts.
  const outcome = await rideOutOutage(
    () =>
      routeIngressMessage(routeDependencies(shared, context), {
        body: message,
        contentType:
          typeof context.triggerMetadata?.contentType === 'string'
            ? context.triggerMetadata.contentType
            : null,
        applicationProperties,
        ...(messageId !== undefined ? { messageId } : {}),
        ...(enqueuedTimeUtc !== undefined ? { enqueuedTimeUtc } : {}),
      }),
    {
      postponements: postponementsOf(applicationProperties),
      postpone: (postponement, at) =>
        shared.bus.scheduleMessage(
          QUEUES.ingress,
          postponedCopy(receivedMessageOf(message, context), postponement),
          at,
        ),
      onOutage: outageLogger(context, topic ? { topic } : {}),
    },
  ).catch((error: unknown) => keepRouteFailure(context, messageId, error));
  if (outcome.kind === 'postponed') reportPostponed(context, topic ? { topic } : {}, outcome);
  else reportRouted(context, outcome.result);
}

/**
 * Keeps the error route threw on a message (not an outage: that is ridden out) where it outlives
 * the invocation, then throws it on: if Service Bus ends up dead-lettering the message, reconcile
 * puts the cause into its ingress dead letter. Failing to keep it must not hide the error.
 */
async function keepRouteFailure(
  context: InvocationContext,
  messageId: string | undefined,
  error: unknown,
): Promise<never> {
  if (messageId !== undefined && !unavailableDependency(error)) {
    await appContext()
      .routeFailures.record({
        messageId,
        at: new Date().toISOString(),
        deliveryCount: deliveryCountOf(context) ?? 0,
        error: errorMessage(error),
      })
      .catch((recordError: unknown) =>
        log('warn', `could not keep route's error: ${errorMessage(recordError)}`, { messageId }, context),
      );
  }
  throw error;
}

export async function deliverTrigger(body: unknown, context: InvocationContext): Promise<void> {
  const message = parseDeliveryMessage(body);
  const shared = appContext();
  const postponements = postponementsOf(applicationPropertiesOf(context));
  const properties = {
    eventKey: message.eventKey,
    topic: message.topic,
    subscription: message.subscription,
    deliveryId: message.deliveryId,
    attempt: message.attempt,
  };
  // The destination's answer, once there is one: a run after an outage records it instead of
  // calling the destination again, and waits longer for the dependency (outage.ts).
  let answered: AnsweredAttempt | undefined;
  let answeredAtMs: number | undefined;
  try {
    // A dependency outage is no delivery attempt: the attempt runs again later (outage.ts).
    const outcome = await rideOutOutage(
      (rerun) =>
        deliverAttempt(
          {
            ...deliverDependencies(shared, context),
            // A run before this one (in this invocation or a postponed original) may have done
            // part of the attempt: read the record first.
            ...(rerun || postponements > 0 ? { firstReceipt: false } : {}),
            ...(answered ? { answered } : {}),
            onAnswered: (attempt) => {
              answered = attempt;
              answeredAtMs = Date.now();
            },
          },
          message,
        ),
      {
        retryDelaysMs: () => deliverRetryDelaysMs(answeredAtMs, Date.now()),
        postponements,
        postpone: (postponement, at) =>
          shared.bus.scheduleMessage(
            QUEUES.deliveries,
            postponedCopy(receivedMessageOf(body, context), postponement),
            at,
          ),
        onOutage: outageLogger(context, properties),
      },
    );
    if (outcome.kind === 'postponed') reportPostponed(context, properties, outcome);
    else reportDelivery(context, message, outcome.result);
  } catch (error) {
    // Kept on the delivery record, so the cause outlives the invocation: if Service Bus ends up
    // dead-lettering the message, the reconcile function reads it from there.
    if (!unavailableDependency(error)) {
      await shared.deliveries
        .recordInvocationFailure(message, {
          at: new Date().toISOString(),
          attempt: message.attempt,
          deliveryCount: deliveryCountOf(context) ?? 0,
          error: error instanceof Error ? error.message : String(error),
        })
        .catch((recordError: unknown) =>
          log(
            'warn',
            `could not record the failure on the delivery: ${recordError instanceof Error ? recordError.message : String(recordError)}`,
            properties,
            context,
          ),
        );
    }
    throw error;
  }
}

type MessageHandler = (message: unknown, context: InvocationContext) => Promise<void>;
type PipelineQueue = 'ingress' | 'deliveries';

/** route with cardinality `many`: routeTrigger for each message, outcomes per message (batch.ts). */
export const routeBatchTrigger = batchTrigger('ingress', routeTrigger);
/** deliver with cardinality `many`: deliverTrigger for each message, outcomes per message (batch.ts). */
export const deliverBatchTrigger = batchTrigger('deliveries', deliverTrigger);

function batchTrigger(queue: PipelineQueue, perMessage: MessageHandler): MessageHandler {
  return async (batch, context) => {
    // The host passes an array; anything else is taken as a batch of one.
    const bodies: unknown[] = Array.isArray(batch) ? batch : [batch];
    const items = bodies.map((body, index) => ({ body, context: messageContext(context, index) }));
    const report = await processBatch(items, {
      process: (item) => traceMessage(item.context, QUEUES[queue], () => perMessage(item.body, item.context)),
      failed: (item, error) => sendFailedMessageOnItsPath(queue, item.body, item.context, error),
    });
    if (report.failed > 0) {
      log('warn', `${report.failed} of ${items.length} messages failed and went their own way`, {}, context);
    }
  };
}

/**
 * The invocation as message `index` of the batch sees it: the same invocation id, function and
 * log, with that message's trigger metadata in the single-message shape the handlers read.
 */
function messageContext(batch: InvocationContext, index: number): InvocationContext {
  const triggerMetadata = messageMetadataOfBatch(batch.triggerMetadata, index, (single) =>
    processingFailuresOf(applicationPropertiesOf({ triggerMetadata: single })),
  );
  return new InvocationContext({
    invocationId: batch.invocationId,
    functionName: batch.functionName,
    triggerMetadata,
    options: batch.options,
    ...(batch.traceContext ? { traceContext: batch.traceContext } : {}),
    logHandler: (level: LogLevel, ...args: unknown[]) => logTo(batch, level, args),
  });
}

function logTo(context: InvocationContext, level: LogLevel, args: unknown[]): void {
  if (level === 'trace') context.trace(...args);
  else if (level === 'debug') context.debug(...args);
  else if (level === 'information') context.info(...args);
  else if (level === 'warning') context.warn(...args);
  else if (level === 'error' || level === 'critical') context.error(...args);
}

/**
 * A message whose step failed for another reason than an outage, the way Service Bus and the
 * reconcile timer would treat it alone: redelivered at once (a copy with its failure count)
 * until MAX_PROCESSING_FAILURES, then made a product dead letter as reconcile makes one of a
 * native dead letter. A message reconcile could not read either (no delivery message: a bug or a
 * stranger's message) cannot be put in the native dead-letter sub-queue without settling it on
 * its own, which a batch cannot do: it is logged as an error with its cause and dropped (docs/
 * performance.md). Throws only if its path is down, so the batch comes back.
 */
async function sendFailedMessageOnItsPath(
  queue: PipelineQueue,
  body: unknown,
  context: InvocationContext,
  error: unknown,
): Promise<void> {
  const shared = appContext();
  const received = receivedMessageOf(body, context);
  const decision = decideAfterFailure(
    received.messageId,
    processingFailuresOf(received.applicationProperties),
  );
  const cause = errorMessage(error);
  const messageId = received.messageId ?? '(none)';
  if (decision.kind === 'redeliver') {
    log(
      'warn',
      `${queue} message ${messageId} failed (${cause}): redelivered, failure ${decision.failures} of ${MAX_PROCESSING_FAILURES}`,
      {},
      context,
    );
    await shared.bus.scheduleMessage(
      QUEUES[queue],
      copyOf(received, decision.messageId, { [PROCESSING_FAILURES_PROPERTY]: decision.failures }),
      new Date(),
    );
    return;
  }
  const enqueued = context.triggerMetadata?.enqueuedTimeUtc;
  const enqueuedTimeUtc = typeof enqueued === 'string' ? new Date(enqueued) : undefined;
  const deadLetter: NativeDeadLetter = {
    ...received,
    deadLetterReason: 'MaxDeliveryCountExceeded',
    deadLetterErrorDescription: cause,
    ...(enqueuedTimeUtc && !Number.isNaN(enqueuedTimeUtc.getTime()) ? { enqueuedTimeUtc } : {}),
    deliveryCount: deliveryCountOf(context) ?? decision.failures,
    applicationProperties: { ...received.applicationProperties },
  };
  const dependencies = reconcileDependencies(shared);
  const disposition =
    queue === 'ingress'
      ? await reconcileIngressPoison(dependencies, deadLetter)
      : await reconcileDeliveryPoison(dependencies, deadLetter);
  log(
    'error',
    `${queue} message ${messageId} failed ${decision.failures} times (${cause}): ${disposition === 'handled' ? 'dead-lettered' : 'no message reconcile can read either: dropped'}`,
    {},
    context,
  );
}

export async function reconcileTrigger(_timer: unknown, context: InvocationContext): Promise<void> {
  const shared = appContext();
  const report = await reconcileOnce(reconcileDependencies(shared), {
    graceMs: shared.settings.reconcileGraceSeconds * 1000,
  });
  const moved =
    report.ingress.handled +
    report.deliveries.handled +
    report.deadletters.handled +
    report.overdueRetries.reenqueued +
    report.overdueRetries.deadLettered;
  const troubled =
    report.ingress.failed +
    report.deliveries.failed +
    report.deadletters.failed +
    report.overdueRetries.failed +
    report.ingress.left +
    report.deliveries.left +
    report.deadletters.left;
  if (moved > 0 || troubled > 0) {
    log(troubled > 0 ? 'warn' : 'info', `reconciled: ${JSON.stringify(report)}`, {}, context);
  }
}
