import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { apiFetch } from '../../support/apiClient';
import { waitFor } from '../../support/wait';
import { type Pipeline, startPipeline } from './harness';

describe('the HTTP API and the ways events come in', () => {
  let pipeline: Pipeline;
  beforeAll(async () => {
    pipeline = await startPipeline();
  }, 120_000);
  afterAll(async () => {
    await pipeline?.stop();
  });

  it('needs the function key for publish and management, not for health', async () => {
    const noKey = await apiFetch(`${pipeline.host.url}/api/topics/orders/subscriptions`);
    expect(noKey.status).toBe(401);
    const wrongKey = await apiFetch(`${pipeline.host.url}/api/topics/orders/events?code=wrong`, {
      method: 'POST',
    });
    expect(wrongKey.status).toBe(401);
    const health = await apiFetch(`${pipeline.host.url}/api/health`);
    expect(health.status).toBe(200);
    expect(health.json).toMatchObject({
      status: 'healthy',
      dependencies: { serviceBus: { status: 'healthy' }, cosmosDb: { status: 'healthy' } },
    });
  });

  it('serves its OpenAPI description without a credential: docs/openapi.json as committed', async () => {
    const served = await apiFetch(`${pipeline.host.url}/api/openapi.json`);
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toContain('application/json');
    expect(served.json).toEqual(
      JSON.parse(readFileSync(resolve(__dirname, '../../../docs/openapi.json'), 'utf8')),
    );
  });

  it('answers bad events with problem+json naming the attribute, and accepts nothing of them', async () => {
    const missingSource = await pipeline.api(
      'POST',
      '/topics/orders/events',
      JSON.stringify({ specversion: '1.0', id: '1', type: 't' }),
      { 'content-type': 'application/cloudevents+json' },
    );
    expect(missingSource.status).toBe(400);
    expect(missingSource.headers.get('content-type')).toContain('application/problem+json');
    expect(missingSource.json.errors).toEqual([expect.objectContaining({ field: 'source' })]);

    const badBatch = await pipeline.api(
      'POST',
      '/topics/orders/events',
      JSON.stringify([
        { specversion: '1.0', id: 'b-ok', source: '/s', type: 't' },
        { specversion: '0.3', id: 'b-bad', source: '/s', type: 't' },
      ]),
      { 'content-type': 'application/cloudevents-batch+json' },
    );
    expect(badBatch.status).toBe(400);
    expect(badBatch.json.errors).toEqual([expect.objectContaining({ field: '[1].specversion' })]);

    const wrongType = await pipeline.api('POST', '/topics/orders/events', 'hello', {
      'content-type': 'text/plain',
    });
    expect(wrongType.status).toBe(415);

    const tooLarge = await pipeline.api(
      'POST',
      '/topics/orders/events',
      JSON.stringify({ specversion: '1.0', id: 'big', source: '/s', type: 't', data: 'x'.repeat(1_100_000) }),
      { 'content-type': 'application/cloudevents+json' },
    );
    expect(tooLarge.status).toBe(413);

    const badTopic = await pipeline.api('POST', '/topics/bad%20topic/events', '{}', {
      'content-type': 'application/cloudevents+json',
    });
    expect(badTopic.status).toBe(400);
    expect(badTopic.json.errors).toEqual([expect.objectContaining({ field: 'topic' })]);
  });

  it('manages subscriptions: secret once, ETags, If-Match, pagination, delete', async () => {
    const created = await pipeline.api('PUT', '/topics/crud/subscriptions/first', {
      destination: { endpointType: 'WebHook', endpointUrl: pipeline.receiver.url('/crud') },
    });
    expect(created.status).toBe(201);
    expect(String(created.json.signingSecret)).toMatch(/^whsec_/);
    const etag = created.headers.get('etag') ?? '';

    const read = await pipeline.api('GET', '/topics/crud/subscriptions/first');
    expect(read.status).toBe(200);
    expect(read.json.signingSecret).toBeUndefined();
    expect(read.json).toMatchObject({
      retryPolicy: { maxDeliveryAttempts: 30, eventTimeToLiveInMinutes: 1440 },
      status: 'active',
    });

    const replaced = await pipeline.api(
      'PUT',
      '/topics/crud/subscriptions/first',
      { destination: { endpointType: 'WebHook', endpointUrl: pipeline.receiver.url('/crud2') } },
      { 'if-match': etag },
    );
    expect(replaced.status).toBe(200);
    expect(replaced.json.signingSecret).toBeUndefined();
    const stale = await pipeline.api(
      'PUT',
      '/topics/crud/subscriptions/first',
      { destination: { endpointType: 'WebHook', endpointUrl: pipeline.receiver.url('/crud3') } },
      { 'if-match': etag },
    );
    expect(stale.status).toBe(412);

    const invalid = await pipeline.api('PUT', '/topics/crud/subscriptions/second', {
      destination: { endpointType: 'WebHook', endpointUrl: 'not a url' },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.json.errors).toEqual([expect.objectContaining({ field: 'destination.endpointUrl' })]);

    await pipeline.api('PUT', '/topics/crud/subscriptions/second', {
      destination: { endpointType: 'ServiceBusQueue', queueName: 'e2e-destination' },
    });
    const page1 = await pipeline.api('GET', '/topics/crud/subscriptions?maxItems=1');
    expect((page1.json.items as unknown[]).length).toBe(1);
    expect(page1.json.continuationToken).toEqual(expect.any(String));
    const page2 = await pipeline.api(
      'GET',
      `/topics/crud/subscriptions?maxItems=1&continuationToken=${encodeURIComponent(String(page1.json.continuationToken))}`,
    );
    expect((page2.json.items as Array<{ name: string }>).map((item) => item.name)).toEqual(['second']);

    expect((await pipeline.api('DELETE', '/topics/crud/subscriptions/first')).status).toBe(204);
    expect((await pipeline.api('GET', '/topics/crud/subscriptions/first')).status).toBe(404);
    expect((await pipeline.api('DELETE', '/topics/crud/subscriptions/first')).status).toBe(404);
  });

  it('issue 12: answers 400 naming continuationToken to any token it did not issue for that list', async () => {
    const lists = [
      '/topics/tokens/subscriptions',
      '/topics/tokens/subscriptions/a/deliveries',
      '/topics/tokens/subscriptions/a/deadletters',
    ];
    for (const list of lists) {
      for (const token of ['{"a":1}', 'garbage']) {
        const response = await pipeline.api('GET', `${list}?continuationToken=${encodeURIComponent(token)}`);
        expect({ list, token, status: response.status }).toEqual({ list, token, status: 400 });
        expect(response.headers.get('content-type')).toContain('application/problem+json');
        expect(response.json.errors).toEqual([expect.objectContaining({ field: 'continuationToken' })]);
      }
    }
    await pipeline.createWebhookSubscription('tokens', 'a', '/tokens-a');
    await pipeline.createWebhookSubscription('tokens', 'b', '/tokens-b');
    const page1 = await pipeline.api('GET', '/topics/tokens/subscriptions?maxItems=1');
    const token = encodeURIComponent(String(page1.json.continuationToken));
    const page2 = await pipeline.api(
      'GET',
      `/topics/tokens/subscriptions?maxItems=1&continuationToken=${token}`,
    );
    expect((page2.json.items as Array<{ name: string }>).map((item) => item.name)).toEqual(['b']);
    // The same token, handed to another list: refused, never passed to Cosmos DB.
    for (const other of ['/topics/crud/subscriptions', '/topics/tokens/subscriptions/a/deliveries']) {
      const response = await pipeline.api('GET', `${other}?continuationToken=${token}`);
      expect(response.status).toBe(400);
      expect(response.json.errors).toEqual([
        expect.objectContaining({
          field: 'continuationToken',
          message: expect.stringContaining('another list'),
        }),
      ]);
    }
  });

  it('issue 12: keeps webhook header values write-only: masked in every response, kept by null, never logged', async () => {
    const secret = `Bearer header-secret-${Date.now()}`;
    const path = '/topics/headers/subscriptions/masked';
    const endpointUrl = pipeline.receiver.url('/masked');
    const created = await pipeline.api('PUT', path, {
      destination: {
        endpointType: 'WebHook',
        endpointUrl,
        headers: { Authorization: secret, 'X-Tenant': 'acme' },
      },
    });
    expect(created.status).toBe(201);
    const masked = {
      endpointType: 'WebHook',
      endpointUrl,
      headers: { Authorization: null, 'X-Tenant': null },
    };
    const read = await pipeline.api('GET', path);
    const list = await pipeline.api('GET', '/topics/headers/subscriptions');
    for (const response of [created, read, list]) expect(response.text).not.toContain('header-secret');
    expect(created.json.destination).toEqual(masked);
    expect(read.json.destination).toEqual(masked);
    expect((list.json.items as Array<{ destination: unknown }>)[0]?.destination).toEqual(masked);

    // What a GET shows can be PUT back: null keeps the stored value.
    const kept = await pipeline.api('PUT', path, {
      destination: { ...masked, headers: { Authorization: null, 'X-Tenant': 'beta' } },
    });
    expect(kept.status).toBe(200);
    expect(kept.text).not.toContain('header-secret');
    await pipeline.publish('headers', { id: 'h-1', source: '/headers', type: 'header.check', data: {} });
    const [delivery] = await waitFor('the delivery with the kept header', () => {
      const received = pipeline.receiver.received('/masked');
      return received.length > 0 && received;
    });
    expect(delivery?.headers.authorization).toBe(secret);
    expect(delivery?.headers['x-tenant']).toBe('beta');

    const nothingStored = await pipeline.api('PUT', path, {
      destination: { ...masked, headers: { 'X-Other': null } },
    });
    expect(nothingStored.status).toBe(400);
    expect(nothingStored.json.errors).toEqual([
      expect.objectContaining({ field: 'destination.headers.X-Other' }),
    ]);
    // A kept credential does not follow the webhook to another origin.
    const elsewhere = endpointUrl.replace('127.0.0.1', 'localhost');
    expect(elsewhere).not.toBe(endpointUrl);
    const moved = await pipeline.api('PUT', path, {
      destination: { ...masked, endpointUrl: elsewhere, headers: { Authorization: null } },
    });
    expect(moved.status).toBe(400);
    expect(moved.json.errors).toEqual([
      expect.objectContaining({ field: 'destination.headers.Authorization' }),
    ]);

    expect(pipeline.host.logs()).not.toContain('header-secret');
  });

  it('fans out to three subscriptions, one of them a Service Bus queue', async () => {
    await pipeline.createWebhookSubscription('fanout', 'hook-a', '/fan-a');
    await pipeline.createWebhookSubscription('fanout', 'hook-b', '/fan-b');
    await pipeline.api('PUT', '/topics/fanout/subscriptions/queue', {
      destination: { endpointType: 'ServiceBusQueue', queueName: 'e2e-destination' },
    });
    const eventKey = await pipeline.publish('fanout', {
      id: 'f-1',
      source: '/fan',
      type: 'fan.out',
      data: { n: 1 },
    });

    await waitFor(
      'both webhooks',
      () =>
        pipeline.receiver.received('/fan-a').length === 1 &&
        pipeline.receiver.received('/fan-b').length === 1,
    );
    const receiver = pipeline.serviceBusClient.createReceiver('e2e-destination');
    try {
      const [message] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 10_000 });
      expect(message?.applicationProperties).toMatchObject({
        'cloudEvents:id': 'f-1',
        'cloudEvents:type': 'fan.out',
      });
      expect(message?.contentType).toBe('application/cloudevents+json');
      if (message) await receiver.completeMessage(message);
    } finally {
      await receiver.close();
    }
    const status = await waitFor('three succeeded deliveries', async () => {
      const current = await pipeline.eventStatus(eventKey);
      return current.deliveries?.every((delivery) => delivery.status === 'succeeded') && current;
    });
    expect(status.deliveries.map((delivery) => delivery.subscription).sort()).toEqual([
      'hook-a',
      'hook-b',
      'queue',
    ]);
    const listed = await pipeline.api(
      'GET',
      '/topics/fanout/subscriptions/hook-a/deliveries?status=succeeded',
    );
    expect((listed.json.items as Array<{ eventKey: string }>).map((item) => item.eventKey)).toContain(
      eventKey,
    );
  });

  it('publishing the same source+id twice delivers once', async () => {
    await pipeline.createWebhookSubscription('idempotent', 'once', '/once');
    const first = await pipeline.publish('idempotent', { id: 'same', source: '/dup', type: 't' });
    const second = await pipeline.publish('idempotent', { id: 'same', source: '/dup', type: 't' });
    expect(second).toBe(first);
    await waitFor('the delivery', () => pipeline.receiver.received('/once').length === 1);
    // A third, different event proves the pipeline kept flowing after the duplicate.
    await pipeline.publish('idempotent', { id: 'other', source: '/dup', type: 't' });
    await waitFor('the other event', () => pipeline.receiver.received('/once').length === 2);
    const ids = pipeline.receiver
      .received('/once')
      .map((request) => (JSON.parse(request.body) as { id: string }).id);
    expect(ids.sort()).toEqual(['other', 'same']);
  });

  it('accepts binary mode and batches over HTTP, and events sent straight to the ingress queue', async () => {
    await pipeline.createWebhookSubscription('modes', 'all', '/modes');
    const binary = await pipeline.api('POST', '/topics/modes/events', JSON.stringify({ via: 'binary' }), {
      'content-type': 'application/json',
      'ce-specversion': '1.0',
      'ce-id': 'm-1',
      'ce-source': '/modes',
      'ce-type': 'mode.binary',
    });
    expect(binary.status).toBe(202);
    const batch = await pipeline.api(
      'POST',
      '/topics/modes/events',
      JSON.stringify([
        { specversion: '1.0', id: 'm-2', source: '/modes', type: 'mode.batch' },
        { specversion: '1.0', id: 'm-3', source: '/modes', type: 'mode.batch' },
      ]),
      { 'content-type': 'application/cloudevents-batch+json' },
    );
    expect(batch.status).toBe(202);
    expect((batch.json.accepted as unknown[]).length).toBe(2);

    const sender = pipeline.serviceBusClient.createSender('ingress');
    try {
      await sender.sendMessages({
        body: { via: 'servicebus' },
        contentType: 'application/json',
        applicationProperties: {
          topic: 'modes',
          'cloudEvents:specversion': '1.0',
          'cloudEvents:id': 'm-4',
          'cloudEvents:source': '/publisher',
          'cloudEvents:type': 'mode.amqp',
        },
      });
    } finally {
      await sender.close();
    }
    await waitFor('four deliveries', () => pipeline.receiver.received('/modes').length === 4);
    const events = pipeline.receiver
      .received('/modes')
      .map((request) => JSON.parse(request.body) as Record<string, unknown>);
    expect(events.map((event) => event.id).sort()).toEqual(['m-1', 'm-2', 'm-3', 'm-4']);
    expect(events.find((event) => event.id === 'm-1')).toMatchObject({
      data: { via: 'binary' },
      datacontenttype: 'application/json',
    });
    expect(events.find((event) => event.id === 'm-4')).toMatchObject({
      data: { via: 'servicebus' },
      source: '/publisher',
    });
  });

  it('carries an event too large for Service Bus by claim check, intact', async () => {
    await pipeline.createWebhookSubscription('large', 'big', '/big');
    const data = { blob: 'y'.repeat(600_000) };
    const eventKey = await pipeline.publish('large', { id: 'l-1', source: '/large', type: 't', data });
    await waitFor('the large delivery', () => pipeline.receiver.received('/big').length === 1);
    const [request] = pipeline.receiver.received('/big');
    expect((JSON.parse(request?.body ?? '{}') as { data: unknown }).data).toEqual(data);
    const status = await pipeline.api('GET', `/events/${eventKey}`);
    expect(status.json.payloadRef).toEqual(expect.any(String));
  });
});
