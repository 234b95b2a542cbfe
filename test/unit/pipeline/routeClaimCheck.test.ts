import { eventKey } from '../../../shared/events/eventKey';
import { payloadBlobName } from '../../../shared/payloads/claimCheck';
import { routeIngressMessage } from '../../../shared/pipeline/route';
import { fakeRoute, subscription } from './fakeRoute';

const secretEvent = {
  specversion: '1.0',
  id: 'v-1',
  source: '/victim',
  type: 'secret',
  data: { card: '4111' },
};

function setup() {
  const fake = fakeRoute([subscription('topic-a', 'reader'), subscription('topic-v', 'owner')]);
  const victimRef = fake.storePayload('topic-v', secretEvent, JSON.stringify(secretEvent));
  return { ...fake, victimRef };
}

function stubMessage(topic: string, stub: Record<string, unknown>, payloadRef: unknown) {
  return {
    body: { specversion: '1.0', type: 't', ...stub },
    contentType: 'application/cloudevents+json',
    applicationProperties: { topic, payloadRef: payloadRef as string },
    messageId: 'm-1',
  };
}

describe('route and claim checks', () => {
  it("refuses a claim check of another topic's event: nothing is recorded or delivered under A", async () => {
    const fake = setup();
    const result = await routeIngressMessage(
      fake.dependencies,
      stubMessage('topic-a', { id: 'forged', source: '/attacker' }, fake.victimRef),
    );
    expect(result).toMatchObject({ kind: 'rejected', reason: 'InvalidClaimCheck' });
    expect(fake.events.size).toBe(0);
    expect(fake.deliveries).toEqual([]);
    expect(fake.rejected).toHaveLength(1);
    expect(fake.rejected[0]?.body).toMatchObject({
      topic: 'topic-a',
      reason: 'InvalidClaimCheck',
      messageId: 'm-1',
    });
  });

  it("refuses V's claim check even when the stub copies V's source and id onto topic A", async () => {
    const fake = setup();
    const result = await routeIngressMessage(
      fake.dependencies,
      stubMessage('topic-a', { id: 'v-1', source: '/victim' }, fake.victimRef),
    );
    expect(result).toMatchObject({ kind: 'rejected', reason: 'InvalidClaimCheck' });
    expect(fake.deliveries).toEqual([]);
  });

  it('refuses a payload under the right name whose metadata names another owner (or none)', async () => {
    const fake = setup();
    const ref = payloadBlobName(eventKey('topic-a', '/a', 'planted'));
    const json = JSON.stringify({ specversion: '1.0', id: 'planted', source: '/a', type: 't' });
    fake.payloads.set(ref, {
      json,
      owner: { topic: 'topic-v', eventKey: eventKey('topic-a', '/a', 'planted') },
    });
    const wrongOwner = await routeIngressMessage(
      fake.dependencies,
      stubMessage('topic-a', { id: 'planted', source: '/a' }, ref),
    );
    fake.payloads.set(ref, { json, owner: {} });
    const noOwner = await routeIngressMessage(
      fake.dependencies,
      stubMessage('topic-a', { id: 'planted', source: '/a' }, ref),
    );
    for (const result of [wrongOwner, noOwner]) {
      expect(result).toMatchObject({ kind: 'rejected', reason: 'InvalidClaimCheck' });
      expect(result.kind === 'rejected' && result.description).toContain('not stored for this event');
    }
    expect(fake.deliveries).toEqual([]);
  });

  it('refuses a stored payload that is another event, invalid JSON, no event, too deep or too large', async () => {
    const stub = { id: 'x-1', source: '/x' };
    const cases: Array<[string, string]> = [
      ['another event', JSON.stringify({ specversion: '1.0', id: 'other', source: '/x', type: 't' })],
      ['invalid JSON', '{"specversion":'],
      ['no event', JSON.stringify({ hello: 'world' })],
      [
        'too deep',
        `{"specversion":"1.0","id":"x-1","source":"/x","type":"t","data":${'['.repeat(100)}${']'.repeat(100)}}`,
      ],
      [
        'too large',
        JSON.stringify({
          specversion: '1.0',
          id: 'x-1',
          source: '/x',
          type: 't',
          data: 'z'.repeat(1_100_000),
        }),
      ],
    ];
    for (const [what, json] of cases) {
      const fake = setup();
      const ref = fake.storePayload('topic-a', stub, json);
      const result = await routeIngressMessage(fake.dependencies, stubMessage('topic-a', stub, ref));
      expect({ what, result }).toMatchObject({
        what,
        result: { kind: 'rejected', reason: 'InvalidClaimCheck' },
      });
      expect(fake.events.size).toBe(0);
    }
  });

  it.each([
    ['a path', '../../x'],
    ['a name with no blob', payloadBlobName(eventKey('topic-a', '/x', 'x-1'))],
    ['a number', 42],
    ['an empty string', ''],
    ['null', null],
  ])('refuses %s as payloadRef with a reason, without throwing', async (_what, payloadRef) => {
    const fake = setup();
    const result = await routeIngressMessage(
      fake.dependencies,
      stubMessage('topic-a', { id: 'x-1', source: '/x' }, payloadRef),
    );
    expect(result).toMatchObject({
      kind: 'rejected',
      reason: 'InvalidClaimCheck',
      description: expect.stringContaining('payloadRef'),
    });
    expect(fake.rejected).toHaveLength(1);
  });

  it("follows the claim check publish wrote for this very event, and records the full event's size", async () => {
    const fake = setup();
    const big = {
      specversion: '1.0',
      id: 'b-1',
      source: '/big',
      type: 't',
      data: { blob: 'y'.repeat(300_000) },
    };
    const ref = fake.storePayload('topic-a', big, JSON.stringify(big));
    const result = await routeIngressMessage(
      fake.dependencies,
      stubMessage('topic-a', { id: 'b-1', source: '/big' }, ref),
    );
    expect(result).toMatchObject({ kind: 'routed', topic: 'topic-a', matched: ['reader'] });
    const record = fake.events.get(eventKey('topic-a', '/big', 'b-1'));
    expect(record).toMatchObject({ payloadRef: ref });
    expect(record?.sizeBytes).toBeGreaterThan(300_000);
    expect(fake.deliveries).toEqual([expect.objectContaining({ payloadRef: ref, subscription: 'reader' })]);
  });

  it('stores an event sent to ingress directly that is too large for a delivery message, and delivers it by reference', async () => {
    const fake = setup();
    const result = await routeIngressMessage(fake.dependencies, {
      body: Buffer.alloc(200_000, 7),
      contentType: 'application/octet-stream',
      applicationProperties: {
        topic: 'topic-a',
        'cloudEvents:specversion': '1.0',
        'cloudEvents:id': 'bin-1',
        'cloudEvents:source': '/direct',
        'cloudEvents:type': 't',
      },
    });
    expect(result).toMatchObject({ kind: 'routed', matched: ['reader'] });
    const key = eventKey('topic-a', '/direct', 'bin-1');
    const ref = payloadBlobName(key);
    expect(fake.payloads.get(ref)?.owner).toEqual({ topic: 'topic-a', eventKey: key });
    expect(fake.events.get(key)).toMatchObject({ payloadRef: ref });
    expect(fake.events.get(key)?.event).toBeUndefined();
    expect(fake.deliveries).toEqual([expect.objectContaining({ payloadRef: ref })]);
    expect(fake.deliveries[0]?.event).toBeUndefined();
  });

  it('throws when the payload store fails: an outage is retried, not refused', async () => {
    const fake = setup();
    fake.dependencies.getPayload = async () => {
      throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    };
    const ref = payloadBlobName(eventKey('topic-a', '/x', 'x-1'));
    await expect(
      routeIngressMessage(fake.dependencies, stubMessage('topic-a', { id: 'x-1', source: '/x' }, ref)),
    ).rejects.toThrow('ECONNREFUSED');
    expect(fake.rejected).toEqual([]);
  });
});

