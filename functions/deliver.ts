import { app, type InvocationContext } from '@azure/functions';
import { appContext } from '../shared/app/context';
import { deliverDependencies } from '../shared/app/dependencies';
import { unavailableDependency } from '../shared/app/dependencyOutage';
import { reportDelivery } from '../shared/app/reportDelivery';
import { outageLogger, reportPostponed } from '../shared/app/reportOutage';
import { applicationPropertiesOf, deliveryCountOf, receivedMessageOf } from '../shared/app/triggerMetadata';
import { QUEUES, SETTINGS } from '../shared/config/names';
import { log } from '../shared/telemetry';
import { deliverAttempt } from '../shared/pipeline/deliver';
import { postponedCopy, postponementsOf, rideOutOutage } from '../shared/pipeline/outage';
import { parseDeliveryMessage } from '../shared/pipeline/parseDeliveryMessage';

export async function deliver(body: unknown, context: InvocationContext): Promise<void> {
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

app.serviceBusQueue('deliver', {
  connection: SETTINGS.serviceBusConnection,
  queueName: QUEUES.deliveries,
  handler: deliver,
});
