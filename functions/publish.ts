import { app, type HttpRequest, type InvocationContext } from '@azure/functions';
import { appContext } from '../shared/app/context';
import { publishDependencies } from '../shared/app/dependencies';
import { respond } from '../shared/app/http';
import { reportPublished } from '../shared/app/reportPublish';
import { json } from '../shared/management/apiResponse';
import { publishEvents } from '../shared/pipeline/publish';

export async function publish(request: HttpRequest, context: InvocationContext) {
  return respond(context, async () => {
    const body = Buffer.from(await request.arrayBuffer());
    const result = await publishEvents(publishDependencies(appContext()), {
      topic: request.params.topic,
      request: { headers: request.headers, body },
    });
    reportPublished(context, request.params.topic ?? '', result.accepted);
    return json(202, result);
  });
}

app.http('publish', {
  methods: ['POST'],
  route: 'topics/{topic}/events',
  authLevel: 'function',
  handler: publish,
});
