import { RestError } from '@azure/core-rest-pipeline';
import {
  isServiceBusError,
  ServiceBusAdministrationClient,
  type ServiceBusReceivedMessage,
  type ServiceBusReceiver,
} from '@azure/service-bus';
import { emulatorHttpPolicy } from '../../../local/servicebus-emulator';
import { waitFor } from '../../support/wait';
import { configWith, startHarness, type Harness } from './support/emulator';
import { rejectionOf } from '../../support/rejection';

/**
 * The admin HTTP API through the official ServiceBusAdministrationClient only (SDK 7.9 needs
 * emulatorHttpPolicy to speak plain http), and run-time entities through ServiceBusClient.
 */
let h: Harness;
let admin: ServiceBusAdministrationClient;

function adminClient(connectionString: string): ServiceBusAdministrationClient {
  const client = new ServiceBusAdministrationClient(connectionString, { retryOptions: { maxRetries: 0 } });
  client.pipeline.addPolicy(emulatorHttpPolicy);
  return client;
}

beforeAll(async () => {
  h = await startHarness(
    configWith({ configured: { LockDuration: 'PT5S', MaxDeliveryCount: 3 } }, [
      { Name: 'configured-topic', Subscriptions: [{ Name: 'all', Properties: { LockDuration: 'PT10S' } }] },
    ]),
  );
  admin = adminClient(h.emulator.adminConnectionString);
});
afterAll(() => h.close());

async function receiveOne(receiver: ServiceBusReceiver): Promise<ServiceBusReceivedMessage> {
  return waitFor('a message', async () => (await receiver.receiveMessages(1, { maxWaitTimeInMs: 300 }))[0]);
}

const failure = (promise: Promise<unknown>): Promise<RestError> => rejectionOf(promise, RestError);

describe('admin API: entities from Config.json', () => {
  it('describes configured queues, topics and subscriptions as the service does', async () => {
    const queue = await admin.getQueue('configured');
    expect(queue).toMatchObject({
      name: 'configured',
      lockDuration: 'PT5S',
      maxDeliveryCount: 3,
      requiresSession: false,
      status: 'Active',
    });
    expect(await admin.getTopic('configured-topic')).toMatchObject({
      name: 'configured-topic',
      requiresDuplicateDetection: false,
    });
    expect(await admin.getSubscription('configured-topic', 'all')).toMatchObject({
      topicName: 'configured-topic',
      subscriptionName: 'all',
      lockDuration: 'PT10S',
    });
    expect(await admin.queueExists('configured')).toBe(true);
    expect(await admin.topicExists('configured-topic')).toBe(true);
    expect(await admin.subscriptionExists('configured-topic', 'all')).toBe(true);
    expect(await admin.queueExists('missing')).toBe(false);
    expect(await admin.subscriptionExists('configured-topic', 'missing')).toBe(false);
    const rules = [];
    for await (const rule of admin.listRules('configured-topic', 'all')) rules.push(rule);
    expect(rules.map((rule) => [rule.name, rule.filter])).toEqual([
      ['$Default', { sqlExpression: '1=1', sqlParameters: undefined }],
    ]);
    expect((await admin.getNamespaceProperties()).name).toBe('sbemulatorns');
  });

  it('answers a missing entity with MessageEntityNotFoundError and a wrong key with 401', async () => {
    expect((await failure(admin.getQueue('missing'))).code).toBe('MessageEntityNotFoundError');
    const deleted = await failure(admin.deleteQueue('missing'));
    expect([deleted.statusCode, deleted.code]).toEqual([404, 'MessageEntityNotFoundError']);
    expect((await failure(admin.getSubscription('configured-topic', 'missing'))).statusCode).toBe(404);
    const wrongKey = adminClient(
      h.emulator.adminConnectionString.replace(/SharedAccessKey=[^;]*/, 'SharedAccessKey=wrong'),
    );
    const refused = await failure(wrongKey.getQueue('configured'));
    expect([refused.statusCode, refused.code]).toEqual([401, 'UnauthorizedRequestError']);
  });
});

