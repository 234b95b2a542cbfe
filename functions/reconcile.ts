import { app } from '@azure/functions';
import { reconcileTrigger } from '../shared/app/pipelineTriggers';
import { reconcileSchedule } from '../shared/config/settings';

app.timer('reconcile', {
  schedule: reconcileSchedule(),
  handler: reconcileTrigger,
});
