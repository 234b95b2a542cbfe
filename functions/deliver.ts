import { app, type InvocationContext } from '@azure/functions';
import { appContext } from '../shared/app/context';
import { deliverDependencies } from '../shared/app/dependencies';
import { reportDelivery } from '../shared/app/reportDelivery';
import { QUEUES, SETTINGS } from '../shared/config/names';
import { deliverAttempt } from '../shared/pipeline/deliver';
import { parseDeliveryMessage } from '../shared/pipeline/parseDeliveryMessage';

export async function deliver(body: unknown, context: InvocationContext): Promise<void> {
  const message = parseDeliveryMessage(body);
  const result = await deliverAttempt(deliverDependencies(appContext(), context), message);
  reportDelivery(context, message, result);
}

app.serviceBusQueue('deliver', {
  connection: SETTINGS.serviceBusConnection,
  queueName: QUEUES.deliveries,
  handler: deliver,
});
