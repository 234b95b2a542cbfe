import Long from 'long';
import { apiFetch } from '../../support/apiClient';
import { waitFor } from '../../support/wait';
import { type Pipeline, startPipeline } from './harness';

describe('when Cosmos DB is down', () => {
  let pipeline: Pipeline;
  beforeAll(async () => {
    pipeline = await startPipeline();
    await pipeline.cosmos.close();
  }, 120_000);
  afterAll(async () => {
    await pipeline?.stop();
  });

  it('health answers 503 naming Cosmos DB, and Service Bus as healthy', async () => {
    const response = await apiFetch(`${pipeline.host.url}/api/health`);
    expect(response.status).toBe(503);
    expect(response.json).toMatchObject({
      status: 'unhealthy',
      dependencies: { serviceBus: { status: 'healthy' }, cosmosDb: { status: 'unhealthy' } },
    });
  });

  it('the management API answers 503 with Retry-After, not a 500', async () => {
    const response = await pipeline.api('GET', '/topics/orders/subscriptions/any');
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.json.detail).toContain('Cosmos DB');
  });

  it('publishing still works: events wait in Service Bus', async () => {
    const response = await pipeline.api(
      'POST',
      '/topics/orders/events',
      JSON.stringify({ specversion: '1.0', id: 'during-outage', source: '/test', type: 't' }),
      { 'content-type': 'application/cloudevents+json' },
    );
    expect(response.status).toBe(202);
  });
});

/** Messages in the native dead-letter sub-queues of the pipeline's queues (peeked, not taken). */
async function nativeDeadLetters(pipeline: Pipeline): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const queue of ['ingress', 'deliveries', 'deadletters']) {
    const receiver = pipeline.serviceBusClient.createReceiver(queue, { subQueueType: 'deadLetter' });
    try {
      counts[queue] = (await receiver.peekMessages(1000, { fromSequenceNumber: Long.ZERO })).length;
    } finally {
      await receiver.close();
    }
  }
  return counts;
}

// With batch triggers too: a batch whose messages meet the outage rides it out message by message.
describe.each(['one', 'many'])(
  'when Cosmos DB refuses connections for a while under load (triggers %s)',
  (cardinality) => {
    let pipeline: Pipeline;
    beforeAll(async () => {
      pipeline = await startPipeline({ settings: { SWITCHYARD_PIPELINE_CARDINALITY: cardinality } });
      await pipeline.createWebhookSubscription('outage', 'first', '/first');
      await pipeline.createWebhookSubscription('outage', 'second', '/second');
    }, 120_000);
    afterAll(async () => {
      await pipeline?.stop();
    });

    const deliveredIds = (path: string) =>
      new Set(
        pipeline.receiver.received(path).map((request) => (JSON.parse(request.body) as { id: string }).id),
      );

    it('routes and delivers every accepted event once it is back, with nothing in a native dead-letter queue', async () => {
      const published: string[] = [];
      const keys: string[] = [];
      const publish = async (count: number) => {
        for (let n = 0; n < count; n += 1) {
          const id = `evt-${published.length}`;
          keys.push(await pipeline.publish('outage', { id, source: '/outage', type: 'test.outage' }));
          published.push(id);
        }
      };
      await publish(10);
      await pipeline.cosmos.server.pause();
      // Accepted while Cosmos DB is down: publish needs only Service Bus.
      await publish(30);
      // Until the pipeline has given up retrying within invocations (or, without outage handling,
      // until Service Bus has dead-lettered messages): from here on only postponement saves them.
      await waitFor(
        'a postponed message or a native dead letter',
        async () =>
          pipeline.host.logs().includes('message postponed') ||
          Object.values(await nativeDeadLetters(pipeline)).some((count) => count > 0),
        { timeoutMs: 60_000, intervalMs: 500 },
      );
      await publish(10);
      await pipeline.cosmos.server.resume();

      await waitFor(
        'every event delivered to both subscriptions',
        () => published.every((id) => deliveredIds('/first').has(id) && deliveredIds('/second').has(id)),
        { timeoutMs: 150_000, intervalMs: 500 },
      ).catch(async (error: Error) => {
        const missing = published.filter(
          (id) => !deliveredIds('/first').has(id) || !deliveredIds('/second').has(id),
        );
        throw new Error(
          `${error.message}; ${missing.length} of ${published.length} not delivered; native dead letters: ${JSON.stringify(await nativeDeadLetters(pipeline))}`,
        );
      });
      for (const key of keys) {
        const status = await pipeline.eventStatus(key);
        expect(status.deliveries.map((delivery) => [delivery.subscription, delivery.status]).sort()).toEqual([
          ['first', 'succeeded'],
          ['second', 'succeeded'],
        ]);
      }
      expect(await nativeDeadLetters(pipeline)).toEqual({ ingress: 0, deliveries: 0, deadletters: 0 });
    }, 300_000);
  },
);
