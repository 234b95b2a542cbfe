import fc from 'fast-check';
import { parseAllowedCidrs } from '../../../shared/delivery/allowedCidrs';
import { SsrfGuard } from '../../../shared/delivery/ssrfGuard';
import { TOPIC_NAME_PATTERN } from '../../../shared/events/topicName';
import { apiFetch } from '../../support/apiClient';
import { FUNCTION_KEY, type Pipeline, startPipeline } from './harness';

/**
 * Property-based fuzzing of the HTTP API through the dev host (issue 12): publish, subscription
 * management and the read routes get generated requests, well-formed and not; whatever comes
 * in, the answer is never a 5xx, and every 4xx is application/problem+json naming its status.
 * Fixed seed: a failure reproduces, and fast-check shrinks it to the smallest request.
 *
 * Test traffic stays on loopback: webhook endpoints are IP literals (no DNS lookup of a made-up
 * name), either loopback or addresses the SSRF guard refuses, and they live on topics no event
 * is ever published to (publish topics and subscription topics never overlap).
 */
const SEED = 12_012;
/** fast-check runs per property; each run sends REQUESTS_PER_RUN requests at once (concurrency is part of the input). */
const RUNS = { publish: 300, subscriptions: 300, reads: 300 } as const;
const REQUESTS_PER_RUN = 3;

interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string | Uint8Array;
}

interface Tally {
  runs: number;
  cases: number;
  byStatus: Record<number, number>;
}

const tallies: Record<string, Tally> = {};

let pipeline: Pipeline;
/**
 * No subscription on the publish topics: accepted events are stored and routed, matching nothing,
 * so the background work of deliveries does not slow the fuzzing down (delivery has tests of its own).
 */
const PUBLISH_TOPIC = 'fuzz-pub';
const SUBSCRIPTION_TOPIC = 'fuzz-subs';
let realTokens: string[] = [];
let realEventKeys: string[] = [];

beforeAll(async () => {
  pipeline = await startPipeline();
  for (const name of ['a', 'b', 'c'])
    await pipeline.createWebhookSubscription(SUBSCRIPTION_TOPIC, name, '/never-published');
  const page = await pipeline.api('GET', `/topics/${SUBSCRIPTION_TOPIC}/subscriptions?maxItems=1`);
  realTokens = [String(page.json.continuationToken)];
  realEventKeys = [
    await pipeline.publish(PUBLISH_TOPIC, { id: 'seed-1', source: '/fuzz', type: 'fuzz.seed', data: {} }),
  ];
}, 120_000);

afterAll(async () => {
  await pipeline?.stop();
  for (const [name, tally] of Object.entries(tallies)) {
    const fiveHundreds = Object.entries(tally.byStatus).filter(([status]) => Number(status) >= 500).length;
    console.log(
      `fuzz ${name}: ${tally.cases} requests in ${tally.runs} runs (seed ${SEED}), 5xx statuses: ${fiveHundreds}, by status ${JSON.stringify(tally.byStatus)}`,
    );
  }
});

async function send(property: string, request: FuzzRequest): Promise<void> {
  // apiFetch checks the answer against docs/openapi.json as well.
  const response = await apiFetch(`${pipeline.host.url}/api${request.path}`, {
    method: request.method,
    headers: request.headers,
    ...(request.body !== undefined ? { body: request.body } : {}),
  });
  const text = response.text;
  const tally = (tallies[property] ??= { runs: 0, cases: 0, byStatus: {} });
  tally.cases += 1;
  tally.byStatus[response.status] = (tally.byStatus[response.status] ?? 0) + 1;
  const described = `${request.method} ${request.path} -> ${response.status} ${text.slice(0, 300)}`;
  if (response.status >= 500) throw new Error(`5xx: ${described}`);
  if (response.status >= 400) {
    const contentType = response.headers.get('content-type') ?? '';
    if (!contentType.startsWith('application/problem+json'))
      throw new Error(`4xx without problem+json (${contentType}): ${described}`);
    const problem = JSON.parse(text) as { status?: unknown; title?: unknown };
    if (problem.status !== response.status || typeof problem.title !== 'string')
      throw new Error(`malformed problem: ${described}`);
  }
}

