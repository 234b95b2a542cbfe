import { app } from '@azure/functions';
import { deliverTrigger } from '../shared/app/pipelineTriggers';
import { QUEUES, SETTINGS } from '../shared/config/names';

app.serviceBusQueue('deliver', {
  connection: SETTINGS.serviceBusConnection,
  queueName: QUEUES.deliveries,
  handler: deliverTrigger,
});
