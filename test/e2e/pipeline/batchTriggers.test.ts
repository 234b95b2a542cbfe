import type { ServiceBusMessage } from '@azure/service-bus';
import Long from 'long';
import { toDeliveryServiceBusMessage } from '../../../shared/bus/deliveryMessages';
import type { DeliveryMessage } from '../../../shared/domain/types';
import { eventKey as eventKeyOf } from '../../../shared/events/eventKey';
import { PROCESSING_FAILURES_PROPERTY } from '../../../shared/pipeline/batch';
import { deliveryIdOf } from '../../../shared/pipeline/deliveryId';
import { waitFor } from '../../support/wait';
import { type Pipeline, startPipeline } from './harness';

const BATCH = 50;

/**
 * route and deliver with cardinality many (the default), through the dev host with host.json's
 * batch settings raised so that the 50 messages sent at once arrive as one batch: a bad or
 * undeliverable message takes its own path, and the other 49 are handled once, as if alone.
 */
describe('batch triggers: one bad message in a batch of 50 affects only itself', () => {
  let pipeline: Pipeline;
  beforeAll(async () => {
    pipeline = await startPipeline({
      settings: {
        SWITCHYARD_PIPELINE_CARDINALITY: 'many',
        AzureFunctionsJobHost__extensions__serviceBus__minMessageBatchSize: String(BATCH),
        AzureFunctionsJobHost__extensions__serviceBus__maxBatchWaitTime: '00:00:02',
      },
    });
  }, 180_000);
  afterAll(async () => {
    await pipeline?.stop();
  });

  async function send(queue: string, messages: ServiceBusMessage[]): Promise<void> {
    const sender = pipeline.serviceBusClient.createSender(queue);
    try {
      await sender.sendMessages(messages);
    } finally {
      await sender.close();
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

  function eventIds(path: string): string[] {
    return pipeline.receiver.received(path).map((request) => (JSON.parse(request.body) as { id: string }).id);
  }

  it('route: an invalid event is rejected to the ingress dead letters, the 49 others are delivered once', async () => {
    await pipeline.createWebhookSubscription('batchin', 'hook', '/batchin');
    const messages: ServiceBusMessage[] = [];
    for (let n = 0; n < BATCH; n += 1) {
      const event =
        n === 20
          ? { specversion: '1.0', source: '/batch', type: 't' } // no id: no CloudEvent
          : { specversion: '1.0', id: `in-${n}`, source: '/batch', type: 't', data: { n } };
      messages.push({
        body: Buffer.from(JSON.stringify(event)),
        messageId: `batch-in-${n}`,
        contentType: 'application/cloudevents+json',
        applicationProperties: { topic: 'batchin' },
      });
    }
    await send('ingress', messages);

    const expected = messages.map((_, n) => `in-${n}`).filter((id) => id !== 'in-20');
    await waitFor('49 deliveries', () => eventIds('/batchin').length >= expected.length, {
      timeoutMs: 120_000,
    });
    const deadLetter = await waitFor(
      'the invalid event in the ingress dead letters',
      async () => {
        const response = await pipeline.api('GET', '/ingress/deadletters');
        const items = response.json.items as Array<{ messageId?: string; reason: string }>;
        return items.find((item) => item.messageId === 'batch-in-20');
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    expect(deadLetter.reason).toBe('InvalidEvent');
    expect(pipeline.host.logs()).toContain(`'ingress' (${BATCH} messages)`);
    // Each good event exactly once: the batch was not abandoned and redelivered.
    expect(eventIds('/batchin').sort()).toEqual(expected.sort());
    expect(await nativeDeadLetterCount('ingress')).toBe(0);
  }, 240_000);

  it('deliver: a webhook 400, a foreign claim check and an unreadable message each go their own way', async () => {
    await pipeline.createWebhookSubscription('batchout', 'hook', '/batchout');
    await pipeline.createWebhookSubscription('batchout', 'refuses', '/refuses');
    pipeline.receiver.respond('/refuses', [400]);
    const now = new Date().toISOString();
    const delivery = (n: number, subscription: string): DeliveryMessage => {
      const event = { specversion: '1.0' as const, id: `out-${n}`, source: '/batch', type: 't', data: { n } };
      const eventKey = eventKeyOf('batchout', event.source, event.id);
      return {
        deliveryId: deliveryIdOf(eventKey, 'batchout', subscription),
        eventKey,
        topic: 'batchout',
        subscription,
        attempt: 1,
        firstAttemptAt: now,
        event,
      };
    };
    const messages: ServiceBusMessage[] = [];
    const good: string[] = [];
    for (let n = 0; n < BATCH - 4; n += 1) {
      messages.push(toDeliveryServiceBusMessage(delivery(n, 'hook')));
      good.push(`out-${n}`);
    }
    const refused = delivery(100, 'refuses');
    messages.push(toDeliveryServiceBusMessage(refused));
    const { event: _event, ...withoutEvent } = delivery(101, 'hook');
    const foreignClaimCheck = { ...withoutEvent, payloadRef: 'other-topic/someone-else.json' };
    messages.push(toDeliveryServiceBusMessage(foreignClaimCheck));
    // Not a delivery message: deliver throws on it. Once it goes round as a failed copy; the
    // other has failed nine times already, so this failure is its last.
    messages.push({ body: { unreadable: true }, contentType: 'application/json', messageId: 'unreadable-1' });
    messages.push({
      body: { unreadable: true },
      contentType: 'application/json',
      messageId: 'unreadable-last',
      applicationProperties: { [PROCESSING_FAILURES_PROPERTY]: 9 },
    });
    expect(messages).toHaveLength(BATCH);
    await send('deliveries', messages);

    await waitFor('46 deliveries and the refused one', () => eventIds('/batchout').length >= good.length, {
      timeoutMs: 120_000,
    });
    await waitFor('the refused attempt', () => pipeline.receiver.received('/refuses').length >= 1, {
      timeoutMs: 60_000,
    });
    const refusedStatus = await waitFor(
      'the refused delivery dead-lettered',
      async () => {
        const response = await pipeline.api('GET', '/topics/batchout/subscriptions/refuses/deadletters');
        const items = response.json.items as Array<{ deliveryId: string; status: string }>;
        return items.find((item) => item.deliveryId === refused.deliveryId);
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    expect(refusedStatus.status).toBe('deadLettered');
    const claimCheckStatus = await waitFor(
      'the foreign claim check dead-lettered',
      async () => {
        const response = await pipeline.api('GET', '/topics/batchout/subscriptions/hook/deadletters');
        const items = response.json.items as Array<{ deliveryId: string; status: string }>;
        return items.find((item) => item.deliveryId === foreignClaimCheck.deliveryId);
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    expect(claimCheckStatus.status).toBe('deadLettered');
    await waitFor(
      'the unreadable messages handled',
      () =>
        /unreadable-1 failed \(not a delivery message[^)]*\): redelivered, failure 1 of 10/.test(
          pipeline.host.logs(),
        ) && /unreadable-last failed 10 times .*dropped/.test(pipeline.host.logs()),
      { timeoutMs: 60_000 },
    );
    expect(pipeline.host.logs()).toContain(`'deliveries' (${BATCH} messages)`);
    // Each good delivery exactly once, and nothing left to Service Bus's own dead-lettering.
    expect(eventIds('/batchout').sort()).toEqual(good.sort());
    expect(pipeline.receiver.received('/refuses')).toHaveLength(1);
    // Nothing was left to Service Bus's own dead-lettering: no batch was abandoned.
    expect(await nativeDeadLetterCount('deliveries')).toBe(0);
  }, 240_000);
});