describe('admin API: queues created at run time', () => {
  it('creates a queue that sends, receives and settles at once, with its runtime properties', async () => {
    const created = await admin.createQueue('runtime-q', {
      lockDuration: 'PT30S',
      maxDeliveryCount: 2,
      userMetadata: 'made at run time',
    });
    expect(created).toMatchObject({
      name: 'runtime-q',
      lockDuration: 'PT30S',
      maxDeliveryCount: 2,
      userMetadata: 'made at run time',
    });
    const sender = h.client.createSender('runtime-q');
    await sender.sendMessages([{ body: 'one' }, { body: 'two' }, { body: 'three' }]);
    await sender.scheduleMessages({ body: 'later' }, new Date(Date.now() + 60 * 60_000));
    const receiver = h.client.createReceiver('runtime-q');
    const first = await receiveOne(receiver);
    await receiver.deadLetterMessage(first, {
      deadLetterReason: 'test',
      deadLetterErrorDescription: 'dead-lettered by the test',
    });
    const second = await receiveOne(receiver);
    await receiver.completeMessage(second);
    const runtime = await admin.getQueueRuntimeProperties('runtime-q');
    expect(runtime).toMatchObject({
      activeMessageCount: 1,
      deadLetterMessageCount: 1,
      scheduledMessageCount: 1,
      transferMessageCount: 0,
      totalMessageCount: 3,
    });
    expect(runtime.sizeInBytes).toBeGreaterThan(0);
    expect(runtime.createdAt.getTime()).toBeLessThanOrEqual(runtime.modifiedAt.getTime());
    expect(runtime.accessedAt.getTime()).toBeGreaterThanOrEqual(runtime.createdAt.getTime());
  });

  it('creates a session queue whose sessions work at once', async () => {
    expect(
      (await admin.createQueue('runtime-sessions', { requiresSession: true, lockDuration: 'PT10S' }))
        .requiresSession,
    ).toBe(true);
    await h.client.createSender('runtime-sessions').sendMessages([
      { body: 'a1', sessionId: 'a' },
      { body: 'b1', sessionId: 'b' },
      { body: 'a2', sessionId: 'a' },
    ]);
    const session = await h.client.acceptSession('runtime-sessions', 'a', {
      receiveMode: 'receiveAndDelete',
    });
    const bodies: unknown[] = [];
    await waitFor('session a', async () => {
      bodies.push(...(await session.receiveMessages(2, { maxWaitTimeInMs: 300 })).map((m) => m.body));
      return bodies.length >= 2;
    });
    expect(bodies).toEqual(['a1', 'a2']);
    await session.close();
    expect(await admin.getQueueRuntimeProperties('runtime-sessions')).toMatchObject({
      activeMessageCount: 1,
      totalMessageCount: 1,
    });
  });

  it('refuses a second entity with the same name, queue or topic, with 409', async () => {
    await admin.createQueue('taken');
    for (const attempt of [
      () => admin.createQueue('taken'),
      () => admin.createQueue('TAKEN'),
      () => admin.createTopic('taken'),
    ]) {
      const error = await failure(attempt());
      expect([error.statusCode, error.code]).toEqual([409, 'MessageEntityAlreadyExistsError']);
    }
  });

  it('refuses an invalid description with 400 naming the field', async () => {
    const error = await failure(admin.createQueue('bad-lock', { lockDuration: 'soon' }));
    expect(error.statusCode).toBe(400);
    expect(error.message).toContain('LockDuration');
    expect(await admin.queueExists('bad-lock')).toBe(false);
  });

  it('applies an update to a live queue without losing its messages', async () => {
    await admin.createQueue('updated-q', { maxDeliveryCount: 5 });
    await h.client.createSender('updated-q').sendMessages({ body: 'kept' });
    const queue = await admin.getQueue('updated-q');
    const updated = await admin.updateQueue({ ...queue, maxDeliveryCount: 1, lockDuration: 'PT45S' });
    expect(updated).toMatchObject({ maxDeliveryCount: 1, lockDuration: 'PT45S' });
    const receiver = h.client.createReceiver('updated-q');
    const message = await receiveOne(receiver);
    expect(message.body).toBe('kept');
    await receiver.abandonMessage(message);
    // MaxDeliveryCount 1 now: one abandon dead-letters it.
    const dead = await receiveOne(h.client.createReceiver('updated-q', { subQueueType: 'deadLetter' }));
    expect(dead).toMatchObject({ body: 'kept', deadLetterReason: 'MaxDeliveryCountExceeded' });
    const missing = await failure(admin.updateQueue({ ...queue, name: 'never-created' }));
    expect(missing.statusCode).toBe(404);
    const sessions = await failure(admin.updateQueue({ ...queue, requiresSession: true }));
    expect(sessions.statusCode).toBe(400);
  });

  it('deletes a queue: clients then see MessagingEntityNotFound', async () => {
    await admin.createQueue('doomed');
    await h.client.createSender('doomed').sendMessages({ body: 'x' });
    await admin.deleteQueue('doomed');
    expect(await admin.queueExists('doomed')).toBe(false);
    const error = await h
      .newClient()
      .createSender('doomed')
      .sendMessages({ body: 'y' })
      .catch((caught: unknown) => caught);
    expect(isServiceBusError(error) && error.code).toBe('MessagingEntityNotFound');
  });

  it('forwards from a run-time queue, and refuses a forwarding loop or a missing target with 400', async () => {
    await admin.createQueue('fwd-target');
    const source = await admin.createQueue('fwd-source', { forwardTo: 'fwd-target' });
    expect(source.forwardTo).toMatch(/\/fwd-target$/);
    await h.client.createSender('fwd-source').sendMessages({ body: 'hop' });
    const arrived = await receiveOne(
      h.client.createReceiver('fwd-target', { receiveMode: 'receiveAndDelete' }),
    );
    expect(arrived.body).toBe('hop');
    const target = await admin.getQueue('fwd-target');
    const loop = await failure(admin.updateQueue({ ...target, forwardTo: 'fwd-source' }));
    expect(loop.statusCode).toBe(400);
    expect(loop.message).toMatch(/loop/i);
    expect((await admin.getQueue('fwd-target')).forwardTo).toBeUndefined();
    await h.client.createSender('fwd-target').sendMessages({ body: 'stays' });
    expect(
      (await receiveOne(h.client.createReceiver('fwd-target', { receiveMode: 'receiveAndDelete' }))).body,
    ).toBe('stays');
    const missing = await failure(admin.createQueue('fwd-nowhere', { forwardTo: 'no-such-queue' }));
    expect(missing.statusCode).toBe(400);
    expect(await admin.queueExists('fwd-nowhere')).toBe(false);
  });

  it('lists queues in pages', async () => {
    for (const name of ['page-a', 'page-b', 'page-c']) await admin.createQueue(name);
    const pages: string[][] = [];
    for await (const page of admin.listQueues().byPage({ maxPageSize: 2 }))
      pages.push(page.map((queue) => queue.name));
    expect(pages.every((page) => page.length <= 2)).toBe(true);
    const names = pages.flat();
    expect(names).toEqual(expect.arrayContaining(['configured', 'page-a', 'page-b', 'page-c', 'runtime-q']));
    expect(new Set(names).size).toBe(names.length);
    const runtime: string[] = [];
    for await (const queue of admin.listQueuesRuntimeProperties()) runtime.push(queue.name);
    expect(runtime.sort()).toEqual([...names].sort());
  });
});
