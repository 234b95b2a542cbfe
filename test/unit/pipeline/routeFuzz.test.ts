import fc from 'fast-check';
import { eventKey } from '../../../shared/events/eventKey';
import type { ApplicationPropertyValue } from '../../../shared/events/serviceBusEventInput';
import { payloadBlobName } from '../../../shared/payloads/claimCheck';
import { routeIngressMessage } from '../../../shared/pipeline/route';
import { fakeRoute, subscription } from './fakeRoute';

/**
 * Generated ingress messages, as anyone with send rights on the queue could write them: bodies of
 * every shape (JSON values, events with bad attributes, deep nesting, text, bytes, values the SDK
 * decoded), forged application properties and claim-check references. Each must end routed or
 * refused with a reason; route may throw only when a dependency fails, and these never do.
 */
const SEED = 20261207;
const RUNS = 4000;

const TOPICS = ['orders', 'payments', 'secret'] as const;
/** A marker only the `secret` topic's stored event carries: it must never reach another topic. */
const SECRET = 'only-for-the-secret-topic';

const secretEvent = {
  specversion: '1.0',
  id: 's-1',
  source: '/vault',
  type: 'secret',
  data: { marker: SECRET },
};
const ordersBig = {
  specversion: '1.0',
  id: 'big-1',
  source: '/shop',
  type: 'order.created',
  subject: '/orders/1',
  data: { total: 120, blob: 'y'.repeat(1000) },
};

function setup() {
  const fake = fakeRoute([
    subscription('orders', 'all'),
    subscription('orders', 'large-orders', {
      includedEventTypes: ['order.created'],
      subjectBeginsWith: '/orders/',
      advancedFilters: [
        { operatorType: 'NumberGreaterThan', key: 'data.total', value: 100 },
        { operatorType: 'StringContains', key: 'data.name', values: ['a', 'b'] },
        { operatorType: 'IsNotNull', key: 'data.a.b.c' },
      ],
    }),
    subscription('payments', 'by-extension', {
      advancedFilters: [
        { operatorType: 'StringIn', key: 'tenant', values: ['t1', 't2'] },
        { operatorType: 'BoolEquals', key: 'data.ok', value: true },
        { operatorType: 'NumberInRange', key: 'data.amount', values: [[0, 10]] },
      ],
    }),
    subscription('secret', 'vault'),
  ]);
  const stored = [
    { topic: 'secret', ...secretEvent },
    { topic: 'orders', ...ordersBig },
    { topic: 'orders', source: '/shop', id: 'bad-json' },
    { topic: 'orders', source: '/shop', id: 'deep' },
  ];
  const refs = {
    secret: fake.storePayload('secret', secretEvent, JSON.stringify(secretEvent)),
    ordersBig: fake.storePayload('orders', ordersBig, JSON.stringify(ordersBig)),
    badJson: fake.storePayload('orders', { source: '/shop', id: 'bad-json' }, '{"specversion":"1.0",'),
    deep: fake.storePayload(
      'orders',
      { source: '/shop', id: 'deep' },
      `{"specversion":"1.0","id":"deep","source":"/shop","type":"t","data":${'['.repeat(5000)}${']'.repeat(5000)}}`,
    ),
  };
  return { ...fake, refs, stored };
}

/** A value nested `depth` levels deep, built without recursion. */
function nested(depth: number, kind: 'array' | 'object'): unknown {
  let value: unknown = 0;
  for (let level = 0; level < depth; level += 1) value = kind === 'array' ? [value] : { a: value };
  return value;
}

const deepValue = fc
  .tuple(fc.integer({ min: 60, max: 6000 }), fc.constantFrom('array' as const, 'object' as const))
  .map(([depth, kind]) => nested(depth, kind));

/** Mostly `good`, sometimes anything `bad`: enough valid messages to route, every field forged now and then. */
function mostly<T>(good: fc.Arbitrary<T>, bad: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 6, arbitrary: good }, { weight: 1, arbitrary: bad });
}

const topicValue = mostly(
  fc.constantFrom<unknown>(...TOPICS),
  fc.oneof(
    fc.constantFrom<unknown>('unknown-topic', '', ' orders', 'a/b', 'x'.repeat(65)),
    fc.string({ maxLength: 70 }),
    fc.integer(),
    fc.constant(null),
  ),
);

const sourceAndId = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.record({
      source: fc.constantFrom('/shop', '/vault', 'urn:x'),
      id: fc.string({ minLength: 1, maxLength: 12 }),
    }),
  },
  fc.constantFrom(
    { source: '/vault', id: 's-1' },
    { source: '/shop', id: 'big-1' },
    { source: '/shop', id: 'bad-json' },
    { source: '/shop', id: 'deep' },
  ),
  fc.record({
    source: fc.constantFrom('/shop', '/vault', 'urn:x', 'not a uri ::', ''),
    id: fc.string({ maxLength: 12 }),
  }),
);

const attributeValue = fc.oneof(
  fc.string({ maxLength: 20 }),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.jsonValue({ maxDepth: 3 }),
);

