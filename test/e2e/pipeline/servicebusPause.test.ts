import { apiFetch } from '../../support/apiClient';
import { PUBLISH_DEPENDENCY_TIMEOUT_MS } from '../../../shared/app/dependencies';
import { waitFor } from '../../support/wait';
import { type Pipeline, startPipeline } from './harness';

/** How much later than the bound the 503 may arrive: process scheduling on a busy machine. */
const SLACK_MS = 5_000;

describe('when Service Bus stops answering (its process paused)', () => {
  let pipeline: Pipeline;
  beforeAll(async () => {
    pipeline = await startPipeline({ serviceBusInChildProcess: true });
    await pipeline.createWebhookSubscription('paused', 'hook', '/paused');
  }, 120_000);
  afterAll(async () => {
    await pipeline?.stop();
  });

  const event = (id: string) =>
    JSON.stringify({ specversion: '1.0', id, source: '/pause', type: 'test.pause' });
  const publish = (id: string) =>
    pipeline.api('POST', '/topics/paused/events', event(id), {
      'content-type': 'application/cloudevents+json',
    });

  it('publish answers 503 with Retry-After naming Service Bus within the bound, and nothing accepted is lost', async () => {
    const accepted = ['before-1', 'before-2', 'before-3'];
    for (const id of accepted) expect((await publish(id)).status).toBe(202);

    pipeline.serviceBus.pause!();
    const started = Date.now();
    const refused = await publish('during-1');
    const waitedMs = Date.now() - started;
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.json.detail).toContain('Service Bus');
    expect(waitedMs).toBeLessThan(PUBLISH_DEPENDENCY_TIMEOUT_MS + SLACK_MS);

    const health = await apiFetch(`${pipeline.host.url}/api/health`);
    expect(health.status).toBe(503);
    expect(health.headers.get('retry-after')).toBe('5');

    pipeline.serviceBus.resume!();
    // The publisher tries again, as Retry-After says, until it is accepted.
    await waitFor('the publish accepted again', async () => (await publish('during-1')).status === 202, {
      timeoutMs: 120_000,
      intervalMs: 1_000,
    });
    accepted.push('during-1');
    expect((await publish('after-1')).status).toBe(202);
    accepted.push('after-1');

    const received = () => pipeline.receiver.received('/paused');
    const deliveredIds = () =>
      new Set(received().map((request) => (JSON.parse(request.body) as { id: string }).id));
    await waitFor('every accepted event delivered', () => accepted.every((id) => deliveredIds().has(id)), {
      timeoutMs: 120_000,
      intervalMs: 500,
    });
    // A send that went through after the 503 and the retry make no second event: duplicates,
    // if any, carry the same webhook-id.
    const webhookIds = new Map<string, Set<string>>();
    for (const request of received()) {
      const id = (JSON.parse(request.body) as { id: string }).id;
      const ids = webhookIds.get(id) ?? new Set<string>();
      ids.add(String(request.headers['webhook-id']));
      webhookIds.set(id, ids);
    }
    for (const ids of webhookIds.values()) expect(ids.size).toBe(1);
  }, 300_000);
});
