import { app } from '@azure/functions';
import { requires } from '../shared/app/access';
import { readSubscription, removeSubscription, writeSubscription } from '../shared/app/httpApi';

const route = 'topics/{topic}/subscriptions/{name}';

app.get('getSubscription', { route, ...requires('subscriptions.read', readSubscription) });
app.put('putSubscription', { route, ...requires('subscriptions.write', writeSubscription) });
app.deleteRequest('deleteSubscription', { route, ...requires('subscriptions.write', removeSubscription) });
