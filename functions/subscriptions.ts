import { app, type HttpRequest, type InvocationContext } from '@azure/functions';
import { appContext } from '../shared/app/context';
import { respond } from '../shared/app/http';
import { parsePageQuery } from '../shared/management/paging';
import { listSubscriptions } from '../shared/management/subscriptions';

export async function subscriptions(request: HttpRequest, context: InvocationContext) {
  return respond(context, () =>
    listSubscriptions(
      appContext().subscriptions,
      request.params.topic,
      parsePageQuery(request.query),
      appContext().continuationTokens,
    ),
  );
}

app.http('subscriptions', {
  methods: ['GET'],
  route: 'topics/{topic}/subscriptions',
  authLevel: 'function',
  handler: subscriptions,
});
