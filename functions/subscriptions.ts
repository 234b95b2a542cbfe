import { app, type HttpRequest, type InvocationContext } from '@azure/functions';
import { appContext } from '../shared/app/context';
import { respond, waitingFor } from '../shared/app/http';
import { parsePageQuery } from '../shared/management/paging';
import { listSubscriptions } from '../shared/management/subscriptions';

export async function subscriptions(request: HttpRequest, context: InvocationContext) {
  return respond(context, waitingFor('Cosmos DB', () =>
    listSubscriptions(appContext().subscriptions, request.params.topic, parsePageQuery(request.query)),
  ));
}

app.http('subscriptions', {
  methods: ['GET'],
  route: 'topics/{topic}/subscriptions',
  authLevel: 'function',
  handler: subscriptions,
});
