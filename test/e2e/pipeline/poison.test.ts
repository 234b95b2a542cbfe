import { ServiceBusClient } from '@azure/service-bus';
import { BlobServiceClient } from '@azure/storage-blob';
import Long from 'long';
import { PAYLOAD_BLOB_CONTAINER } from '../../../shared/config/names';
import { waitFor } from '../../support/wait';
import { type Pipeline, startPipeline } from './harness';

/** An ingress message Service Bus dead-letters on its own: it expires before route can take it. */
const EXPIRED_EVENT = { specversion: '1.0', id: 'expired-1', source: '/poison', type: 'test.poison' };

interface IngressDeadLetterBody {
  stage: string;
  topic: string;
  reason: string;
  description: string;
  original?: { messageId?: string };
}

describe('messages Service Bus dead-letters natively are reconciled into the product record', () => {
  let pipeline: Pipeline;
  beforeAll(async () => {
    pipeline = await startPipeline({
      settings: { SWITCHYARD_RECONCILE_SCHEDULE: '*/2 * * * * *' },
      beforeHost: async (connectionString) => {
        const client = new ServiceBusClient(connectionString);
        try {
          const sender = client.createSender('ingress');
          await sender.sendMessages({
            body: Buffer.from(JSON.stringify(EXPIRED_EVENT)),
            messageId: 'expired-message-1',
            contentType: 'application/cloudevents+json',
            applicationProperties: { topic: 'poison' },
            timeToLive: 1,
          });
          await sender.close();
        } finally {
          await client.close();
        }
      },
    });
  }, 120_000);
  afterAll(async () => {
    await pipeline?.stop();
  });

  async function ingressDeadLetters(): Promise<IngressDeadLetterBody[]> {
    const receiver = await pipeline.serviceBusClient.acceptSession('deadletters', '$ingress');
    try {
      const messages = await receiver.peekMessages(100, { fromSequenceNumber: Long.ZERO });
      return messages.map((message) => message.body as IngressDeadLetterBody);
    } finally {
      await receiver.close();
    }
  }

  async function nativeDeadLetterCount(queue: string): Promise<number> {
    const receiver = pipeline.serviceBusClient.createReceiver(queue, { subQueueType: 'deadLetter' });
    try {
      return (await receiver.peekMessages(100, { fromSequenceNumber: Long.ZERO })).length;
    } finally {
      await receiver.close();
    }
  }

  it('a delivery whose claim-check payload vanished ends deadLettered with the cause, not retrying', async () => {
    await pipeline.createWebhookSubscription('vanish', 'hook', '/vanish', {
      retryPolicy: { maxDeliveryAttempts: 5, eventTimeToLiveInMinutes: 60, schedule: [5] },
    });
    // The first attempt fails, so the second is scheduled; the payload is gone by then.
    pipeline.receiver.respond('/vanish', [503]);
    const large = 'x'.repeat(200 * 1024);
    const eventKey = await pipeline.publish('vanish', {
      id: 'big-1',
      source: '/poison',
      type: 't',
      data: { large },
    });
    await waitFor('the first attempt', () => pipeline.receiver.received('/vanish').length >= 1, {
      timeoutMs: 60_000,
    });
    const container = BlobServiceClient.fromConnectionString(
      pipeline.azurite.connectionString,
    ).getContainerClient(PAYLOAD_BLOB_CONTAINER);
    for await (const blob of container.listBlobsFlat()) await container.deleteBlob(blob.name);

    const delivery = await waitFor(
      'the delivery dead-lettered',
      async () => {
        const [found] = (await pipeline.eventStatus(eventKey)).deliveries;
        return found?.status === 'deadLettered' ? found : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );
    // deliver refuses a claim check it cannot follow with the reason, at once (before the claim
    // checks were bound to their event it threw until Service Bus dead-lettered the message, and
    // the reconcile function turned that into ProcessingFailed: shared/pipeline/reconcile.ts).
    expect(delivery.deadLetter?.reason).toBe('InvalidClaimCheck');
    expect(delivery.deadLetter?.description).toMatch(/no stored payload/);
    expect(delivery.attempts[0]?.n).toBe(1);
    // Visible where a user looks for dead letters, and no longer poison in Service Bus.
    const deadLetters = await pipeline.api('GET', '/topics/vanish/subscriptions/hook/deadletters');
    expect(deadLetters.json.items).toEqual([expect.objectContaining({ eventKey, status: 'deadLettered' })]);
    expect(deadLetters.json.poison).toEqual([]);
    expect(await nativeDeadLetterCount('deliveries')).toBe(0);
  }, 240_000);

  it('an ingress message dead-lettered by Service Bus appears in the ingress dead letters and is redriven', async () => {
    await pipeline.createWebhookSubscription('poison', 'hook', '/poison');
    const deadLetter = await waitFor(
      'the expired message in the ingress dead letters',
      async () =>
        (await ingressDeadLetters()).find((body) => body.original?.messageId === 'expired-message-1'),
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    expect(deadLetter).toMatchObject({ stage: 'ingress', topic: 'poison', reason: 'TTLExpiredException' });
    expect(await nativeDeadLetterCount('ingress')).toBe(0);

    const redrive = await pipeline.api('POST', '/ingress/deadletters/redrive', {});
    expect(redrive.status).toBe(202);
    expect(redrive.json).toEqual({ redriven: 1, kept: 0 });
    await waitFor('the redriven event delivered', () => pipeline.receiver.received('/poison').length === 1, {
      timeoutMs: 60_000,
    });
    expect(JSON.parse(pipeline.receiver.received('/poison')[0]!.body)).toMatchObject({ id: 'expired-1' });
    expect(await ingressDeadLetters()).toEqual([]);
  }, 180_000);

  it('an ingress message route fails on every time shows the error in the ingress dead letters', async () => {
    // A subscription record no API call writes (its filter is null): route throws on every event
    // of the topic, as it would on a bug. Not an outage, so Service Bus dead-letters the message.
    await pipeline.cosmos.database.container('subscriptions').items.create({
      id: 'corrupt',
      name: 'corrupt',
      topic: 'broken',
      status: 'active',
      filter: null,
    });
    const eventKey = await pipeline.publish('broken', { id: 'broken-1', source: '/poison', type: 't' });
    const deadLetter = await waitFor(
      'the message in GET /ingress/deadletters',
      async () => {
        const listing = await pipeline.api('GET', '/ingress/deadletters');
        const items = (listing.json?.items ?? []) as Array<{
          messageId?: string;
          reason: string;
          description: string;
        }>;
        return items.find((item) => item.messageId === eventKey);
      },
      { timeoutMs: 120_000, intervalMs: 1_000 },
    );
    expect(deadLetter.reason).toBe('MaxDeliveryCountExceeded');
    // The cause, which Service Bus does not keep: the error route threw, kept by the route trigger.
    expect(deadLetter.description).toMatch(/last error \(delivery \d+, [^)]+\): .*includedEventTypes/);
    expect(await nativeDeadLetterCount('ingress')).toBe(0);
  }, 180_000);

  it('ingress redrive refuses a malformed body naming the field', async () => {
    const response = await pipeline.api('POST', '/ingress/deadletters/redrive', { max: 0 });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(JSON.stringify(response.json.errors)).toContain('max');
  });
});
