import { app, type HttpRequest, type InvocationContext } from '@azure/functions';
import { appContext } from '../shared/app/context';
import { respond } from '../shared/app/http';
import { QUEUES } from '../shared/config/names';
import { checkHealth } from '../shared/management/health';

export async function health(_request: HttpRequest, context: InvocationContext) {
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

app.http('health', { methods: ['GET'], route: 'health', authLevel: 'anonymous', handler: health });
