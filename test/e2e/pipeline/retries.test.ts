import Long from 'long';
import { waitFor } from '../../support/wait';
import { type Pipeline, startPipeline } from './harness';

type Status = Awaited<ReturnType<Pipeline['eventStatus']>>;

describe('retries and dead letters', () => {
  let pipeline: Pipeline;
  beforeAll(async () => {
    pipeline = await startPipeline();
  }, 120_000);
  afterAll(async () => {
    await pipeline?.stop();
  });

  async function finalStatus(
    eventKey: string,
    expected: string,
    timeoutMs = 30_000,
  ): Promise<Status['deliveries'][number]> {
    return waitFor(
      `delivery of ${eventKey} to be ${expected}`,
      async () => {
        const delivery = (await pipeline.eventStatus(eventKey)).deliveries?.[0];
        return delivery?.status === expected && delivery;
      },
      { timeoutMs },
    );
  }

  it('503 twice then 200 gives three recorded attempts, spaced by the schedule', async () => {
    pipeline.receiver.respond('/flaky', [503, 503, 200]);
    await pipeline.createWebhookSubscription('retry-flaky', 'flaky', '/flaky', {
      retryPolicy: { schedule: [1] },
    });
    const eventKey = await pipeline.publish('retry-flaky', { id: 'r-1', source: '/test', type: 't' });

    const delivery = await finalStatus(eventKey, 'succeeded');
    expect(delivery.attempts.map((attempt) => [attempt.n, attempt.outcome, attempt.httpStatus])).toEqual([
      [1, 'retryableFailure', 503],
      [2, 'retryableFailure', 503],
      [3, 'succeeded', 200],
    ]);
    const times = pipeline.receiver.received('/flaky').map((request) => request.at);
    expect(times).toHaveLength(3);
    for (let i = 1; i < times.length; i++) {
      const gap = (times[i] ?? 0) - (times[i - 1] ?? 0);
      // schedule 1 s with +/-20% jitter; the floor is what the schedule guarantees.
      expect(gap).toBeGreaterThanOrEqual(750);
    }
  });

  it('429 with Retry-After waits at least that long', async () => {
    pipeline.receiver.respond('/throttled', [{ status: 429, headers: { 'retry-after': '3' } }, 200]);
    await pipeline.createWebhookSubscription('retry-throttled', 'throttled', '/throttled', {
      retryPolicy: { schedule: [1] },
    });
    const eventKey = await pipeline.publish('retry-throttled', { id: 'r-2', source: '/test', type: 't' });
    await finalStatus(eventKey, 'succeeded');
    const [first, second] = pipeline.receiver.received('/throttled');
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(2_900);
  });

  it('400 is dead-lettered at once with its reason, and listed with the dead letters', async () => {
    pipeline.receiver.respond('/rejects', [400]);
    await pipeline.createWebhookSubscription('retry-rejects', 'rejects', '/rejects');
    const eventKey = await pipeline.publish('retry-rejects', { id: 'r-3', source: '/test', type: 't' });
    const delivery = await finalStatus(eventKey, 'deadLettered');
    expect(delivery.attempts).toHaveLength(1);
    expect(delivery.deadLetter?.reason).toBe('EndpointRejected');
    expect(delivery.deadLetter?.description).toContain('400');

    const listed = await pipeline.api('GET', '/topics/retry-rejects/subscriptions/rejects/deadletters');
    expect(listed.status).toBe(200);
    expect((listed.json.items as Array<{ eventKey: string }>).map((item) => item.eventKey)).toContain(
      eventKey,
    );

    const receiver = pipeline.serviceBusClient.createReceiver('deadletters');
    try {
      const found = await waitFor('the dead letter on the deadletters queue', async () => {
        const messages = await receiver.peekMessages(50);
        return messages.find((message) => (message.body as { eventKey?: string }).eventKey === eventKey);
      });
      expect(found.applicationProperties?.reason).toBe('EndpointRejected');
    } finally {
      await receiver.close();
    }
  });

  it('dead-letters when the attempts are used up', async () => {
    pipeline.receiver.respond('/down', [500, 500, 500, 500]);
    await pipeline.createWebhookSubscription('retry-down', 'down', '/down', {
      retryPolicy: { maxDeliveryAttempts: 2, schedule: [1] },
    });
    const eventKey = await pipeline.publish('retry-down', { id: 'r-4', source: '/test', type: 't' });
    const delivery = await finalStatus(eventKey, 'deadLettered');
    expect(delivery.attempts).toHaveLength(2);
    expect(delivery.deadLetter?.reason).toBe('MaxDeliveryAttemptsExceeded');
    expect(delivery.deadLetter?.description).toContain('HTTP 500');
  });

  it('dead-letters when the next attempt would be after the time to live', async () => {
    pipeline.receiver.respond('/slow-ttl', [500]);
    await pipeline.createWebhookSubscription('retry-slow-ttl', 'slow-ttl', '/slow-ttl', {
      retryPolicy: { eventTimeToLiveInMinutes: 1, schedule: [120] },
    });
    const eventKey = await pipeline.publish('retry-slow-ttl', { id: 'r-5', source: '/test', type: 't' });
    const delivery = await finalStatus(eventKey, 'deadLettered');
    expect(delivery.attempts).toHaveLength(1);
    expect(delivery.deadLetter?.reason).toBe('TimeToLiveExceeded');
  });

  it('410 Gone dead-letters and disables the subscription', async () => {
    pipeline.receiver.respond('/gone', [410]);
    await pipeline.createWebhookSubscription('retry-gone', 'gone', '/gone');
    const eventKey = await pipeline.publish('retry-gone', { id: 'r-6', source: '/test', type: 't' });
    const delivery = await finalStatus(eventKey, 'deadLettered');
    expect(delivery.deadLetter?.reason).toBe('EndpointGone');
    const subscription = await pipeline.api('GET', '/topics/retry-gone/subscriptions/gone');
    expect(subscription.json).toMatchObject({ status: 'disabled' });
  });

  it('redrive re-delivers dead letters as fresh attempts', async () => {
    pipeline.receiver.respond('/redrive', [500, 500]);
    await pipeline.createWebhookSubscription('redrive', 'later-fixed', '/redrive', {
      retryPolicy: { maxDeliveryAttempts: 2, schedule: [1] },
    });
    const eventKey = await pipeline.publish('redrive', { id: 'd-1', source: '/test', type: 't' });
    await finalStatus(eventKey, 'deadLettered');

    // The receiver is fixed: it answers 200 from now on.
    const response = await pipeline.api(
      'POST',
      '/topics/redrive/subscriptions/later-fixed/deadletters/redrive',
      { max: 10 },
    );
    expect(response.status).toBe(202);
    expect(response.json).toMatchObject({ redriven: 1 });
    const delivery = await finalStatus(eventKey, 'succeeded');
    expect(delivery.attempts.map((attempt) => [attempt.n, attempt.outcome])).toEqual([
      [1, 'retryableFailure'],
      [2, 'retryableFailure'],
      [3, 'succeeded'],
    ]);
    expect(pipeline.receiver.received('/redrive')).toHaveLength(3);

    // Redrive took this subscription's dead letter off the queue and left the others there.
    const queued = await peekAll(pipeline, 'deadletters');
    expect(queued.map((message) => message.sessionId)).not.toContain('redrive/later-fixed');
    expect(queued.map((message) => message.sessionId)).toContain('retry-rejects/rejects');
  });

  it('redrive sets aside a message in the dead-letter session that is no dead letter, and shows it as poison', async () => {
    await pipeline.createWebhookSubscription('redrive-odd', 'odd', '/odd');
    const sender = pipeline.serviceBusClient.createSender('deadletters');
    try {
      await sender.sendMessages({
        body: { not: 'a dead letter' },
        contentType: 'application/json',
        sessionId: 'redrive-odd/odd',
        applicationProperties: { topic: 'redrive-odd', subscription: 'odd', deliveryId: 'dlv_odd' },
      });
    } finally {
      await sender.close();
    }
    const response = await pipeline.api('POST', '/topics/redrive-odd/subscriptions/odd/deadletters/redrive');
    expect(response.status).toBe(202);
    expect(response.json).toMatchObject({ redriven: 0 });
    const listed = await pipeline.api('GET', '/topics/redrive-odd/subscriptions/odd/deadletters');
    expect(listed.json.poison).toEqual([
      expect.objectContaining({
        queue: 'deadletters',
        deliveryId: 'dlv_odd',
        deadLetterReason: 'NotADeadLetterMessage',
      }),
    ]);
    expect(pipeline.receiver.received('/odd')).toHaveLength(0);
  });

  it('redrive of a subscription with no dead letters redrives nothing', async () => {
    await pipeline.createWebhookSubscription('redrive-empty', 'clean', '/clean');
    const response = await pipeline.api(
      'POST',
      '/topics/redrive-empty/subscriptions/clean/deadletters/redrive',
    );
    expect(response.status).toBe(202);
    expect(response.json).toMatchObject({ redriven: 0 });
    const invalid = await pipeline.api(
      'POST',
      '/topics/redrive-empty/subscriptions/clean/deadletters/redrive',
      {
        max: 0,
      },
    );
    expect(invalid.status).toBe(400);
    expect(invalid.json.errors).toEqual([expect.objectContaining({ field: 'max' })]);
  });
});

