import { Webhook } from 'standardwebhooks';
import { waitFor } from '../../support/wait';
import { type Pipeline, startPipeline } from './harness';

describe('publish -> route -> deliver through the dev host', () => {
  let pipeline: Pipeline;
  beforeAll(async () => {
    pipeline = await startPipeline();
  }, 120_000);
  afterAll(async () => {
    await pipeline?.stop();
  });

  it('delivers a matching event to the webhook, signed per Standard Webhooks, and records it', async () => {
    const { signingSecret } = await pipeline.createWebhookSubscription('orders', 'signed', '/signed', {
      filter: { includedEventTypes: ['order.created'] },
    });
    const eventKey = await pipeline.publish('orders', {
      id: 'order-1',
      source: '/shop',
      type: 'order.created',
      subject: '/orders/1',
      data: { total: 42 },
    });

    const [request] = await waitFor('the webhook to receive the event', () => {
      const got = pipeline.receiver.received('/signed');
      return got.length > 0 && got;
    });
    expect(request).toBeDefined();
    if (!request) return;
    const body = JSON.parse(request.body) as Record<string, unknown>;
    expect(body).toMatchObject({
      specversion: '1.0',
      id: 'order-1',
      source: '/shop',
      type: 'order.created',
      data: { total: 42 },
    });
    expect(request.headers['content-type']).toContain('application/cloudevents+json');
    expect(request.headers['user-agent']).toMatch(/Switchyard/);
    const headers = {
      'webhook-id': String(request.headers['webhook-id']),
      'webhook-timestamp': String(request.headers['webhook-timestamp']),
      'webhook-signature': String(request.headers['webhook-signature']),
    };
    expect(() => new Webhook(signingSecret).verify(request.body, headers)).not.toThrow();

    const status = await waitFor('the delivery to be recorded as succeeded', async () => {
      const current = await pipeline.eventStatus(eventKey);
      return current.deliveries[0]?.status === 'succeeded' && current;
    });
    expect(status.deliveries).toHaveLength(1);
    expect(status.deliveries[0]?.attempts).toEqual([
      expect.objectContaining({ n: 1, outcome: 'succeeded', httpStatus: 200 }),
    ]);
  });

  it('does not deliver an event that matches no filter, and says so in its status', async () => {
    await pipeline.createWebhookSubscription('filtered', 'only-created', '/only-created', {
      filter: { includedEventTypes: ['order.created'] },
    });
    const eventKey = await pipeline.publish('filtered', {
      id: 'x-1',
      source: '/shop',
      type: 'order.cancelled',
    });
    const status = await waitFor('the event to be routed', async () => {
      const response = await pipeline.api('GET', `/events/${eventKey}`);
      return response.status === 200 && (response.json as { matchedSubscriptions: string[] });
    });
    expect(status.matchedSubscriptions).toEqual([]);
    expect(pipeline.receiver.received('/only-created')).toHaveLength(0);
  });
});
