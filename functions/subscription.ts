import { app } from '@azure/functions';
import { requires } from '../shared/app/access';
import {
  readSubscription,
  removeSubscription,
  revalidateSubscription,
  rotateSubscriptionSecret,
  writeSubscription,
} from '../shared/app/httpApi';

const route = 'topics/{topic}/subscriptions/{name}';

app.get('getSubscription', { route, ...requires('subscriptions.read', readSubscription) });
app.put('putSubscription', { route, ...requires('subscriptions.write', writeSubscription) });
app.deleteRequest('deleteSubscription', { route, ...requires('subscriptions.write', removeSubscription) });
// A literal colon is fine in a route template's segment (ASP.NET Core routing, and the dev host).
app.post('rotateSubscriptionSecret', {
  route: `${route}/secret:rotate`,
  ...requires('subscriptions.write', rotateSubscriptionSecret),
});
app.post('validateSubscription', {
  route: `${route}/validate`,
  ...requires('subscriptions.write', revalidateSubscription),
});
