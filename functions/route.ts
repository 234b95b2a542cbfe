import { app, type InvocationContext } from '@azure/functions';
import { appContext } from '../shared/app/context';
import { routeDependencies } from '../shared/app/dependencies';
import { QUEUES, SETTINGS } from '../shared/config/names';
import { applicationPropertiesOf } from '../shared/app/triggerMetadata';
import { routeIngressMessage } from '../shared/pipeline/route';

export async function route(message: unknown, context: InvocationContext): Promise<void> {
  const applicationProperties = applicationPropertiesOf(context);
  const result = await routeIngressMessage(routeDependencies(appContext()), {
    body: message,
    contentType:
      typeof context.triggerMetadata?.contentType === 'string' ? context.triggerMetadata.contentType : null,
    applicationProperties,
  });
  if (result.kind === 'rejected') {
    context.warn(`ingress message rejected (${result.reason}): ${result.description}`);
  } else {
    context.log(
      `routed event ${result.eventKey} on ${result.topic} to ${result.matched.length} subscription(s)`,
    );
  }
}

app.serviceBusQueue('route', {
  connection: SETTINGS.serviceBusConnection,
  queueName: QUEUES.ingress,
  handler: route,
});