function check(property: string, arbitrary: fc.Arbitrary<FuzzRequest>, numRuns: number) {
  return fc.assert(
    fc.asyncProperty(
      fc.array(arbitrary, { minLength: REQUESTS_PER_RUN, maxLength: REQUESTS_PER_RUN }),
      async (requests) => {
        (tallies[property] ??= { runs: 0, cases: 0, byStatus: {} }).runs += 1;
        await Promise.all(requests.map((request) => send(property, request)));
      },
    ),
    { seed: SEED, numRuns },
  );
}

// ---- building blocks -------------------------------------------------------------------------

function weighted<T>(choices: ReadonlyArray<[T, number]>): fc.Arbitrary<T> {
  return fc.oneof(...choices.map(([value, weight]) => ({ arbitrary: fc.constant(value), weight })));
}

const printable = fc.string({
  unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)),
  maxLength: 40,
});
const anyText = fc.string({ unit: 'grapheme', maxLength: 40 });
const scalar = fc.oneof(anyText, fc.integer(), fc.double(), fc.boolean(), fc.constant(null));
const attribute = fc.oneof(
  { arbitrary: scalar, weight: 3 },
  { arbitrary: fc.jsonValue({ maxDepth: 2 }), weight: 1 },
);

/** A path segment: mostly encoded text, sometimes raw oddities the router must survive. */
function segment(valid: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: valid, weight: 20 },
    { arbitrary: anyText.map(encodeURIComponent), weight: 3 },
    {
      arbitrary: fc.constantFrom(
        '%',
        '%zz',
        '%00',
        '%2F',
        '..',
        '.',
        'a'.repeat(70),
        '$switchyard',
        '-x',
        '%E2%82',
      ),
      weight: 1,
    },
  );
}

/** Valid topic names drawn by a fuzzer start with `prefix`, so publish and subscription topics never meet. */
function topicFor(prefix: 'p' | 's', named: string): fc.Arbitrary<string> {
  const drawn = anyText.map((text) =>
    TOPIC_NAME_PATTERN.test(text) ? `${prefix}${text}`.slice(0, 64) : text,
  );
  return segment(
    fc.oneof(
      { arbitrary: fc.constant(named), weight: 4 },
      { arbitrary: fc.constant(`${named}-2`), weight: 2 },
      { arbitrary: drawn.map(encodeURIComponent), weight: 1 },
    ),
  );
}

const contentType = fc.oneof(
  fc.constantFrom(
    'application/cloudevents+json',
    'application/cloudevents+json; charset=utf-8',
    'application/cloudevents-batch+json',
    'application/json',
    'text/plain',
    'application/octet-stream',
    'application/cloudevents+json; charset=latin1',
    'multipart/form-data; boundary=x',
  ),
  printable,
);

const cloudEventLike = fc
  .tuple(
    fc.record(
      {
        specversion: fc.oneof(fc.constant('1.0'), fc.constant('0.3'), attribute),
        id: fc.oneof(fc.uuid(), attribute),
        source: fc.oneof(fc.constantFrom('/fuzz', 'urn:fuzz', 'https://fuzz.example/s', '', ' '), attribute),
        type: fc.oneof(fc.constantFrom('fuzz.happened'), attribute),
        subject: attribute,
        time: fc.oneof(
          fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
          attribute,
        ),
        datacontenttype: fc.oneof(
          fc.constantFrom('application/json', 'text/plain', 'application/xml'),
          attribute,
        ),
        dataschema: attribute,
        data: fc.jsonValue({ maxDepth: 4 }),
        data_base64: fc.oneof(fc.base64String({ maxLength: 40 }), attribute),
      },
      { requiredKeys: [] },
    ),
    fc.dictionary(fc.oneof(fc.stringMatching(/^[a-z0-9]{1,20}$/), anyText), attribute, { maxKeys: 3 }),
  )
  .map(([event, extensions]) => ({ ...extensions, ...event }));

