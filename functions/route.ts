import { app } from '@azure/functions';
import { routeBatchTrigger, routeTrigger } from '../shared/app/pipelineTriggers';
import { QUEUES, SETTINGS } from '../shared/config/names';
import { pipelineTriggerCardinality } from '../shared/config/settings';

app.serviceBusQueue('route', {
  connection: SETTINGS.serviceBusConnection,
  queueName: QUEUES.ingress,
  ...(pipelineTriggerCardinality() === 'many'
    ? { cardinality: 'many', handler: routeBatchTrigger }
    : { handler: routeTrigger }),
});
