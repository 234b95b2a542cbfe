import {
  isServiceBusError,
  ServiceBusAdministrationClient,
  type CorrelationRuleFilter,
  type PeekMessagesOptions,
  type RuleProperties,
  type ServiceBusReceivedMessage,
  type ServiceBusReceiver,
} from '@azure/service-bus';
import { emulatorHttpPolicy } from '../../../local/servicebus-emulator';
import { waitFor } from '../../support/wait';
import { configWith, startHarness, type Harness } from './support/emulator';

/**
 * Behaviours the @azure/service-bus SDK's own tests expect of Service Bus, checked through the
 * unmodified SDK: Date values round-trip as AMQP timestamps (messages and correlation filters),
 * a deferred message counts the delivery it was deferred from, peekMessages honours
 * omitMessageBody, and links on a deleted entity are detached so the same client reaches the
 * entity recreated under that name.
 */
let h: Harness;
let admin: ServiceBusAdministrationClient;

const WHEN = new Date('2026-03-01T12:34:56.789Z');

beforeAll(async () => {
  h = await startHarness(
    configWith(
      {
        dates: {},
        deferrals: {},
        peeks: {},
        'peeks-sessions': { RequiresSession: true },
      },
      [
        {
          Name: 'dated',
          Subscriptions: [
            {
              Name: 'stamped',
              Rules: [
                {
                  Name: 'stamp',
                  Properties: {
                    FilterType: 'Sql',
                    SqlFilter: { SqlExpression: '1=1' },
                    Action: { SqlExpression: "SET copied = 'yes'" },
                  },
                },
              ],
            },
            { Name: 'by-date' },
          ],
        },
      ],
    ),
  );
  admin = new ServiceBusAdministrationClient(h.emulator.adminConnectionString, {
    retryOptions: { maxRetries: 0 },
  });
  admin.pipeline.addPolicy(emulatorHttpPolicy);
});
afterAll(() => h.close());

async function receiveOne(receiver: ServiceBusReceiver): Promise<ServiceBusReceivedMessage> {
  return waitFor('a message', async () => (await receiver.receiveMessages(1, { maxWaitTimeInMs: 300 }))[0]);
}

async function rulesOf(topic: string, subscription: string): Promise<RuleProperties[]> {
  const rules: RuleProperties[] = [];
  for await (const rule of h.client.createRuleManager(topic, subscription).listRules()) rules.push(rule);
  return rules;
}

