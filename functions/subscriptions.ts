import { app } from '@azure/functions';
import { requires } from '../shared/app/access';
import { listTopicSubscriptions } from '../shared/app/httpApi';

app.get('subscriptions', {
  route: 'topics/{topic}/subscriptions',
  ...requires('subscriptions.read', listTopicSubscriptions),
});
