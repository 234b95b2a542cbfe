import { app, type HttpRequest, type InvocationContext } from '@azure/functions';
import { appContext } from '../shared/app/context';
import { jsonBody, respond, waitingFor } from '../shared/app/http';
import { deleteSubscription, getSubscription, putSubscription } from '../shared/management/subscriptions';

export async function subscription(request: HttpRequest, context: InvocationContext) {
  return respond(context, waitingFor('Cosmos DB', async () => {
    const { topic, name } = request.params;
    const app = appContext();
    if (request.method === 'GET') return getSubscription(app.subscriptions, topic, name);
    if (request.method === 'DELETE') {
      const result = await deleteSubscription(
        app.subscriptions,
        topic,
        name,
        request.headers.get('if-match'),
      );
      if (topic) app.subscriptionCache.invalidate(topic);
      return result;
    }
    const result = await putSubscription(app.subscriptions, {
      topic,
      name,
      body: await jsonBody(request),
      ifMatch: request.headers.get('if-match'),
      ifNoneMatch: request.headers.get('if-none-match'),
      now: new Date(),
      checkWebhookTarget: async (endpointUrl) => {
        const check = await app.ssrfGuard.checkHost(new URL(endpointUrl).hostname);
        return !check.ok && check.refused ? check.error : undefined;
      },
    });
    if (topic) app.subscriptionCache.invalidate(topic);
    return result;
  }));
}

app.http('subscription', {
  methods: ['GET', 'PUT', 'DELETE'],
  route: 'topics/{topic}/subscriptions/{name}',
  authLevel: 'function',
  handler: subscription,
});
