/**
 * The HTTP functions' handlers: each reads its request, calls shared/management or the pipeline
 * with the app's dependencies, and answers through respond(). functions/*.ts only register them,
 * each with the permission it needs (shared/app/access.ts).
 */
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { generateApiKey } from '../auth/apiKey';
import { QUEUES } from '../config/names';
import {
  deleteApiKey,
  listApiKeys,
  putApiKey,
  type ApiKeyManagementDependencies,
} from '../management/apiKeys';
import { type ApiResponse, json } from '../management/apiResponse';
import { listDeadLetters, redriveDeadLetters } from '../management/deadletters';
import { listIngressDeadLetters, redriveIngressDeadLetters } from '../management/ingressDeadLetters';
import { listSubscriptionDeliveries } from '../management/deliveries';
import { getEventStatus } from '../management/events';
import { checkHealth } from '../management/health';
import { parsePageQuery } from '../management/paging';
import type { AcceptedEventsView } from '../management/views';
import {
  deleteSubscription,
  getSubscription,
  listSubscriptions,
  putSubscription,
} from '../management/subscriptions';
import { publishEvents } from '../pipeline/publish';
import type { Access } from './access';
import { appContext, type AppContext } from './context';
import { deadLetterDependencies, ingressDeadLetterDependencies, publishDependencies } from './dependencies';
import { jsonBody, respond, waitingFor } from './http';
import { reportPublished } from './reportPublish';

export async function publish(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(context, async () => {
    const body = Buffer.from(await request.arrayBuffer());
    const result = await publishEvents(publishDependencies(appContext()), {
      topic: request.params.topic,
      request: { headers: request.headers, body },
    });
    reportPublished(context, request.params.topic ?? '', result.accepted);
    return json(202, result satisfies AcceptedEventsView);
  });
}

/** GET /api/openapi.json: the OpenAPI 3.1 description of this API (anonymous, like /health). */
export async function openApiDocument(
  _request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  return respond(context, async () => {
    const { servedOpenApi } = await import('../openapi/served');
    return json(200, servedOpenApi, { 'cache-control': 'public, max-age=300' });
  });
}

export async function health(_request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(context, async () => {
    const { database, serviceBus } = appContext();
    return checkHealth([
      {
        name: 'serviceBus',
        // A peek needs a live, authorized link to the namespace and changes nothing.
        check: async () => {
          const receiver = serviceBus.createReceiver(QUEUES.ingress);
          try {
            await receiver.peekMessages(1);
          } finally {
            await receiver.close();
          }
        },
      },
      { name: 'cosmosDb', check: async () => void (await database.read()) },
    ]);
  });
}

export async function listTopicSubscriptions(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  return respond(
    context,
    waitingFor('Cosmos DB', () =>
      listSubscriptions(
        appContext().subscriptions,
        request.params.topic,
        parsePageQuery(request.query),
        appContext().continuationTokens,
      ),
    ),
  );
}

export async function readSubscription(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  return respond(
    context,
    waitingFor('Cosmos DB', () =>
      getSubscription(appContext().subscriptions, request.params.topic, request.params.name),
    ),
  );
}

export async function writeSubscription(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  return changeSubscription(request, context, async (app, topic, name) =>
    putSubscription(app.subscriptions, {
      topic,
      name,
      body: await jsonBody(request),
      ifMatch: request.headers.get('if-match'),
      ifNoneMatch: request.headers.get('if-none-match'),
      now: new Date(),
      checkWebhookTarget: (endpointUrl) => refusedWebhookTarget(app, endpointUrl),
    }),
  );
}

export async function removeSubscription(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  return changeSubscription(request, context, (app, topic, name) =>
    deleteSubscription(app.subscriptions, topic, name, request.headers.get('if-match')),
  );
}

/**
 * A subscription write: at most HTTP_DEPENDENCY_TIMEOUT_MS for Cosmos DB, then this instance's
 * cache of the topic is dropped so its next delivery sees the change at once.
 */
async function changeSubscription(
  request: HttpRequest,
  context: InvocationContext,
  change: (app: AppContext, topic: string | undefined, name: string | undefined) => Promise<ApiResponse>,
): Promise<HttpResponseInit> {
  return respond(
    context,
    waitingFor('Cosmos DB', async () => {
      const app = appContext();
      const { topic, name } = request.params;
      const result = await change(app, topic, name);
      if (topic) app.subscriptionCache.invalidate(topic);
      return result;
    }),
  );
}

/** Why the SSRF guard refuses a webhook's host, or undefined when it may be used. */
async function refusedWebhookTarget(app: AppContext, endpointUrl: string): Promise<string | undefined> {
  const check = await app.ssrfGuard.checkHost(new URL(endpointUrl).hostname);
  return !check.ok && check.refused ? check.error : undefined;
}

export async function eventStatus(
  request: HttpRequest,
  context: InvocationContext,
  access: Access,
): Promise<HttpResponseInit> {
  return respond(
    context,
    waitingFor('Cosmos DB', () => {
      const { events, deliveries } = appContext();
      return getEventStatus(
        {
          getEvent: (key) => events.get(key),
          listDeliveries: (key) => deliveries.listForEvent(key),
          requireTopic: (topic) => access.requireTopic(topic),
        },
        request.params.eventKey,
      );
    }),
  );
}

export async function subscriptionDeliveries(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  return respond(
    context,
    waitingFor('Cosmos DB', () => {
      const store = appContext().deliveries;
      return listSubscriptionDeliveries(
        (topic, name, options) => store.listForSubscription(topic, name, options),
        {
          topic: request.params.topic,
          name: request.params.name,
          status: request.query.get('status'),
          page: parsePageQuery(request.query),
          tokens: appContext().continuationTokens,
        },
      );
    }),
  );
}

export async function deadletters(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  return respond(context, () =>
    listDeadLetters(deadLetterDependencies(appContext()), {
      topic: request.params.topic,
      name: request.params.name,
      page: parsePageQuery(request.query),
      tokens: appContext().continuationTokens,
    }),
  );
}

export async function redrive(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(context, async () =>
    redriveDeadLetters(deadLetterDependencies(appContext()), {
      topic: request.params.topic,
      name: request.params.name,
      body: await jsonBody(request),
    }),
  );
}

export async function ingressDeadletters(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  return respond(context, () =>
    listIngressDeadLetters(ingressDeadLetterDependencies(appContext()), {
      page: parsePageQuery(request.query),
      tokens: appContext().continuationTokens,
    }),
  );
}

export async function ingressRedrive(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  return respond(context, async () =>
    redriveIngressDeadLetters(ingressDeadLetterDependencies(appContext()), { body: await jsonBody(request) }),
  );
}

function keyManagement(): ApiKeyManagementDependencies {
  const app = appContext();
  return {
    keys: app.apiKeys,
    forget: (name) => app.apiKeyCache.forget(name),
    generateKey: generateApiKey,
    now: () => new Date(),
  };
}

export async function putKey(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(context, async () =>
    putApiKey(keyManagement(), { name: request.params.name, body: await jsonBody(request) }),
  );
}

export async function listKeys(_request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(context, () => listApiKeys(keyManagement()));
}

export async function deleteKey(request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> {
  return respond(context, () => deleteApiKey(keyManagement(), request.params.name));
}
