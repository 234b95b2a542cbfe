import { app } from '@azure/functions';
import { requires } from '../shared/app/access';
import { subscriptionDeliveries } from '../shared/app/httpApi';

app.get('deliveries', {
  route: 'topics/{topic}/subscriptions/{name}/deliveries',
  ...requires('events.read', subscriptionDeliveries),
});
