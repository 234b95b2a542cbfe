import { app } from '@azure/functions';
import { routeTrigger } from '../shared/app/pipelineTriggers';
import { QUEUES, SETTINGS } from '../shared/config/names';

app.serviceBusQueue('route', {
  connection: SETTINGS.serviceBusConnection,
  queueName: QUEUES.ingress,
  handler: routeTrigger,
});
