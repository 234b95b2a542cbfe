import { app, type HttpRequest, type InvocationContext } from '@azure/functions';
import { appContext } from '../shared/app/context';
import { deadLetterDependencies } from '../shared/app/dependencies';
import { respond } from '../shared/app/http';
import { listDeadLetters } from '../shared/management/deadletters';
import { parsePageQuery } from '../shared/management/paging';

export async function deadletters(request: HttpRequest, context: InvocationContext) {
  return respond(context, () =>
    listDeadLetters(deadLetterDependencies(appContext()), {
      topic: request.params.topic,
      name: request.params.name,
      page: parsePageQuery(request.query),
      tokens: appContext().continuationTokens,
    }),
  );
}

app.http('deadletters', {
  methods: ['GET'],
  route: 'topics/{topic}/subscriptions/{name}/deadletters',
  authLevel: 'function',
  handler: deadletters,
});