describe('Date values', () => {
  it('a Date application property comes back as a Date on every path (AMQP timestamp)', async () => {
    const sender = h.client.createSender('dates');
    const receiver = h.client.createReceiver('dates', { skipConvertingDate: true });
    const dated = { applicationProperties: { when: WHEN, label: 'x' } };

    await sender.sendMessages({ body: 'single', ...dated });
    const batch = await sender.createMessageBatch();
    expect(batch.tryAddMessage({ body: 'batched', ...dated })).toBe(true);
    await sender.sendMessages(batch);
    await sender.scheduleMessages({ body: 'scheduled', ...dated }, new Date(Date.now() + 200));

    const peeked = await receiver.peekMessages(2);
    expect(peeked.map((m) => m.applicationProperties?.when)).toEqual([WHEN, WHEN]);

    const received: ServiceBusReceivedMessage[] = [];
    await waitFor('three messages', async () => {
      received.push(...(await receiver.receiveMessages(3 - received.length, { maxWaitTimeInMs: 300 })));
      return received.length === 3;
    });
    expect(received.map((m) => [m.body, m.applicationProperties?.when])).toEqual([
      ['single', WHEN],
      ['batched', WHEN],
      ['scheduled', WHEN],
    ]);

    // A Date given when abandoning and when dead-lettering is kept as a Date too.
    const later = new Date(WHEN.getTime() + 1000);
    await receiver.abandonMessage(received[0]!, { retriedAt: later });
    await receiver.completeMessage(received[1]!);
    await receiver.deadLetterMessage(received[2]!, { deadLetterReason: 'dated', failedAt: later } as never);
    const again = await receiveOne(receiver);
    expect(again.applicationProperties).toEqual({ when: WHEN, label: 'x', retriedAt: later });
    await receiver.completeMessage(again);
    const deadLetters = h.client.createReceiver('dates', {
      subQueueType: 'deadLetter',
      skipConvertingDate: true,
    });
    const dead = await receiveOne(deadLetters);
    expect(dead.applicationProperties).toMatchObject({
      when: WHEN,
      failedAt: later,
      DeadLetterReason: 'dated',
    });
    await deadLetters.completeMessage(dead);
  });

  it('a Date in a correlation filter is kept by getRules (AMQP and admin API) and matches that time', async () => {
    const manager = h.client.createRuleManager('dated', 'by-date');
    await manager.deleteRule('$Default');
    await manager.createRule('at-when', { applicationProperties: { when: WHEN, kind: 'audit' } });
    const [rule] = await rulesOf('dated', 'by-date');
    expect((rule!.filter as CorrelationRuleFilter).applicationProperties).toEqual({
      when: WHEN,
      kind: 'audit',
    });

    const viaAdmin = await admin.getRule('dated', 'by-date', 'at-when');
    expect((viaAdmin.filter as CorrelationRuleFilter).applicationProperties).toEqual({
      when: WHEN,
      kind: 'audit',
    });
    await admin.createRule('dated', 'by-date', 'at-later', {
      applicationProperties: { when: new Date(WHEN.getTime() + 60_000) },
    });
    const afterAdmin = await rulesOf('dated', 'by-date');
    expect(
      afterAdmin.map((r) => [r.name, (r.filter as CorrelationRuleFilter).applicationProperties?.when]),
    ).toEqual([
      ['at-when', WHEN],
      ['at-later', new Date(WHEN.getTime() + 60_000)],
    ]);

    const sender = h.client.createSender('dated');
    await sender.sendMessages([
      { body: 'other time', applicationProperties: { when: new Date(WHEN.getTime() + 1), kind: 'audit' } },
      { body: 'that time', applicationProperties: { when: WHEN, kind: 'audit' } },
    ]);
    const receiver = h.client.createReceiver('dated', 'by-date', { skipConvertingDate: true });
    const matched = await receiveOne(receiver);
    expect(matched.body).toBe('that time');
    expect(matched.applicationProperties?.when).toEqual(WHEN);
    await receiver.completeMessage(matched);
    expect(await receiver.peekMessages(5)).toEqual([]);

    // A copy changed by a rule action keeps the Date too.
    const stamped = h.client.createReceiver('dated', 'stamped', { skipConvertingDate: true });
    const copies = [await receiveOne(stamped), await receiveOne(stamped)];
    expect(copies.map((m) => m.applicationProperties?.when)).toEqual([new Date(WHEN.getTime() + 1), WHEN]);
    expect(copies.every((m) => m.applicationProperties?.copied === 'yes')).toBe(true);
    await Promise.all(copies.map((m) => stamped.completeMessage(m)));
  });
});

describe('deferred messages', () => {
  it('count the delivery they were deferred from, and each later one that did not complete', async () => {
    await h.client.createSender('deferrals').sendMessages({ body: 'later', messageId: 'deferred-1' });
    const receiver = h.client.createReceiver('deferrals');
    const first = await receiveOne(receiver);
    expect(first.deliveryCount).toBe(0);
    const sequenceNumber = first.sequenceNumber!;
    await receiver.deferMessage(first);

    const [once] = await receiver.receiveDeferredMessages(sequenceNumber);
    expect(once!.deliveryCount).toBe(1);
    expect(once!.state).toBe('deferred');
    await receiver.deferMessage(once!);
    const [twice] = await receiver.receiveDeferredMessages(sequenceNumber);
    expect(twice!.deliveryCount).toBe(2);
    await receiver.abandonMessage(twice!);
    const [thrice] = await receiver.receiveDeferredMessages(sequenceNumber);
    expect(thrice!.deliveryCount).toBe(3);
    await receiver.deadLetterMessage(thrice!);

    const dead = await receiveOne(h.client.createReceiver('deferrals', { subQueueType: 'deadLetter' }));
    expect(dead.messageId).toBe('deferred-1');
    expect(dead.deliveryCount).toBe(3);
  });
});

/** SDK 7.9 sends `omit-message-body` but its PeekMessagesOptions type does not declare the option yet. */
function peekOptions(omitMessageBody: boolean, more: PeekMessagesOptions = {}): PeekMessagesOptions {
  const options: PeekMessagesOptions & { omitMessageBody: boolean } = { ...more, omitMessageBody };
  return options;
}