/** A valid event (so deliveries happen) with an id of its own. */
const validEvent = fc.record({
  specversion: fc.constant('1.0'),
  id: fc.uuid(),
  source: fc.constant('/fuzz'),
  type: fc.constant('fuzz.happened'),
  data: fc.jsonValue({ maxDepth: 3 }),
});

// ---- publish -----------------------------------------------------------------------------------

const publishBody: fc.Arbitrary<{
  contentType?: string | undefined;
  body?: string | Uint8Array | undefined;
  ce?: Record<string, string> | undefined;
}> = fc.oneof(
  {
    arbitrary: validEvent.map((event) => ({
      contentType: 'application/cloudevents+json',
      body: JSON.stringify(event),
    })),
    weight: 8,
  },
  {
    arbitrary: fc.record({ contentType, body: cloudEventLike.map((event) => JSON.stringify(event)) }),
    weight: 10,
  },
  {
    arbitrary: fc.record({
      contentType: fc.oneof(
        { arbitrary: fc.constant('application/cloudevents-batch+json'), weight: 3 },
        { arbitrary: contentType, weight: 1 },
      ),
      body: fc
        .array(fc.oneof(cloudEventLike, validEvent), { maxLength: 5 })
        .map((events) => JSON.stringify(events)),
    }),
    weight: 6,
  },
  // Binary mode: ce-* headers and any body.
  {
    arbitrary: fc.record({
      contentType,
      body: fc.oneof(anyText, fc.uint8Array({ maxLength: 200 })),
      ce: fc.record(
        {
          'ce-specversion': fc.oneof(fc.constant('1.0'), printable),
          'ce-id': printable,
          'ce-source': printable,
          'ce-type': printable,
          'ce-time': printable,
          'ce-subject': printable,
        },
        { requiredKeys: [] },
      ),
    }),
    weight: 6,
  },
  {
    arbitrary: fc.record({
      contentType: fc.option(contentType, { nil: undefined }),
      body: fc.option(fc.oneof(anyText, fc.uint8Array({ maxLength: 200 })), { nil: undefined }),
    }),
    weight: 4,
  },
  // Large: around the Service Bus message size (claim check) and the event size limit.
  {
    arbitrary: fc.constantFrom(200_000, 900_000, 1_100_000).map((size) => ({
      contentType: 'application/cloudevents+json',
      body: JSON.stringify({
        specversion: '1.0',
        id: `big-${size}`,
        source: '/fuzz',
        type: 'fuzz.big',
        data: 'x'.repeat(size),
      }),
    })),
    weight: 1,
  },
);

const publishRequest: fc.Arbitrary<FuzzRequest> = fc
  .tuple(
    topicFor('p', PUBLISH_TOPIC),
    publishBody,
    weighted([
      ['POST', 10],
      ['GET', 1],
      ['PUT', 1],
    ]),
  )
  .map(([topic, { contentType: type, body, ce }, method]) => ({
    method,
    path: `/topics/${topic}/events`,
    headers: {
      'x-functions-key': FUNCTION_KEY,
      ...(type !== undefined ? { 'content-type': type } : {}),
      ...ce,
    },
    ...(body !== undefined && method !== 'GET' ? { body } : {}),
  }));

// ---- subscriptions -----------------------------------------------------------------------------

const guardWithoutAllowList = new SsrfGuard(parseAllowedCidrs(''));
/** IP literals only, never public ones: loopback (allowed here) or what the guard refuses. */
const endpointUrl = fc.oneof(
  fc.constantFrom(
    'http://127.0.0.1:9/fuzz',
    'http://[::1]:9/',
    'http://169.254.169.254/',
    'http://[64:ff9b:1::a9fe:a9fe]/',
    'http://[2002:a9fe:a9fe::]/',
    'http://[2002:7f00:1::]:17072/',
    'http://10.0.0.1/',
    'ftp://127.0.0.1/',
    'http://user:pw@127.0.0.1/',
    'not a url',
    '',
  ),
  fc
    .oneof(fc.ipV4(), fc.ipV6())
    .filter((ip) => !guardWithoutAllowList.checkAddress(ip).allowed)
    .map((ip) => `http://${ip.includes(':') ? `[${ip}]` : ip}:9/fuzz`),
  // Arbitrary text that does not make an http(s) URL (so nothing is ever looked up).
  anyText.filter((text) => {
    try {
      return !['http:', 'https:'].includes(new URL(text).protocol);
    } catch {
      return true;
    }
  }),
);