/**
 * A delivery message deliver cannot read reaches the native dead-letter sub-queue only when
 * Service Bus settles it on its own: with single-message triggers. (With batch triggers, the
 * default, it is dropped with an error after ten failures: test/e2e/pipeline/batchTriggers.test.ts.)
 */
describe('poison deliveries with single-message triggers', () => {
  let pipeline: Pipeline;
  beforeAll(async () => {
    pipeline = await startPipeline({ settings: { SWITCHYARD_PIPELINE_CARDINALITY: 'one' } });
  }, 120_000);
  afterAll(async () => {
    await pipeline?.stop();
  });

  it('shows poison deliveries from the native dead-letter sub-queue in the dead-letter API', async () => {
    await pipeline.createWebhookSubscription('poison', 'victim', '/poison');
    const sender = pipeline.serviceBusClient.createSender('deliveries');
    try {
      // Not a delivery message: deliver throws on every attempt until Service Bus gives up.
      await sender.sendMessages({
        body: { garbage: true },
        contentType: 'application/json',
        messageId: 'poison-1',
        applicationProperties: { topic: 'poison', subscription: 'victim', deliveryId: 'dlv_poison' },
      });
    } finally {
      await sender.close();
    }
    const poison = await waitFor(
      'the poison message in the dead-letter API',
      async () => {
        const listed = await pipeline.api('GET', '/topics/poison/subscriptions/victim/deadletters');
        const found = listed.json.poison as Array<{ deliveryId?: string; deadLetterReason?: string }>;
        return found.length > 0 && found;
      },
      { timeoutMs: 30_000 },
    );
    expect(poison[0]).toMatchObject({
      deliveryId: 'dlv_poison',
      deadLetterReason: 'MaxDeliveryCountExceeded',
    });
  });
});

/** Every message of a queue, from the first (a fresh receiver starts no peek cursor of its own). */
async function peekAll(pipeline: Pipeline, queue: string) {
  const receiver = pipeline.serviceBusClient.createReceiver(queue);
  try {
    return await receiver.peekMessages(1000, { fromSequenceNumber: Long.ZERO });
  } finally {
    await receiver.close();
  }
}