const data = fc.oneof(
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
  { weight: 1, arbitrary: deepValue },
  {
    weight: 2,
    arbitrary: fc.record(
      { total: fc.oneof(fc.integer(), fc.string()), name: fc.string(), a: fc.jsonValue({ maxDepth: 3 }) },
      { requiredKeys: [] },
    ),
  },
  {
    weight: 2,
    arbitrary: fc.record(
      { ok: fc.jsonValue({ maxDepth: 1 }), amount: fc.oneof(fc.double(), fc.string()) },
      { requiredKeys: [] },
    ),
  },
);

/** Mostly event-shaped objects, with any attribute possibly wrong or missing. */
function eventLikeWith(dataValue: fc.Arbitrary<unknown>) {
  return fc
    .tuple(
      sourceAndId,
      fc.record(
        {
          specversion: mostly(fc.constant('1.0'), attributeValue),
          type: mostly(fc.constantFrom('order.created', 'secret', 't'), attributeValue),
          subject: mostly(fc.constantFrom('/orders/1', '/x'), attributeValue),
          time: mostly(fc.constant('2026-01-01T00:00:00Z'), attributeValue),
          datacontenttype: mostly(fc.constant('application/json'), attributeValue),
          tenant: mostly(fc.constantFrom('t1', 't3'), attributeValue),
          data: dataValue,
          data_base64: mostly(fc.base64String(), attributeValue),
          'Bad-Name': attributeValue,
        },
        // Present or not, each; the forged name and data_base64 (exclusive with data) rarely.
        { requiredKeys: [] },
      ),
    )
    .chain(([identity, rest]) =>
      fc.tuple(fc.nat(9), fc.nat(9)).map(([keepBadName, keepBase64]) => {
        const event: Record<string, unknown> = { specversion: '1.0', type: 't', ...identity, ...rest };
        if (keepBadName > 0) delete event['Bad-Name'];
        if (keepBase64 > 0) delete event.data_base64;
        return event;
      }),
    );
}
const eventLike = eventLikeWith(data);
/** Serialized forms have their own deep cases (JSON.stringify cannot write deep values). */
const shallowEventLike = eventLikeWith(fc.jsonValue({ maxDepth: 4 }));

const body = fc.oneof(
  { weight: 6, arbitrary: eventLike },
  { weight: 2, arbitrary: shallowEventLike.map((event) => JSON.stringify(event)) },
  { weight: 2, arbitrary: shallowEventLike.map((event) => Buffer.from(JSON.stringify(event))) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 5 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 50 }) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 50 }) },
  { weight: 1, arbitrary: deepValue },
  {
    weight: 1,
    arbitrary: fc
      .integer({ min: 60, max: 6000 })
      .map(
        (depth) =>
          `{"specversion":"1.0","id":"d","source":"/d","type":"t","data":${'['.repeat(depth)}${']'.repeat(depth)}}`,
      ),
  },
  {
    weight: 1,
    arbitrary: fc.anything({
      maxDepth: 4,
      withBigInt: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withNullPrototype: true,
      withTypedArray: true,
      withSparseArray: true,
      withBoxedValues: true,
    }),
  },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(undefined, null, 0, true, '', Buffer.alloc(0)) },
);

const contentType: fc.Arbitrary<string | null> = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('application/cloudevents+json', null) },
  fc.oneof(
    fc.constantFrom(
      'application/cloudevents+json',
      'application/cloudevents+json; charset=utf-8',
      'application/cloudevents+json; charset=latin1',
      'application/cloudevents-batch+json',
      'application/json',
      'text/plain',
      'application/octet-stream',
      ';;',
    ),
    fc.string({ maxLength: 30 }),
  ),
);

/** A reference to any stored payload, a derived name with no blob, or junk. */
function payloadRefValue(refs: Record<string, string>) {
  return fc.oneof(
    fc.constantFrom<unknown>(...Object.values(refs)),
    fc
      .tuple(fc.constantFrom(...TOPICS), sourceAndId)
      .map(([topic, { source, id }]) => payloadBlobName(eventKey(topic, source, id))),
    fc.constantFrom<unknown>(
      '../../x',
      '',
      '/etc/passwd',
      'a'.repeat(64) + '.json',
      `${'0'.repeat(64)}.json`,
      7,
      true,
      null,
    ),
    fc.string({ maxLength: 80 }),
  );
}

const binaryProperties = fc.record(
  {
    'cloudEvents:specversion': fc.oneof(fc.constant('1.0'), attributeValue),
    'cloudEvents:id': fc.oneof(fc.constantFrom('s-1', 'big-1', 'b-1'), attributeValue),
    'cloudEvents:source': fc.oneof(fc.constantFrom('/vault', '/shop'), attributeValue),
    'cloudEvents:type': fc.oneof(fc.constant('t'), attributeValue),
    cloudEvents_subject: attributeValue,
    'cloudEvents:time': fc.oneof(fc.date({ noInvalidDate: false }), attributeValue),
    'cloudEvents:data': attributeValue,
    'cloudEvents:tenant': attributeValue,
  },
  { requiredKeys: [] },
);

