import { app, type HttpRequest, type InvocationContext } from '@azure/functions';
import { appContext } from '../shared/app/context';
import { respond, waitingFor } from '../shared/app/http';
import { getEventStatus } from '../shared/management/events';

export async function eventStatus(request: HttpRequest, context: InvocationContext) {
  return respond(context, waitingFor('Cosmos DB', async () => {
    const { events, deliveries } = appContext();
    return getEventStatus(
      { getEvent: (key) => events.get(key), listDeliveries: (key) => deliveries.listForEvent(key) },
      request.params.eventKey,
    );
  }));
}

app.http('eventStatus', {
  methods: ['GET'],
  route: 'events/{eventKey}',
  authLevel: 'function',
  handler: eventStatus,
});
