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
    const response = await fetch(`${pipeline.host.url}/api/health`);
    expect(response.status).toBe(503);
    expect(await response.json()).toMatchObject({
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
