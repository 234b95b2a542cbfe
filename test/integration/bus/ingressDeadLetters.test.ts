import { randomBytes } from 'node:crypto';
import { ServiceBusClient } from '@azure/service-bus';
import { start, type EmulatorHandle } from '../../../local/servicebus-emulator';
import type { AppContext } from '../../../shared/app/context';
import { ingressDeadLetterDependencies } from '../../../shared/app/dependencies';
import { QUEUES } from '../../../shared/config/names';
import { ProblemError } from '../../../shared/http/problem';
import { listIngressDeadLetters } from '../../../shared/management/ingressDeadLetters';
import { continuationTokens } from '../../../shared/management/paging';
import { rejectedIngressMessage } from '../../../shared/pipeline/rejectedIngress';

const tokens = continuationTokens(async () => randomBytes(32));
let emulator: EmulatorHandle;
let client: ServiceBusClient;

beforeAll(async () => {
  emulator = await start({
    port: 0,
    httpPort: 0,
    config: {
      UserConfig: {
        Namespaces: [
          {
            Name: 'sbemulatorns',
            Queues: [
              { Name: QUEUES.deliveries },
              { Name: QUEUES.deadletters, Properties: { RequiresSession: true } },
            ],
          },
        ],
      },
    },
  });
  client = new ServiceBusClient(emulator.connectionString);
  const sender = client.createSender(QUEUES.deadletters);
  try {
    for (let n = 1; n <= 5; n += 1) {
      await sender.sendMessages(
        rejectedIngressMessage(
          { reason: 'InvalidEvent', description: `message ${n}` },
          { body: '{}', applicationProperties: { topic: 'orders' }, messageId: `m-${n}` },
          new Date(),
        ),
      );
      // Another subscription's dead letter between them: the session's sequence numbers have gaps.
      await sender.sendMessages({ body: { n }, sessionId: 'orders/hook' });
    }
  } finally {
    await sender.close();
  }
});

afterAll(async () => {
  await client?.close();
  await emulator?.close();
});

/** Only the Service Bus client of the app context is used by these dependencies. */
function dependencies() {
  return ingressDeadLetterDependencies({ serviceBus: client } as unknown as AppContext);
}

describe('the $ingress session read through the real SDK', () => {
  it('pages through the session with its own sequence numbers, without consuming anything', async () => {
    const seen: string[] = [];
    let continuationToken: string | undefined;
    do {
      const response = await listIngressDeadLetters(dependencies(), {
        page: { maxItems: 2, ...(continuationToken ? { continuationToken } : {}) },
        tokens,
      });
      const body = response.body as { items: Array<{ messageId: string }>; continuationToken?: string };
      seen.push(...body.items.map((item) => item.messageId));
      continuationToken = body.continuationToken;
    } while (continuationToken);
    expect(seen).toEqual(['m-1', 'm-2', 'm-3', 'm-4', 'm-5']);

    const again = await listIngressDeadLetters(dependencies(), { page: {}, tokens });
    expect((again.body as { items: unknown[] }).items).toHaveLength(5);
  });

  it('answers 503 with Retry-After naming Service Bus while another reader holds the session', async () => {
    const holder = await client.acceptSession(QUEUES.deadletters, '$ingress');
    try {
      const error = await listIngressDeadLetters(dependencies(), { page: {}, tokens }).catch(
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(ProblemError);
      expect((error as ProblemError).problem).toMatchObject({
        status: 503,
        detail: expect.stringContaining('Service Bus'),
      });
      expect((error as ProblemError).headers).toEqual({ 'retry-after': '1' });
    } finally {
      await holder.close();
    }
    const after = await listIngressDeadLetters(dependencies(), { page: {}, tokens });
    expect(after.status).toBe(200);
  });
});
