import { isServiceBusError } from '@azure/service-bus';
import { configWith, startHarness, type Harness } from './support/emulator';
import { drain } from '../../support/drain';

let h: Harness;

beforeAll(async () => {
  h = await startHarness(
    configWith({}, [
      {
        Name: 'events',
        Properties: { RequiresDuplicateDetection: true, DuplicateDetectionHistoryTimeWindow: 'PT1M' },
        Subscriptions: [
          { Name: 'all', Properties: { LockDuration: 'PT5S', MaxDeliveryCount: 2 } },
          {
            Name: 'orders',
            Rules: [
              {
                Name: 'by-subject',
                Properties: { FilterType: 'Correlation', CorrelationFilter: { Label: 'order.created' } },
              },
              {
                Name: 'by-property',
                Properties: {
                  FilterType: 'Correlation',
                  CorrelationFilter: { Properties: { kind: 'order' } },
                },
              },
            ],
          },
          {
            Name: 'eu-json',
            Rules: [
              {
                Name: 'both',
                Properties: {
                  FilterType: 'Correlation',
                  CorrelationFilter: { ContentType: 'application/json', Properties: { region: 'eu' } },
                },
              },
            ],
          },
        ],
      },
    ]),
  );
});
afterAll(() => h.close());

describe('topics and subscriptions', () => {
  it('copies each message to every subscription whose rules match', async () => {
    await h.client.createSender('events').sendMessages([
      { body: 1, subject: 'order.created' },
      { body: 2, applicationProperties: { kind: 'order' } },
      { body: 3, contentType: 'application/json', applicationProperties: { region: 'eu' } },
      { body: 4, contentType: 'application/json', applicationProperties: { region: 'us' } },
      {
        body: 5,
        subject: 'order.created',
        contentType: 'application/json',
        applicationProperties: { region: 'eu' },
      },
    ]);
    const all = await drain(h.client.createReceiver('events', 'all', { receiveMode: 'receiveAndDelete' }), 5);
    const orders = await drain(
      h.client.createReceiver('events', 'orders', { receiveMode: 'receiveAndDelete' }),
      3,
    );
    const eu = await drain(
      h.client.createReceiver('events', 'eu-json', { receiveMode: 'receiveAndDelete' }),
      2,
    );
    expect(all.map((m) => m.body)).toEqual([1, 2, 3, 4, 5]);
    expect(orders.map((m) => m.body)).toEqual([1, 2, 5]);
    expect(eu.map((m) => m.body)).toEqual([3, 5]);
  });

  it('abandons and dead-letters per subscription, with its own dead-letter queue', async () => {
    await h.client.createSender('events').sendMessages({ body: 'poison', messageId: 'p-1' });
    const receiver = h.client.createReceiver('events', 'all');
    const first = (await drain(receiver, 1))[0]!;
    await receiver.abandonMessage(first);
    const second = (await drain(receiver, 1))[0]!;
    expect(second.deliveryCount).toBe(1);
    await receiver.abandonMessage(second);
    const dlq = h.client.createReceiver('events', 'all', { subQueueType: 'deadLetter' });
    const [dead] = await drain(dlq, 1);
    expect(dead).toMatchObject({
      body: 'poison',
      deadLetterReason: 'MaxDeliveryCountExceeded',
      deadLetterSource: 'events/Subscriptions/all',
    });
    await dlq.completeMessage(dead!);
    const others = await h.client.createReceiver('events', 'orders').peekMessages(10);
    expect(others).toEqual([]);
  });

  it('detects duplicates at the topic', async () => {
    const sender = h.client.createSender('events');
    await sender.sendMessages({ body: 'once', messageId: 'dup-1' });
    await sender.sendMessages({ body: 'twice', messageId: 'dup-1' });
    const got = await drain(h.client.createReceiver('events', 'all', { receiveMode: 'receiveAndDelete' }), 1);
    expect(got.map((m) => m.body)).toEqual(['once']);
  });

  it('schedules and cancels on a topic', async () => {
    const sender = h.client.createSender('events');
    const at = new Date(Date.now() + 1000);
    const [cancelled] = await sender.scheduleMessages({ body: 'cancelled', subject: 'order.created' }, at);
    await sender.scheduleMessages({ body: 'scheduled', subject: 'order.created' }, at);
    await sender.cancelScheduledMessages(cancelled!);
    const orders = await drain(
      h.client.createReceiver('events', 'orders', { receiveMode: 'receiveAndDelete' }),
      1,
    );
    expect(orders[0]!.body).toBe('scheduled');
    expect(Date.now()).toBeGreaterThanOrEqual(at.getTime());
    await drain(h.client.createReceiver('events', 'all', { receiveMode: 'receiveAndDelete' }), 1);
  });

  it('refuses unknown subscriptions and receiving from the topic itself', async () => {
    const unknown = await h.client
      .createReceiver('events', 'missing')
      .receiveMessages(1, { maxWaitTimeInMs: 300 })
      .catch((e: unknown) => e);
    expect(isServiceBusError(unknown) && unknown.code).toBe('MessagingEntityNotFound');
    const fromTopic = await h.client
      .createReceiver('events')
      .receiveMessages(1, { maxWaitTimeInMs: 300 })
      .catch((e: unknown) => e);
    expect(fromTopic).toBeInstanceOf(Error);
  });
});
