import { Webhook } from 'standardwebhooks';
import { eventKey } from '../../../shared/events/eventKey';
import { waitFor } from '../../support/wait';
import { type Pipeline, startPipeline } from './harness';

const ORIGIN = 'e2e.switchyard.test';

interface SystemCloudEvent {
  id: string;
  source: string;
  type: string;
  subject: string;
  data: Record<string, unknown> & { topic: string; subscription: string };
}

/** Secret rotation, the validation handshake and system events (issue #15), through the dev host. */
describe('subscription trust: handshake, secret rotation, system events', () => {
  let pipeline: Pipeline;

  /** The system events the webhook subscriber of switchyard.system received so far. */
  const systemEvents = (): SystemCloudEvent[] =>
    pipeline.receiver.received('/system').map((request) => JSON.parse(request.body) as SystemCloudEvent);

  const waitForSystemEvent = (what: string, match: (event: SystemCloudEvent) => boolean) =>
    waitFor(`the system event ${what}`, () => systemEvents().find(match), { timeoutMs: 30_000 });

  const signatureHeaders = (request: { headers: Record<string, unknown> }) => ({
    'webhook-id': String(request.headers['webhook-id']),
    'webhook-timestamp': String(request.headers['webhook-timestamp']),
    'webhook-signature': String(request.headers['webhook-signature']),
  });

  beforeAll(async () => {
    pipeline = await startPipeline({ settings: { SWITCHYARD_WEBHOOK_ORIGIN: ORIGIN } });
    // The owners' channel: a webhook subscriber of every system event.
    await pipeline.createWebhookSubscription('switchyard.system', 'owners', '/system');
  }, 120_000);
  afterAll(async () => {
    await pipeline?.stop();
  });

  it('refuses to let anyone publish on switchyard.system (403 problem+json), even the admin', async () => {
    const response = await pipeline.api(
      'POST',
      '/topics/switchyard.system/events',
      JSON.stringify({
        specversion: '1.0',
        id: 'forged-1',
        source: '/switchyard',
        type: 'switchyard.subscription.disabled',
      }),
      { 'content-type': 'application/cloudevents+json' },
    );
    expect(response.status).toBe(403);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(response.json.detail).toMatch(/switchyard\.system/);
  });

  describe('validation handshake', () => {
    it('makes a subscription active when its endpoint agrees, and takes its allowed rate', async () => {
      pipeline.receiver.handshake('/agree', { agree: true, allowedRate: '120' });
      await pipeline.createWebhookSubscription('shop', 'agreeing', '/agree');

      const [handshake] = pipeline.receiver.handshakes('/agree');
      expect(handshake?.headers['webhook-request-origin']).toBe(ORIGIN);
      const read = await pipeline.api('GET', '/topics/shop/subscriptions/agreeing');
      expect(read.json).toMatchObject({
        status: 'active',
        validation: 'handshake',
        validationState: { outcome: 'accepted', allowedRatePerMinute: 120 },
        delivery: { maxPerSecond: 2 },
      });

      await pipeline.publish('shop', { id: 'agree-1', source: '/shop', type: 'order.created' });
      await waitFor(
        'the agreeing endpoint to get the event',
        () => pipeline.receiver.received('/agree').length === 1,
      );
    });

    it('keeps a refusing endpoint pendingValidation with the reason, routes nothing to it, tells the owners, and re-validates on request', async () => {
      pipeline.receiver.handshake('/refuse', { status: 405 });
      const created = await pipeline.api('PUT', '/topics/shop/subscriptions/refusing', {
        destination: { endpointType: 'WebHook', endpointUrl: pipeline.receiver.url('/refuse') },
      });
      expect(created.status).toBe(201);
      expect(created.json).toMatchObject({
        status: 'pendingValidation',
        validationState: { outcome: 'refused', reason: expect.stringMatching(/405/) },
      });

      const failed = await waitForSystemEvent(
        'subscription.validationFailed',
        (event) =>
          event.type === 'switchyard.subscription.validationFailed' && event.data.subscription === 'refusing',
      );
      expect(failed).toMatchObject({
        source: '/switchyard',
        subject: 'topics/shop/subscriptions/refusing',
        data: { topic: 'shop', subscription: 'refusing', reason: expect.stringMatching(/405/) },
      });

      const skipped = await pipeline.publish('shop', {
        id: 'refuse-1',
        source: '/shop',
        type: 'order.created',
      });
      const routed = await waitFor('the event to be routed', async () => {
        const response = await pipeline.api('GET', `/events/${skipped}`);
        return response.status === 200 && (response.json as { matchedSubscriptions: string[] });
      });
      expect(routed.matchedSubscriptions).not.toContain('refusing');

      // The owner fixes the endpoint and asks again.
      pipeline.receiver.handshake('/refuse', { agree: true });
      const revalidated = await pipeline.api('POST', '/topics/shop/subscriptions/refusing/validate');
      expect(revalidated.status).toBe(200);
      expect(revalidated.json).toMatchObject({ status: 'active', validationState: { outcome: 'accepted' } });
      await pipeline.publish('shop', { id: 'refuse-2', source: '/shop', type: 'order.created' });
      const [delivered] = await waitFor('the re-validated endpoint to get the event', () => {
        const got = pipeline.receiver.received('/refuse');
        return got.length > 0 && got;
      });
      expect(JSON.parse(delivered?.body ?? '{}')).toMatchObject({ id: 'refuse-2' });
      expect(pipeline.receiver.received('/refuse')).toHaveLength(1);
    });

    it('refuses an endpoint that allows another origin, and one that answers OPTIONS without the header', async () => {
      pipeline.receiver.handshake('/other-origin', {
        status: 200,
        headers: { 'webhook-allowed-origin': 'someone-else.example' },
      });
      pipeline.receiver.handshake('/no-header', { status: 200 });
      const other = await pipeline.api('PUT', '/topics/shop/subscriptions/other-origin', {
        destination: { endpointType: 'WebHook', endpointUrl: pipeline.receiver.url('/other-origin') },
      });
      const bare = await pipeline.api('PUT', '/topics/shop/subscriptions/no-header', {
        destination: { endpointType: 'WebHook', endpointUrl: pipeline.receiver.url('/no-header') },
      });
      expect(other.json).toMatchObject({
        status: 'pendingValidation',
        validationState: { reason: expect.stringMatching(/does not match/) },
      });
      expect(bare.json).toMatchObject({
        status: 'pendingValidation',
        validationState: { reason: expect.stringMatching(/without a WebHook-Allowed-Origin/) },
      });
    });

    it('lets an owner opt out with validation "none": no OPTIONS, active at once, delivered', async () => {
      pipeline.receiver.handshake('/opted-out', { status: 405 });
      const created = await pipeline.createWebhookSubscription('shop', 'opted-out', '/opted-out', {
        validation: 'none',
      });
      expect(created).toMatchObject({ status: 'active', validation: 'none' });
      expect(pipeline.receiver.handshakes('/opted-out')).toHaveLength(0);
      await pipeline.publish('shop', { id: 'optout-1', source: '/shop', type: 'order.created' });
      await waitFor(
        'the opted-out endpoint to get the event',
        () => pipeline.receiver.received('/opted-out').length > 0,
      );
      const validate = await pipeline.api('POST', '/topics/shop/subscriptions/opted-out/validate');
      expect(validate.status).toBe(409);
      expect(validate.headers.get('content-type')).toContain('application/problem+json');
    });
  });

  describe('signing secret rotation', () => {
    it('signs with both secrets during the overlap and with the new one only after it', async () => {
      const { signingSecret: oldSecret } = await pipeline.createWebhookSubscription(
        'billing',
        'rotating',
        '/rotating',
      );
      const overlapSeconds = 4;
      const rotated = await pipeline.api('POST', '/topics/billing/subscriptions/rotating/secret:rotate', {
        overlapSeconds,
      });
      expect(rotated.status).toBe(200);
      expect(rotated.headers.get('cache-control')).toBe('no-store');
      const { signingSecret: newSecret, previousSigningSecretExpiresAt } = rotated.json as {
        signingSecret: string;
        previousSigningSecretExpiresAt: string;
      };
      expect(newSecret).toMatch(/^whsec_/);
      expect(newSecret).not.toBe(oldSecret);

      // Never shown again: not by GET, not in the list.
      const read = await pipeline.api('GET', '/topics/billing/subscriptions/rotating');
      expect(read.text).not.toContain(newSecret.slice(6));
      expect(read.text).not.toContain(oldSecret.slice(6));
      expect(read.json).toMatchObject({ previousSigningSecretExpiresAt });

      await pipeline.publish('billing', { id: 'rotate-1', source: '/billing', type: 'invoice.paid' });
      const [during] = await waitFor('the delivery during the overlap', () => {
        const got = pipeline.receiver.received('/rotating');
        return got.length === 1 && got;
      });
      if (!during) throw new Error('no delivery');
      expect(String(during.headers['webhook-signature']).split(' ')).toHaveLength(2);
      expect(() => new Webhook(newSecret).verify(during.body, signatureHeaders(during))).not.toThrow();
      expect(() => new Webhook(oldSecret).verify(during.body, signatureHeaders(during))).not.toThrow();

      const secretRotated = await waitForSystemEvent(
        'subscription.secretRotated',
        (event) =>
          event.type === 'switchyard.subscription.secretRotated' && event.data.subscription === 'rotating',
      );
      expect(secretRotated.data).toMatchObject({
        topic: 'billing',
        overlapSeconds,
        previousSecretExpiresAt: previousSigningSecretExpiresAt,
      });
      expect(JSON.stringify(secretRotated)).not.toContain(newSecret.slice(6));
      expect(JSON.stringify(secretRotated)).not.toContain(oldSecret.slice(6));

      // After the overlap (plus the dev host's 1 s subscription cache).
      await waitFor(
        'the overlap to end',
        () => Date.now() > Date.parse(previousSigningSecretExpiresAt) + 1_500,
        {
          timeoutMs: (overlapSeconds + 5) * 1000,
          intervalMs: 200,
        },
      );
      await pipeline.publish('billing', { id: 'rotate-2', source: '/billing', type: 'invoice.paid' });
      const after = await waitFor(
        'the delivery after the overlap',
        () => pipeline.receiver.received('/rotating')[1],
      );
      expect(String(after.headers['webhook-signature']).split(' ')).toHaveLength(1);
      expect(() => new Webhook(newSecret).verify(after.body, signatureHeaders(after))).not.toThrow();
      expect(() => new Webhook(oldSecret).verify(after.body, signatureHeaders(after))).toThrow();
    });

    it('answers problem+json for an unknown subscription (404) and an overlap out of bounds (400)', async () => {
      const missing = await pipeline.api('POST', '/topics/billing/subscriptions/nobody/secret:rotate');
      expect(missing.status).toBe(404);
      expect(missing.headers.get('content-type')).toContain('application/problem+json');
      await pipeline.createWebhookSubscription('billing', 'bounded', '/bounded');
      const tooLong = await pipeline.api('POST', '/topics/billing/subscriptions/bounded/secret:rotate', {
        overlapSeconds: 30 * 86_400,
      });
      expect(tooLong.status).toBe(400);
      expect(tooLong.json.errors).toEqual([expect.objectContaining({ field: 'overlapSeconds' })]);
    });
  });

  describe('delivery.deadLettered and the loop guard', () => {
    it('tells the owners of a subscription that opted in when one of its deliveries is dead-lettered', async () => {
      pipeline.receiver.respond('/dying', [500]);
      await pipeline.createWebhookSubscription('shipping', 'dying', '/dying', {
        retryPolicy: { maxDeliveryAttempts: 1 },
        notifications: { deadLettered: true },
      });
      const eventKey = await pipeline.publish('shipping', {
        id: 'dead-1',
        source: '/ship',
        type: 'parcel.lost',
      });
      const deadLettered = await waitForSystemEvent(
        'delivery.deadLettered',
        (event) => event.type === 'switchyard.delivery.deadLettered' && event.data.subscription === 'dying',
      );
      expect(deadLettered.data).toMatchObject({
        topic: 'shipping',
        eventKey,
        attempt: 1,
        reason: expect.any(String),
        deliveryId: expect.any(String),
      });
    });

    it('publishes nothing about a failing subscriber of switchyard.system itself', async () => {
      // A second owner channel that always fails and asks to hear about its dead letters.
      pipeline.receiver.respond(
        '/system-failing',
        Array.from({ length: 100 }, () => 500),
      );
      await pipeline.createWebhookSubscription('switchyard.system', 'failing-owner', '/system-failing', {
        retryPolicy: { maxDeliveryAttempts: 1 },
        notifications: { deadLettered: true },
      });
      // A system event that both owner channels get; the failing one dead-letters it.
      await pipeline.createWebhookSubscription('billing', 'rotated-for-loop', '/rotated-for-loop');
      await pipeline.api('POST', '/topics/billing/subscriptions/rotated-for-loop/secret:rotate', {
        overlapSeconds: 0,
      });
      const rotated = await waitForSystemEvent(
        'secretRotated of rotated-for-loop',
        (event) =>
          event.type === 'switchyard.subscription.secretRotated' &&
          event.data.subscription === 'rotated-for-loop',
      );
      const deliveries = await waitFor('the failing owner channel to dead-letter it', async () => {
        const key = eventKey('switchyard.system', rotated.source, rotated.id);
        const status = await pipeline.api('GET', `/events/${key}`);
        const list = (status.json as { deliveries?: Array<{ subscription: string; status: string }> })
          .deliveries;
        return list?.find(
          (delivery) => delivery.subscription === 'failing-owner' && delivery.status === 'deadLettered',
        );
      });
      expect(deliveries).toBeDefined();
      // Another system event after it: once it has arrived, a deadLettered about the failing
      // channel would have had time to arrive as well (same queue, emitted earlier).
      await pipeline.createWebhookSubscription('billing', 'marker', '/marker');
      await pipeline.api('POST', '/topics/billing/subscriptions/marker/secret:rotate', { overlapSeconds: 0 });
      await waitForSystemEvent(
        'the marker',
        (event) =>
          event.type === 'switchyard.subscription.secretRotated' && event.data.subscription === 'marker',
      );
      expect(systemEvents().filter((event) => event.data.topic === 'switchyard.system')).toEqual([]);
      expect(pipeline.host.logs()).toMatch(
        /system event delivery\.deadLettered about a subscription of switchyard\.system not published \(loop guard\)/,
      );
      // The failing channel dead-lettered the marker too, and still nothing about it was emitted.
      expect(pipeline.receiver.received('/system-failing').length).toBeGreaterThanOrEqual(2);
    });
  });
});
