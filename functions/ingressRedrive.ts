import { app, type HttpRequest, type InvocationContext } from '@azure/functions';
import { appContext } from '../shared/app/context';
import { ingressDeadLetterDependencies } from '../shared/app/dependencies';
import { jsonBody, respond } from '../shared/app/http';
import { redriveIngressDeadLetters } from '../shared/management/ingressDeadletters';

export async function ingressRedrive(request: HttpRequest, context: InvocationContext) {
  return respond(context, async () =>
    redriveIngressDeadLetters(ingressDeadLetterDependencies(appContext()), { body: await jsonBody(request) }),
  );
}

app.http('ingressRedrive', {
  methods: ['POST'],
  route: 'ingress/deadletters/redrive',
  authLevel: 'function',
  handler: ingressRedrive,
});
