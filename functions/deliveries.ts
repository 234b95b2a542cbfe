import { app, type HttpRequest, type InvocationContext } from '@azure/functions';
import { appContext } from '../shared/app/context';
import { respond, waitingFor } from '../shared/app/http';
import { listSubscriptionDeliveries } from '../shared/management/deliveries';
import { parsePageQuery } from '../shared/management/paging';

export async function deliveries(request: HttpRequest, context: InvocationContext) {
  return respond(context, waitingFor('Cosmos DB', async () => {
    const store = appContext().deliveries;
    return listSubscriptionDeliveries(
      (topic, name, options) => store.listForSubscription(topic, name, options),
      {
        topic: request.params.topic,
        name: request.params.name,
        status: request.query.get('status'),
        page: parsePageQuery(request.query),
      },
    );
  }));
}

app.http('deliveries', {
  methods: ['GET'],
  route: 'topics/{topic}/subscriptions/{name}/deliveries',
  authLevel: 'function',
  handler: deliveries,
});