const headerName = fc.oneof(
  { arbitrary: fc.constantFrom('Authorization', 'x-api-key', 'X-Tenant'), weight: 6 },
  { arbitrary: fc.constantFrom('content-type', 'webhook-id', 'X-Dup', 'x-dup'), weight: 1 },
  { arbitrary: printable, weight: 1 },
);
const destination = fc.oneof(
  fc.record(
    {
      endpointType: fc.constant('WebHook'),
      endpointUrl,
      headers: fc.oneof(
        fc.dictionary(headerName, fc.oneof(printable, anyText, fc.constant(null), attribute), { maxKeys: 4 }),
        attribute,
      ),
    },
    { requiredKeys: ['endpointType'] },
  ),
  fc.record(
    {
      endpointType: fc.constant('ServiceBusQueue'),
      queueName: fc.oneof(fc.constantFrom('e2e-destination', 'ingress', 'Deliveries', 'a/b'), anyText),
    },
    { requiredKeys: [] },
  ),
  fc.record(
    {
      endpointType: fc.constant('ServiceBusTopic'),
      topicName: fc.oneof(fc.constantFrom('fuzz-topic', '-bad'), anyText),
    },
    { requiredKeys: [] },
  ),
  attribute,
);

const operator = fc.oneof(
  fc.constantFrom(
    'NumberIn',
    'NumberInRange',
    'NumberLessThan',
    'BoolEquals',
    'StringContains',
    'StringIn',
    'StringBeginsWith',
    'IsNullOrUndefined',
    'IsNotNull',
  ),
  anyText,
);
const advancedFilter = fc.record(
  {
    operatorType: operator,
    key: fc.oneof(fc.constantFrom('data.amount', 'subject', 'type', 'data.a.b.c.d.e.f', 'data.'), anyText),
    value: attribute,
    values: fc.oneof(
      fc.array(fc.oneof(scalar, fc.array(scalar, { maxLength: 3 })), { maxLength: 6 }),
      attribute,
    ),
  },
  { requiredKeys: [] },
);
const filterKey = fc.constantFrom('data.amount', 'subject', 'type', 'data.region', 'source');
const validAdvancedFilter = fc.oneof(
  fc.record({
    operatorType: fc.constantFrom('NumberGreaterThan', 'NumberLessThan'),
    key: filterKey,
    value: fc.integer(),
  }),
  fc.record({
    operatorType: fc.constantFrom('StringIn', 'StringContains', 'StringBeginsWith'),
    key: filterKey,
    values: fc.array(printable, { minLength: 1, maxLength: 4 }),
  }),
  fc.record({
    operatorType: fc.constant('NumberInRange'),
    key: filterKey,
    values: fc.array(fc.tuple(fc.integer(), fc.integer()), { minLength: 1, maxLength: 3 }),
  }),
  fc.record({ operatorType: fc.constant('BoolEquals'), key: filterKey, value: fc.boolean() }),
  fc.record({ operatorType: fc.constantFrom('IsNullOrUndefined', 'IsNotNull'), key: filterKey }),
);