function message(refs: Record<string, string>) {
  return fc.record(
    {
      body,
      contentType,
      applicationProperties: fc.option(
        fc
          .tuple(
            fc
              .tuple(
                topicValue,
                fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, payloadRefValue(refs)),
              )
              .map(([topic, payloadRef]) => ({ topic, ...(payloadRef === undefined ? {} : { payloadRef }) })),
            fc.oneof({ weight: 4, arbitrary: fc.constant({}) }, binaryProperties),
            fc.dictionary(
              fc.string({ maxLength: 10 }),
              fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.boolean()),
              { maxKeys: 3 },
            ),
          )
          .map(
            ([core, binary, extra]) =>
              // Forged values of any type, as a sender can set them; the adapter passes on only scalars.
              ({ ...extra, ...binary, ...core }) as Record<string, ApplicationPropertyValue>,
          ),
        { nil: null },
      ),
      messageId: fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
      enqueuedTimeUtc: fc.option(fc.constant('2026-01-01T00:59:00.000Z'), { nil: undefined }),
    },
    { requiredKeys: ['body'] },
  );
}

/**
 * Stubs as publish sends them, carrying the reference of a stored payload: its own (honest), or
 * another event's, on its own topic or another one (forged).
 */
function claimCheckMessage(stored: Array<{ topic: string; source: string; id: string }>) {
  return fc
    .record({
      payloadOf: fc.constantFrom(...stored),
      stubOf: fc.constantFrom(...stored),
      topic: fc.constantFrom(...TOPICS),
      honest: fc.boolean(),
    })
    .map(({ payloadOf, stubOf, topic, honest }) => {
      const stub = honest ? payloadOf : stubOf;
      return {
        body: { specversion: '1.0', type: 't', source: stub.source, id: stub.id },
        contentType: 'application/cloudevents+json',
        applicationProperties: {
          topic: honest ? payloadOf.topic : topic,
          payloadRef: payloadBlobName(eventKey(payloadOf.topic, payloadOf.source, payloadOf.id)),
        },
      };
    });
}

describe('route over generated ingress messages (fast-check)', () => {
  it(`ends each of ${RUNS} messages routed or refused with a reason, never thrown, never across topics`, async () => {
    const tally = { routed: 0, rejected: 0, viaClaimCheck: 0, reasons: new Map<string, number>() };
    const probe = setup();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof({ weight: 5, arbitrary: message(probe.refs) }, claimCheckMessage(probe.stored)),
        async (input) => {
          const fake = setup();
          const result = await routeIngressMessage(fake.dependencies, input);

          if (result.kind === 'rejected') {
            tally.rejected += 1;
            tally.reasons.set(result.reason, (tally.reasons.get(result.reason) ?? 0) + 1);
            expect(result.reason).toMatch(/^[A-Za-z]+$/);
            expect(result.description.length).toBeGreaterThan(0);
            expect(fake.rejected).toHaveLength(1);
            expect(fake.rejected[0]?.body).toMatchObject({
              stage: 'ingress',
              reason: result.reason,
              description: result.description,
            });
            expect(JSON.stringify(fake.rejected[0]).length).toBeLessThan(64 * 1024);
            expect(fake.events.size).toBe(0);
            expect(fake.deliveries).toEqual([]);
            return;
          }
          tally.routed += 1;
          expect(result.kind).toBe('routed');
          expect(fake.rejected).toEqual([]);
          const record = fake.events.get(result.eventKey);
          expect(record?.topic).toBe(result.topic);
          if (record?.payloadRef) {
            tally.viaClaimCheck += 1;
            // Only the claim check written for this very topic and event was followed.
            expect(fake.payloads.get(record.payloadRef)?.owner).toEqual({
              topic: result.topic,
              eventKey: result.eventKey,
            });
          }
          const carried = JSON.stringify([record, fake.deliveries]);
          if (result.topic !== 'secret') expect(carried).not.toContain(SECRET);
          for (const delivery of fake.deliveries) expect(delivery.topic).toBe(result.topic);
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
    // The generators reach every outcome, so the property is not vacuous.
    expect(tally.routed).toBeGreaterThan(100);
    expect(tally.viaClaimCheck).toBeGreaterThan(50);
    expect(tally.rejected).toBeGreaterThan(1000);
    expect([...tally.reasons.keys()].sort()).toEqual(
      expect.arrayContaining(['InvalidClaimCheck', 'InvalidEvent', 'InvalidTopic', 'UnsupportedFormat']),
    );
    process.stdout.write(
      `route fuzz: ${RUNS} messages (seed ${SEED}): ${tally.routed} routed (${tally.viaClaimCheck} by claim check), ${tally.rejected} refused ${JSON.stringify(Object.fromEntries(tally.reasons))}, 0 thrown\n`,
    );
  }, 120_000);
});
