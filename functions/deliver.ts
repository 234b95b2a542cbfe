import { app, type InvocationContext } from '@azure/functions';
import { appContext } from '../shared/app/context';
import { deliverDependencies } from '../shared/app/dependencies';
import { QUEUES, SETTINGS } from '../shared/config/names';
import { deliverAttempt } from '../shared/pipeline/deliver';
import { parseDeliveryMessage } from '../shared/pipeline/parseDeliveryMessage';

export async function deliver(body: unknown, context: InvocationContext): Promise<void> {
  const message = parseDeliveryMessage(body);
  const result = await deliverAttempt(deliverDependencies(appContext()), message);
  const subject = `delivery ${message.deliveryId} (event ${message.eventKey} -> ${message.topic}/${message.subscription}) attempt ${message.attempt}`;
  if (result.kind === 'alreadyProcessed') {
    context.log(`${subject} was already recorded (${result.status}); nothing to do`);
    return;
  }
  const { decision, attempt } = result;
  const outcome = `${attempt.httpStatus ?? ''} ${attempt.durationMs} ms`.trim();
  if (decision.kind === 'succeeded') context.log(`${subject} succeeded (${outcome})`);
  else if (decision.kind === 'retry')
    context.warn(`${subject} failed (${attempt.error}); next attempt at ${decision.at.toISOString()}`);
  else context.warn(`${subject} dead-lettered: ${decision.reason}: ${decision.description}`);
}

app.serviceBusQueue('deliver', {
  connection: SETTINGS.serviceBusConnection,
  queueName: QUEUES.deliveries,
  handler: deliver,
});
