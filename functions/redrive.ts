import { app, type HttpRequest, type InvocationContext } from '@azure/functions';
import { appContext } from '../shared/app/context';
import { deadLetterDependencies } from '../shared/app/dependencies';
import { jsonBody, respond } from '../shared/app/http';
import { redriveDeadLetters } from '../shared/management/deadletters';

export async function redrive(request: HttpRequest, context: InvocationContext) {
  return respond(context, async () =>
    redriveDeadLetters(deadLetterDependencies(appContext()), {
      topic: request.params.topic,
      name: request.params.name,
      body: await jsonBody(request),
    }),
  );
}

app.http('redrive', {
  methods: ['POST'],
  route: 'topics/{topic}/subscriptions/{name}/deadletters/redrive',
  authLevel: 'function',
  handler: redrive,
});