describe('the rejected ingress dead letter', () => {
  it('records the original messageId, enqueued time, content type and application properties', async () => {
    const fake = setup();
    const enqueued = new Date('2026-01-01T00:59:59.123Z');
    await routeIngressMessage(fake.dependencies, {
      body: Buffer.from('{"specversion":"0.3"}'),
      contentType: 'application/cloudevents+json',
      applicationProperties: {
        topic: 'orders',
        team: 'payments',
        retries: 3,
        urgent: true,
        sentAt: enqueued,
        nothing: null,
      },
      messageId: 'publisher-42',
      enqueuedTimeUtc: enqueued.toISOString(),
    });
    expect(fake.rejected[0]).toMatchObject({
      sessionId: '$ingress',
      applicationProperties: {
        stage: 'ingress',
        topic: 'orders',
        reason: 'InvalidEvent',
        originalMessageId: 'publisher-42',
      },
      body: {
        stage: 'ingress',
        topic: 'orders',
        reason: 'InvalidEvent',
        messageId: 'publisher-42',
        enqueuedTimeUtc: '2026-01-01T00:59:59.123Z',
        contentType: 'application/cloudevents+json',
        applicationProperties: {
          topic: 'orders',
          team: 'payments',
          retries: 3,
          urgent: true,
          sentAt: '2026-01-01T00:59:59.123Z',
          nothing: null,
        },
        originalBody: '{"specversion":"0.3"}',
        deadLetteredAt: '2026-01-01T01:00:00.000Z',
      },
    });
  });

  it('stays small enough to send whatever the original carried', async () => {
    const fake = setup();
    const control = '\u0001'.repeat(10_000); // six characters each once escaped in JSON
    const applicationProperties: Record<string, string> = { topic: 'orders' };
    for (let n = 0; n < 200; n += 1) applicationProperties[`p${n}${control}`] = control;
    const badNames = Object.fromEntries([1, 2, 3, 4, 5, 6].map((n) => [`${'X'.repeat(50_000)}${n}`, 1]));
    const result = await routeIngressMessage(fake.dependencies, {
      body: JSON.stringify({
        specversion: '1.0',
        id: 'i',
        source: '/s',
        type: 't',
        ...badNames,
        pad: control,
      }),
      contentType: 'application/cloudevents+json',
      applicationProperties,
      messageId: control,
    });
    expect(result).toMatchObject({ kind: 'rejected', reason: 'InvalidEvent' });
    const body = fake.rejected[0]?.body as { applicationProperties: Record<string, string> };
    expect(JSON.stringify(fake.rejected[0]).length).toBeLessThan(64 * 1024);
    expect(body.applicationProperties.topic).toBe('orders');
  });

  it('keeps a body the SDK decoded, even one nested too deep to serialize, without throwing', async () => {
    const fake = setup();
    let deep: unknown = 1;
    for (let level = 0; level < 20_000; level += 1) deep = [deep];
    const result = await routeIngressMessage(fake.dependencies, {
      body: { specversion: '1.0', id: 'd', source: '/d', type: 't', data: deep },
      contentType: 'application/cloudevents+json',
      applicationProperties: { topic: 'orders' },
    });
    expect(result).toMatchObject({
      kind: 'rejected',
      reason: 'InvalidEvent',
      description: expect.stringContaining('64'),
    });
    expect((fake.rejected[0]?.body as { originalBody: string }).originalBody).toContain('deeper than 64');
  });
});
