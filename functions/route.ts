import { app, type InvocationContext } from '@azure/functions';
import { appContext } from '../shared/app/context';
import { routeDependencies } from '../shared/app/dependencies';
import { reportRouted } from '../shared/app/reportRoute';
import { ingressEnqueuedTime } from '../shared/app/journey';
import { applicationPropertiesOf, messageIdOf } from '../shared/app/triggerMetadata';
import { QUEUES, SETTINGS } from '../shared/config/names';
import { routeIngressMessage } from '../shared/pipeline/route';

export async function route(message: unknown, context: InvocationContext): Promise<void> {
  const result = await routeIngressMessage(routeDependencies(appContext(), context), {
    body: message,
    contentType:
      typeof context.triggerMetadata?.contentType === 'string' ? context.triggerMetadata.contentType : null,
    applicationProperties: applicationPropertiesOf(context),
    messageId: messageIdOf(context),
    enqueuedTimeUtc: ingressEnqueuedTime(context),
  });
  reportRouted(context, result);
}

app.serviceBusQueue('route', {
  connection: SETTINGS.serviceBusConnection,
  queueName: QUEUES.ingress,
  handler: route,
});
