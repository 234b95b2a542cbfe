/**
 * The Service Bus and timer functions' handlers: route, deliver and reconcile, each riding out
 * dependency outages (shared/pipeline/outage.ts). functions/*.ts only register them.
 */
import type { InvocationContext } from '@azure/functions';
import { QUEUES } from '../config/names';
import { errorMessage } from '../errors/errorMessage';
import { deliverAttempt } from '../pipeline/deliver';
import { postponedCopy, postponementsOf, rideOutOutage } from '../pipeline/outage';
import { parseDeliveryMessage } from '../pipeline/parseDeliveryMessage';
import { reconcile as reconcileOnce } from '../pipeline/reconcile';
import { routeIngressMessage } from '../pipeline/route';
import { log } from '../telemetry';
import { appContext } from './context';
import { deliverDependencies, reconcileDependencies, routeDependencies } from './dependencies';
import { unavailableDependency } from './dependencyOutage';
import { ingressEnqueuedTime } from './journey';
import { reportDelivery } from './reportDelivery';
import { outageLogger, reportPostponed } from './reportOutage';
import { reportRouted } from './reportRoute';
import { applicationPropertiesOf, deliveryCountOf, messageIdOf, receivedMessageOf } from './triggerMetadata';

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
          },
          message,
        ),
      {
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
