import type { ServiceBusMessage, ServiceBusReceivedMessage } from '@azure/service-bus';
import Long from 'long';
import { apiFetch } from '../../support/apiClient';
import { eventKey } from '../../../shared/events/eventKey';
import { payloadBlobName } from '../../../shared/payloads/claimCheck';
import { waitFor } from '../../support/wait';
import { type Pipeline, startPipeline } from './harness';

/**
 * What a publisher to the ingress queue can send or forge, and what Switchyard answers: a
 * message that cannot be routed is refused with a reason (the `$ingress` session of
 * `deadletters`, and `GET /api/ingress/deadletters`), never thrown until Service Bus
 * dead-letters it as poison, and a claim check is followed only for the topic and event
 * Switchyard wrote it for.
 */
describe('messages sent straight to the ingress queue', () => {
  let pipeline: Pipeline;
  beforeAll(async () => {
    pipeline = await startPipeline();
  }, 120_000);
  afterAll(async () => {
    await pipeline?.stop();
  });

  /** The `$ingress` session of `deadletters`, peeked straight from Service Bus. */
  async function rejectedAtIngress(): Promise<ServiceBusReceivedMessage[]> {
    const receiver = await pipeline.serviceBusClient.acceptSession('deadletters', '$ingress');
    try {
      return await receiver.peekMessages(500, { fromSequenceNumber: Long.ZERO });
    } finally {
      await receiver.close();
    }
  }

  /** Poison: what Service Bus dead-lettered natively because route kept throwing. */
  async function ingressPoison(): Promise<ServiceBusReceivedMessage[]> {
    const receiver = pipeline.serviceBusClient.createReceiver('ingress', { subQueueType: 'deadLetter' });
    try {
      return await receiver.peekMessages(500, { fromSequenceNumber: Long.ZERO });
    } finally {
      await receiver.close();
    }
  }

  async function sendToIngress(message: ServiceBusMessage) {
    const sender = pipeline.serviceBusClient.createSender('ingress');
    try {
      await sender.sendMessages(message);
    } finally {
      await sender.close();
    }
  }

  /**
   * Waits until the message with this messageId is refused; fails as soon as it was poisoned
   * instead, or `wrongOutcome` names something that must not have happened.
   */
  async function refusal(messageId: string, wrongOutcome: () => string | undefined = () => undefined) {
    const outcome = await waitFor(
      `message ${messageId} refused at ingress`,
      async (): Promise<{ refused: ServiceBusReceivedMessage } | { wrong: string } | undefined> => {
        const wrong = wrongOutcome();
        if (wrong) return { wrong };
        const refused = (await rejectedAtIngress()).find(
          (message) => (message.body as { messageId?: string }).messageId === messageId,
        );
        if (refused) return { refused };
        const poisoned = (await ingressPoison()).find((message) => message.messageId === messageId);
        if (poisoned)
          return { wrong: `route threw on ${messageId} until it was poison: ${poisoned.deadLetterReason}` };
        return undefined;
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    if ('wrong' in outcome) throw new Error(outcome.wrong);
    return outcome.refused;
  }

  it("refuses a claim check of another topic's event: the subscriber of A gets nothing of V's event", async () => {
    await pipeline.createWebhookSubscription('topic-a', 'reader', '/topic-a');
    await pipeline.createWebhookSubscription('topic-v', 'owner', '/topic-v');
    const secret = { blob: 's'.repeat(300_000) };
    const victimKey = await pipeline.publish('topic-v', {
      id: 'v-1',
      source: '/victim',
      type: 'secret',
      data: secret,
    });
    await waitFor("V's own delivery", () => pipeline.receiver.received('/topic-v').length === 1);

    // The blob name is computable from public data: sha256(eventKey(topic, source, id)).
    const victimBlob = payloadBlobName(eventKey('topic-v', '/victim', 'v-1'));
    expect(victimBlob).toBe(payloadBlobName(victimKey));
    await sendToIngress({
      messageId: 'forged-claim-check',
      body: { specversion: '1.0', id: 'forged-1', source: '/attacker', type: 'secret' },
      contentType: 'application/cloudevents+json',
      applicationProperties: { topic: 'topic-a', payloadRef: victimBlob },
    });
    // A second, honest event on A shows that route has run past the forged one.
    await pipeline.publish('topic-a', { id: 'a-after', source: '/honest', type: 't' });
    const refused = await refusal('forged-claim-check', () => {
      const leaked = pipeline.receiver
        .received('/topic-a')
        .find((request) => request.body.includes('/victim'));
      return leaked
        ? `the subscriber of topic-a received topic-v's event (${leaked.body.length} bytes)`
        : undefined;
    });
    await waitFor('the honest event on A', () =>
      pipeline.receiver.received('/topic-a').some((request) => request.body.includes('a-after')),
    );

    expect(
      pipeline.receiver
        .received('/topic-a')
        .map((request) => (JSON.parse(request.body) as { id: string }).id),
    ).toEqual(['a-after']);
    expect(refused.body).toMatchObject({ stage: 'ingress', topic: 'topic-a', reason: 'InvalidClaimCheck' });
    expect((refused.body as { description: string }).description).toContain('payloadRef');
    // No event was recorded under A for the forged message.
    const forgedRecord = await pipeline.api('GET', `/events/${eventKey('topic-a', '/attacker', 'forged-1')}`);
    expect(forgedRecord.status).toBe(404);
  });

  it('refuses payloadRef values that are no claim check of this event, with a reason each', async () => {
    const stub = { specversion: '1.0', source: '/refs', type: 't' };
    const cases = [
      { messageId: 'ref-traversal', id: 'r-1', payloadRef: '../../x' },
      { messageId: 'ref-no-blob', id: 'r-2', payloadRef: payloadBlobName(eventKey('refs', '/refs', 'r-2')) },
      { messageId: 'ref-number', id: 'r-3', payloadRef: 42 },
      { messageId: 'ref-empty', id: 'r-4', payloadRef: '' },
    ];
    for (const { messageId, id, payloadRef } of cases) {
      await sendToIngress({
        messageId,
        body: { ...stub, id },
        contentType: 'application/cloudevents+json',
        applicationProperties: { topic: 'refs', payloadRef },
      });
    }
    for (const { messageId } of cases) {
      const refused = await refusal(messageId);
      expect(refused.body).toMatchObject({ reason: 'InvalidClaimCheck', messageId });
    }
  });

  it('refuses an event nested deeper than 64 levels at ingress, and answers 400 over HTTP naming data', async () => {
    const deep = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`;
    const overHttp = await pipeline.api(
      'POST',
      '/topics/deep/events',
      `{"specversion":"1.0","id":"d-1","source":"/deep","type":"t","data":${deep}}`,
      { 'content-type': 'application/cloudevents+json' },
    );
    expect(overHttp.status).toBe(400);
    expect(overHttp.headers.get('content-type')).toContain('application/problem+json');
    expect(overHttp.json.errors).toEqual([{ field: 'data', message: expect.stringContaining('64') }]);

    // Depth 64 (the event object counts as one level) is accepted.
    const atLimit = `${'['.repeat(63)}${']'.repeat(63)}`;
    const accepted = await pipeline.api(
      'POST',
      '/topics/deep/events',
      `{"specversion":"1.0","id":"d-ok","source":"/deep","type":"t","data":${atLimit}}`,
      { 'content-type': 'application/cloudevents+json' },
    );
    expect(accepted.status).toBe(202);

    await sendToIngress({
      messageId: 'too-deep',
      body: Buffer.from(`{"specversion":"1.0","id":"d-2","source":"/deep","type":"t","data":${deep}}`),
      contentType: 'application/cloudevents+json',
      applicationProperties: { topic: 'deep' },
    });
    const refused = await refusal('too-deep');
    expect(refused.body).toMatchObject({ reason: 'InvalidEvent', topic: 'deep' });
    expect((refused.body as { description: string }).description).toContain('64');
  });

  it('delivers an event sent straight to ingress that fits its message but not a delivery message', async () => {
    await pipeline.createWebhookSubscription('direct', 'hook', '/direct');
    // 140,000 quotes fit the ingress message as bytes; in the event's JSON each is escaped
    // (\"), so the event is ~280 KB: more than a delivery message can carry.
    const text = '"'.repeat(140_000);
    await sendToIngress({
      messageId: 'direct-text',
      body: Buffer.from(text),
      contentType: 'text/plain; charset=utf-8',
      applicationProperties: {
        topic: 'direct',
        'cloudEvents:specversion': '1.0',
        'cloudEvents:id': 'text-1',
        'cloudEvents:source': '/direct',
        'cloudEvents:type': 't',
      },
    });
    await waitFor('the delivery', () => pipeline.receiver.received('/direct').length === 1, {
      timeoutMs: 30_000,
    });
    const delivered = JSON.parse(pipeline.receiver.received('/direct')[0]?.body ?? '{}') as { data: string };
    expect(delivered.data).toBe(text);
    const status = await pipeline.api('GET', `/events/${eventKey('direct', '/direct', 'text-1')}`);
    expect(status.json.payloadRef).toBe(payloadBlobName(eventKey('direct', '/direct', 'text-1')));
  });

  it('GET /api/ingress/deadletters pages through refusals with the original message id, time and properties', async () => {
    const sentAt = Date.now();
    for (const n of [1, 2, 3]) {
      await sendToIngress({
        messageId: `listed-${n}`,
        body: { specversion: '0.3', id: `l-${n}`, source: '/list', type: 't' },
        contentType: 'application/cloudevents+json',
        applicationProperties: { topic: 'listing', team: 'payments', attempt: n },
      });
    }
    await refusal('listed-3');

    const items: Array<Record<string, unknown>> = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const query = `maxItems=2${token ? `&continuationToken=${encodeURIComponent(token)}` : ''}`;
      const page = await pipeline.api('GET', `/ingress/deadletters?${query}`);
      expect(page.status).toBe(200);
      const pageItems = page.json.items as Array<Record<string, unknown>>;
      expect(pageItems.length).toBeLessThanOrEqual(2);
      items.push(...pageItems);
      token = page.json.continuationToken as string | undefined;
      pages += 1;
    } while (token && pages < 50);
    expect(pages).toBeGreaterThan(1);

    const listed = items.filter((item) => String(item.messageId).startsWith('listed-'));
    expect(listed.map((item) => item.messageId)).toEqual(['listed-1', 'listed-2', 'listed-3']);
    expect(listed[1]).toMatchObject({
      messageId: 'listed-2',
      topic: 'listing',
      reason: 'InvalidEvent',
      description: expect.stringContaining('specversion'),
      applicationProperties: { topic: 'listing', team: 'payments', attempt: 2 },
    });
    const enqueued = Date.parse(String(listed[1]?.enqueuedTimeUtc));
    expect(enqueued).toBeGreaterThanOrEqual(sentAt - 5_000);
    expect(Date.parse(String(listed[1]?.deadLetteredAt))).toBeGreaterThanOrEqual(enqueued);

    const badToken = await pipeline.api('GET', '/ingress/deadletters?continuationToken=%7B%22a%22%3A1%7D');
    expect(badToken.status).toBe(400);
    expect(badToken.json.errors).toEqual([expect.objectContaining({ field: 'continuationToken' })]);
    const badMax = await pipeline.api('GET', '/ingress/deadletters?maxItems=0');
    expect(badMax.status).toBe(400);
    const noKey = await apiFetch(`${pipeline.host.url}/api/ingress/deadletters`);
    expect(noKey.status).toBe(401);
  });
});
