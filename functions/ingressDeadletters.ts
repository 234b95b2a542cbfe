import { app, type HttpRequest, type InvocationContext } from '@azure/functions';
import { appContext } from '../shared/app/context';
import { ingressDeadLetterDependencies } from '../shared/app/dependencies';
import { respond } from '../shared/app/http';
import { listIngressDeadLetters } from '../shared/management/ingressDeadLetters';
import { parsePageQuery } from '../shared/management/paging';

export async function ingressDeadletters(request: HttpRequest, context: InvocationContext) {
  return respond(context, () =>
    listIngressDeadLetters(ingressDeadLetterDependencies(appContext()), {
      page: parsePageQuery(request.query),
    }),
  );
}

app.http('ingressDeadletters', {
  methods: ['GET'],
  route: 'ingress/deadletters',
  authLevel: 'function',
  handler: ingressDeadletters,
});
