import { RestError } from '@azure/core-rest-pipeline';
import { ServiceBusAdministrationClient } from '@azure/service-bus';
import { emulatorHttpPolicy } from '../../../local/servicebus-emulator';
import { waitFor } from '../../support/wait';
import { configWith, startHarness, type Harness } from './support/emulator';
import { drain } from '../../support/drain';
import { rejectionOf } from '../../support/rejection';

/** Topics, subscriptions and rules created at run time through ServiceBusAdministrationClient. */
let h: Harness;
let admin: ServiceBusAdministrationClient;

beforeAll(async () => {
  h = await startHarness(configWith({}, []));
  admin = new ServiceBusAdministrationClient(h.emulator.adminConnectionString, {
    retryOptions: { maxRetries: 0 },
  });
  admin.pipeline.addPolicy(emulatorHttpPolicy);
});
afterAll(() => h.close());

const failure = (promise: Promise<unknown>): Promise<RestError> => rejectionOf(promise, RestError);

describe('admin API: topics, subscriptions and rules created at run time', () => {
  it('fans out through subscriptions created with a default SQL rule, correlation rules and SQL actions', async () => {
    await admin.createTopic('orders', {
      requiresDuplicateDetection: true,
      duplicateDetectionHistoryTimeWindow: 'PT1M',
    });
    await admin.createSubscription('orders', 'all');
    await admin.createSubscription('orders', 'big', {
      defaultRuleOptions: {
        name: 'big-only',
        filter: { sqlExpression: 'total > @limit', sqlParameters: { '@limit': 100 } },
      },
    });
    await admin.createSubscription('orders', 'eu', { lockDuration: 'PT20S' });
    await admin.deleteRule('orders', 'eu', '$Default');
    await admin.createRule(
      'orders',
      'eu',
      'by-region',
      { applicationProperties: { region: 'eu' }, subject: 'order' },
      { sqlExpression: "SET routed = 'eu'" },
    );

    const sender = h.client.createSender('orders');
    await sender.sendMessages([
      { body: 1, messageId: 'a', subject: 'order', applicationProperties: { total: 50, region: 'eu' } },
      { body: 2, messageId: 'b', subject: 'order', applicationProperties: { total: 500, region: 'us' } },
      { body: 3, messageId: 'c', subject: 'order', applicationProperties: { total: 900, region: 'eu' } },
    ]);
    // Duplicate detection on the run-time topic: the same MessageId again is dropped.
    await sender.sendMessages({
      body: 'again',
      messageId: 'a',
      subject: 'order',
      applicationProperties: { total: 50, region: 'eu' },
    });

    const all = await drain(h.client.createReceiver('orders', 'all', { receiveMode: 'receiveAndDelete' }), 3);
    const big = await drain(h.client.createReceiver('orders', 'big', { receiveMode: 'receiveAndDelete' }), 2);
    const eu = await drain(h.client.createReceiver('orders', 'eu'), 2);
    expect(all.map((m) => m.body)).toEqual([1, 2, 3]);
    expect(big.map((m) => m.body)).toEqual([2, 3]);
    expect(eu.map((m) => [m.body, m.applicationProperties?.routed])).toEqual([
      [1, 'eu'],
      [3, 'eu'],
    ]);

    const rules = [];
    for await (const rule of admin.listRules('orders', 'eu')) rules.push(rule);
    expect(rules.map((rule) => rule.name)).toEqual(['by-region']);
    expect(rules[0]).toMatchObject({
      filter: { subject: 'order', applicationProperties: { region: 'eu' } },
      action: { sqlExpression: "SET routed = 'eu'" },
    });
    expect((await admin.getRule('orders', 'big', 'big-only')).filter).toEqual({
      sqlExpression: 'total > @limit',
      sqlParameters: { '@limit': 100 },
    });
    expect(await admin.ruleExists('orders', 'all', '$Default')).toBe(true);
  });

  it('shares rules with ServiceBusRuleManager: each sees what the other added', async () => {
    await admin.createTopic('shared-rules');
    await admin.createSubscription('shared-rules', 'sub');
    const manager = h.client.createRuleManager('shared-rules', 'sub');
    await manager.createRule('amqp-rule', { sqlExpression: 'n > 1' });
    await admin.createRule('shared-rules', 'sub', 'http-rule', { correlationId: 'c' });
    expect((await admin.getRule('shared-rules', 'sub', 'amqp-rule')).filter).toEqual({
      sqlExpression: 'n > 1',
      sqlParameters: undefined,
    });
    const viaAmqp: string[] = [];
    for await (const rule of manager.listRules()) viaAmqp.push(rule.name);
    expect(viaAmqp).toEqual(['$Default', 'amqp-rule', 'http-rule']);
    await manager.deleteRule('http-rule');
    expect(await admin.ruleExists('shared-rules', 'sub', 'http-rule')).toBe(false);
  });

  it('reports topic and subscription runtime properties', async () => {
    await admin.createTopic('metrics');
    await admin.createSubscription('metrics', 'one', { maxDeliveryCount: 1 });
    await admin.createSubscription('metrics', 'two');
    const sender = h.client.createSender('metrics');
    await sender.sendMessages([{ body: 'x' }, { body: 'y' }]);
    await sender.scheduleMessages({ body: 'later' }, new Date(Date.now() + 60 * 60_000));
    const receiver = h.client.createReceiver('metrics', 'one');
    const [first] = await receiver.receiveMessages(1, { maxWaitTimeInMs: 2000 });
    await receiver.abandonMessage(first!);
    const one = await waitFor('the abandoned message in the dead-letter queue', async () => {
      const props = await admin.getSubscriptionRuntimeProperties('metrics', 'one');
      return props.deadLetterMessageCount === 1 && props;
    });
    // 'y' active, 'x' dead-lettered, 'later' scheduled (counted in the total only: the SDK has no
    // scheduled count for subscriptions).
    expect(one).toMatchObject({
      topicName: 'metrics',
      subscriptionName: 'one',
      activeMessageCount: 1,
      deadLetterMessageCount: 1,
      totalMessageCount: 3,
    });
    const two = await admin.getSubscriptionRuntimeProperties('metrics', 'two');
    expect(two).toMatchObject({
      activeMessageCount: 2,
      deadLetterMessageCount: 0,
      transferDeadLetterMessageCount: 0,
      totalMessageCount: 3,
    });
    const topic = await admin.getTopicRuntimeProperties('metrics');
    expect(topic).toMatchObject({ name: 'metrics', subscriptionCount: 2, scheduledMessageCount: 1 });
    expect(topic.sizeInBytes).toBeGreaterThan(0);
    const listed: string[] = [];
    for await (const sub of admin.listSubscriptions('metrics')) listed.push(sub.subscriptionName);
    expect(listed).toEqual(['one', 'two']);
  });

  it('refuses duplicates with 409, bad SQL with 400 naming the position, and unknown parents with 404', async () => {
    await admin.createTopic('checks');
    await admin.createSubscription('checks', 'sub');
    const sub = await failure(admin.createSubscription('checks', 'SUB'));
    expect([sub.statusCode, sub.code]).toEqual([409, 'MessageEntityAlreadyExistsError']);
    const rule = await failure(admin.createRule('checks', 'sub', '$Default', { sqlExpression: '1=1' }));
    expect([rule.statusCode, rule.code]).toEqual([409, 'MessageEntityAlreadyExistsError']);
    const syntax = await failure(
      admin.createRule('checks', 'sub', 'broken', { sqlExpression: "color = = 'red'" }),
    );
    expect(syntax.statusCode).toBe(400);
    expect(syntax.message).toMatch(/position 8/);
    expect(await admin.ruleExists('checks', 'sub', 'broken')).toBe(false);
    const badDefault = await failure(
      admin.createSubscription('checks', 'bad-default', {
        defaultRuleOptions: { name: 'x', filter: { sqlExpression: 'a >' } },
      }),
    );
    expect(badDefault.statusCode).toBe(400);
    expect(await admin.subscriptionExists('checks', 'bad-default')).toBe(false);
    expect((await failure(admin.createSubscription('no-such-topic', 'sub'))).statusCode).toBe(404);
    expect((await failure(admin.deleteRule('checks', 'sub', 'missing'))).statusCode).toBe(404);
  });

  it('updates a rule and a subscription in place, and deletes them', async () => {
    await admin.createTopic('changes');
    await admin.createSubscription('changes', 'sub');
    const rule = await admin.createRule('changes', 'sub', 'color', { sqlExpression: "color = 'red'" });
    await admin.deleteRule('changes', 'sub', '$Default');
    const updated = await admin.updateRule('changes', 'sub', {
      ...rule,
      filter: { sqlExpression: "color = 'blue'" },
    });
    expect(updated.filter).toMatchObject({ sqlExpression: "color = 'blue'" });
    const subscription = await admin.getSubscription('changes', 'sub');
    expect(
      (await admin.updateSubscription({ ...subscription, lockDuration: 'PT15S', maxDeliveryCount: 4 }))
        .lockDuration,
    ).toBe('PT15S');
    await h.client.createSender('changes').sendMessages([
      { body: 'red', applicationProperties: { color: 'red' } },
      { body: 'blue', applicationProperties: { color: 'blue' } },
    ]);
    const receiver = h.client.createReceiver('changes', 'sub');
    const [message] = await drain(receiver, 1);
    expect(message!.body).toBe('blue');
    // LockDuration PT15S applies to the live subscription.
    expect(message!.lockedUntilUtc!.getTime() - Date.now()).toBeGreaterThan(10_000);
    await receiver.completeMessage(message!);
    const topic = await admin.getTopic('changes');
    expect((await admin.updateTopic({ ...topic, userMetadata: 'kept' })).userMetadata).toBe('kept');
    const ttl = await failure(admin.updateTopic({ ...topic, defaultMessageTimeToLive: 'PT1M' }));
    expect([ttl.statusCode, ttl.message]).toEqual([400, expect.stringContaining('DefaultMessageTimeToLive')]);
    await admin.deleteSubscription('changes', 'sub');
    expect(await admin.subscriptionExists('changes', 'sub')).toBe(false);
    await admin.deleteTopic('changes');
    expect(await admin.topicExists('changes')).toBe(false);
  });
});
