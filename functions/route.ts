import { app, type InvocationContext } from '@azure/functions';
import { appContext } from '../shared/app/context';
import { routeDependencies } from '../shared/app/dependencies';
import { outageLogger, reportPostponed } from '../shared/app/reportOutage';
import { reportRouted } from '../shared/app/reportRoute';
import { applicationPropertiesOf, receivedMessageOf } from '../shared/app/triggerMetadata';
import { QUEUES, SETTINGS } from '../shared/config/names';
import { postponedCopy, postponementsOf, rideOutOutage } from '../shared/pipeline/outage';
import { routeIngressMessage } from '../shared/pipeline/route';

export async function route(message: unknown, context: InvocationContext): Promise<void> {
  const shared = appContext();
  const applicationProperties = applicationPropertiesOf(context);
  const topic = typeof applicationProperties.topic === 'string' ? applicationProperties.topic : undefined;
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
  );
  if (outcome.kind === 'postponed') reportPostponed(context, topic ? { topic } : {}, outcome);
  else reportRouted(context, outcome.result);
}

app.serviceBusQueue('route', {
  connection: SETTINGS.serviceBusConnection,
  queueName: QUEUES.ingress,
  handler: route,
});