/** Valid but for what the fuzzer varies, so requests get past the first check into the rest. */
const nearlyValidSubscription = fc
  .record(
    {
      destination: fc.oneof(
        fc.record(
          {
            endpointType: fc.constant('WebHook'),
            endpointUrl: fc.constantFrom('http://127.0.0.1:9/fuzz', 'http://127.0.0.2:9/other-origin'),
            headers: fc.dictionary(
              headerName,
              fc.oneof(
                { arbitrary: printable, weight: 4 },
                { arbitrary: fc.constant(null), weight: 2 },
                { arbitrary: anyText, weight: 1 },
              ),
              {
                maxKeys: 3,
              },
            ),
          },
          { requiredKeys: ['endpointType', 'endpointUrl'] },
        ),
        fc.constant({ endpointType: 'ServiceBusQueue', queueName: 'e2e-destination' }),
      ),
      filter: fc.record(
        {
          includedEventTypes: fc.array(fc.string({ minLength: 1, maxLength: 20 }), { maxLength: 3 }),
          subjectBeginsWith: printable,
          advancedFilters: fc.array(
            fc.oneof({ arbitrary: validAdvancedFilter, weight: 4 }, { arbitrary: advancedFilter, weight: 1 }),
            { maxLength: 3 },
          ),
        },
        { requiredKeys: [] },
      ),
      retryPolicy: fc.record(
        {
          maxDeliveryAttempts: fc.integer({ min: 1, max: 35 }),
          eventTimeToLiveInMinutes: fc.integer({ min: 1, max: 1500 }),
          schedule: fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 4 }),
        },
        { requiredKeys: [] },
      ),
    },
    { requiredKeys: ['destination'] },
  )
  .map((body) => JSON.stringify(body));

const subscriptionBody = fc.oneof(
  { arbitrary: nearlyValidSubscription, weight: 8 },
  {
    arbitrary: fc
      .record(
        {
          destination,
          filter: fc.oneof(
            fc.record(
              {
                includedEventTypes: fc.oneof(fc.array(anyText, { maxLength: 4 }), attribute),
                subjectBeginsWith: attribute,
                subjectEndsWith: attribute,
                isSubjectCaseSensitive: attribute,
                advancedFilters: fc.oneof(fc.array(advancedFilter, { maxLength: 4 }), attribute),
              },
              { requiredKeys: [] },
            ),
            attribute,
          ),
          retryPolicy: fc.oneof(
            fc.record(
              {
                maxDeliveryAttempts: fc.oneof(fc.integer({ min: -5, max: 50 }), attribute),
                eventTimeToLiveInMinutes: fc.oneof(fc.integer({ min: -5, max: 2000 }), attribute),
                schedule: fc.oneof(
                  fc.array(fc.oneof(fc.double(), fc.integer()), { maxLength: 6 }),
                  attribute,
                ),
              },
              { requiredKeys: [] },
            ),
            attribute,
          ),
          status: attribute,
          unknownField: attribute,
        },
        { requiredKeys: [] },
      )
      .map((body) => JSON.stringify(body)),
    weight: 6,
  },
  { arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)), weight: 1 },
  { arbitrary: anyText, weight: 1 },
);

const subscriptionRequest: fc.Arbitrary<FuzzRequest> = fc
  .tuple(
    topicFor('s', SUBSCRIPTION_TOPIC),
    segment(fc.constantFrom('a', 'b', 'c', 'd', 'fuzz-name')),
    weighted([
      ['PUT', 12],
      ['GET', 3],
      ['DELETE', 2],
      ['POST', 1],
      ['PATCH', 1],
    ]),
    fc.option(subscriptionBody, { nil: undefined }),
    fc.record(
      {
        'if-match': fc.oneof(fc.constantFrom('*', '"x"', 'W/"x"'), printable),
        'if-none-match': fc.oneof(fc.constant('*'), printable),
        'content-type': contentType,
      },
      { requiredKeys: [] },
    ),
  )
  .map(([topic, name, method, body, headers]) => ({
    method,
    path: `/topics/${topic}/subscriptions/${name}`,
    headers: { 'x-functions-key': FUNCTION_KEY, ...headers },
    ...(body !== undefined && method !== 'GET' ? { body } : {}),
  }));

// ---- read routes ---------------------------------------------------------------------------------

function query(parameters: Record<string, string | undefined>): string {
  const entries = Object.entries(parameters).filter(
    (entry): entry is [string, string] => entry[1] !== undefined,
  );
  return entries.length === 0
    ? ''
    : `?${entries.map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join('&')}`;
}