describe('peekMessages', () => {
  it('omitMessageBody leaves the body out and keeps everything else', async () => {
    await h.client
      .createSender('peeks')
      .sendMessages({ body: { big: 'x'.repeat(1000) }, messageId: 'p-1', applicationProperties: { a: 1 } });
    const receiver = h.client.createReceiver('peeks');
    const [bare] = await receiver.peekMessages(1, peekOptions(true));
    expect(bare!.body).toBeUndefined();
    expect(bare!.messageId).toBe('p-1');
    expect(bare!.applicationProperties).toEqual({ a: 1 });
    expect(bare!.sequenceNumber!.toNumber()).toBe(1);
    const [full] = await receiver.peekMessages(
      1,
      peekOptions(false, { fromSequenceNumber: bare!.sequenceNumber! }),
    );
    expect(full!.body).toEqual({ big: 'x'.repeat(1000) });
    const received = await receiveOne(receiver);
    expect(received.body).toEqual({ big: 'x'.repeat(1000) });
  });

  it('omitMessageBody works within a session too', async () => {
    await h.client.createSender('peeks-sessions').sendMessages({ body: 'in session', sessionId: 's1' });
    const session = await h.client.acceptSession('peeks-sessions', 's1');
    const [bare] = await session.peekMessages(1, peekOptions(true));
    expect(bare!.body).toBeUndefined();
    expect(bare!.sessionId).toBe('s1');
    await session.close();
  });
});

describe('an entity deleted and recreated', () => {
  it('detaches the links on the old queue; the same sender, receiver and management link reach the new one', async () => {
    await admin.createQueue('phoenix');
    const sender = h.client.createSender('phoenix');
    const receiver = h.client.createReceiver('phoenix');
    await sender.sendMessages({ body: 'before' });
    expect((await receiver.peekMessages(1))[0]!.body).toBe('before');
    const before = await receiveOne(receiver);
    expect(before.body).toBe('before');

    await admin.deleteQueue('phoenix');
    const gone = await waitFor('the sender to see the queue gone', async () => {
      const error = await sender.sendMessages({ body: 'lost' }).then(
        () => undefined,
        (caught: unknown) => caught,
      );
      return isServiceBusError(error) && error.code === 'MessagingEntityNotFound' ? error : undefined;
    });
    expect(gone.message).toMatch(/could not be found/);
    // The lock of a message of the deleted queue is gone with it.
    const settle = await receiver.completeMessage(before).then(
      () => 'settled',
      (caught: unknown) => caught,
    );
    expect(settle).not.toBe('settled');

    await admin.createQueue('phoenix');
    await waitFor('a send to the recreated queue', () =>
      sender.sendMessages({ body: 'after' }).then(() => true),
    );
    const after = await receiveOne(receiver);
    expect(after.body).toBe('after');
    expect(after.sequenceNumber!.toNumber()).toBe(1);
    await receiver.completeMessage(after);
    expect(await receiver.peekMessages(1)).toEqual([]);
    expect((await admin.getQueueRuntimeProperties('phoenix')).totalMessageCount).toBe(0);
  });

  it('a streaming receiver on a deleted subscription is told, and receives from the recreated one', async () => {
    await admin.createTopic('reborn');
    await admin.createSubscription('reborn', 'sub');
    const errors: string[] = [];
    const bodies: unknown[] = [];
    const receiver = h.client.createReceiver('reborn', 'sub');
    const subscription = receiver.subscribe(
      {
        processMessage: async (message) => void bodies.push(message.body),
        processError: async ({ error }) =>
          void errors.push(isServiceBusError(error) ? error.code : error.name),
      },
      { autoCompleteMessages: true },
    );
    const sender = h.client.createSender('reborn');
    await sender.sendMessages({ body: 'first life' });
    await waitFor('the first message', () => bodies.includes('first life'));

    await admin.deleteSubscription('reborn', 'sub');
    await waitFor('the receiver to be told', () => errors.includes('MessagingEntityNotFound'));
    await admin.createSubscription('reborn', 'sub');
    await waitFor(
      'the second message',
      async () => {
        await sender.sendMessages({ body: 'second life' });
        return bodies.includes('second life');
      },
      { timeoutMs: 30_000, intervalMs: 1000 },
    );
    await subscription.close();
  });
});
