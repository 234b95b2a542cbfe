import { app } from '@azure/functions';
import { deliverBatchTrigger, deliverTrigger } from '../shared/app/pipelineTriggers';
import { QUEUES, SETTINGS } from '../shared/config/names';
import { pipelineTriggerCardinality } from '../shared/config/settings';

app.serviceBusQueue('deliver', {
  connection: SETTINGS.serviceBusConnection,
  queueName: QUEUES.deliveries,
  ...(pipelineTriggerCardinality() === 'many'
    ? { cardinality: 'many', handler: deliverBatchTrigger }
    : { handler: deliverTrigger }),
});