const token = fc.oneof(
  fc.constantFrom('{"a":1}', 'garbage', '', '[]', 'null', '{"token":"x","range":{"min":"","max":"FF"}}'),
  anyText,
  fc.constant(undefined).map(() => realTokens[0] ?? ''),
  fc
    .tuple(fc.constant(undefined), fc.nat({ max: 200 }), fc.constantFrom('A', '_', '.', '-'))
    .map(([, at, replacement]) => {
      const real = realTokens[0] ?? '';
      return real.slice(0, at) + replacement + real.slice(at + 1);
    }),
);

const readRequest: fc.Arbitrary<FuzzRequest> = fc
  .tuple(
    fc.constantFrom('list', 'deliveries', 'deadletters', 'event', 'redrive', 'subscription'),
    fc.oneof(topicFor('s', SUBSCRIPTION_TOPIC), topicFor('p', PUBLISH_TOPIC)),
    segment(fc.constantFrom('a', 'b', 'receiver')),
    fc.record(
      {
        maxItems: fc.oneof(
          { arbitrary: fc.integer({ min: 1, max: 1000 }).map(String), weight: 4 },
          {
            arbitrary: fc.oneof(
              fc.integer({ min: -2, max: 1002 }).map(String),
              fc.constantFrom('1e3', 'NaN', '0x10', ' 5', ''),
              anyText,
            ),
            weight: 1,
          },
        ),
        continuationToken: fc.oneof(
          { arbitrary: token, weight: 1 },
          { arbitrary: fc.constant(undefined), weight: 2 },
        ),
        status: fc.oneof(
          {
            arbitrary: fc.constantFrom('pending', 'succeeded', 'retrying', 'deadLettered', undefined),
            weight: 4,
          },
          { arbitrary: fc.oneof(fc.constantFrom('failed', ''), anyText), weight: 1 },
        ),
      },
      { requiredKeys: [] },
    ),
    segment(
      fc.oneof(
        fc.constant(undefined).map(() => realEventKeys[0] ?? 'x'),
        fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 32, maxLength: 32 }),
      ),
    ),
    fc.option(
      fc.oneof(
        fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.stringify(value)),
        anyText,
      ),
      { nil: undefined },
    ),
  )
  .map(([route, topic, name, parameters, eventKey, body]): FuzzRequest => {
    const headers = { 'x-functions-key': FUNCTION_KEY };
    const base = `/topics/${topic}/subscriptions`;
    switch (route) {
      case 'list':
        return {
          method: 'GET',
          path: `${base}${query({ maxItems: parameters.maxItems, continuationToken: parameters.continuationToken })}`,
          headers,
        };
      case 'deliveries':
        return { method: 'GET', path: `${base}/${name}/deliveries${query(parameters)}`, headers };
      case 'deadletters':
        return { method: 'GET', path: `${base}/${name}/deadletters${query(parameters)}`, headers };
      case 'event':
        return { method: 'GET', path: `/events/${eventKey}`, headers };
      case 'redrive':
        return {
          method: 'POST',
          path: `${base}/${name}/deadletters/redrive`,
          headers: { ...headers, 'content-type': 'application/json' },
          ...(body !== undefined ? { body } : {}),
        };
      default:
        return { method: 'GET', path: `${base}/${name}`, headers };
    }
  });

// ---- the properties ----------------------------------------------------------------------------

describe('HTTP API fuzz (fast-check, fixed seed): no 5xx, every 4xx is problem+json', () => {
  it(`publish: ${RUNS.publish * REQUESTS_PER_RUN} generated requests`, async () => {
    await check('publish', publishRequest, RUNS.publish);
  }, 180_000);

  it(`subscriptions: ${RUNS.subscriptions * REQUESTS_PER_RUN} generated requests`, async () => {
    await check('subscriptions', subscriptionRequest, RUNS.subscriptions);
  }, 180_000);

  it(`read routes: ${RUNS.reads * REQUESTS_PER_RUN} generated requests`, async () => {
    await check('reads', readRequest, RUNS.reads);
  }, 180_000);
});
