/**
 * What the registrations do not say about each HTTP function: its summary, parameters, request
 * body and answers, keyed by the function's registered name. Routes, methods and permissions come
 * from the registrations themselves (shared/openapi/document.ts); a function registered without
 * an entry here is still described, with its path parameters, security and problem answers.
 */
import { MAX_PAGE_SIZE } from '../domain/repositories';
import { KEY_NAME_PATTERN, KEY_NAME_RULE } from '../auth/apiKey';
import { CLOUDEVENTS_BATCH_JSON, CLOUDEVENTS_JSON } from '../events/httpEventRequest';
import type { ComponentName } from './components';

export interface ParameterDoc {
  name: string;
  in: 'query' | 'header';
  description: string;
  required?: boolean;
  schema: Record<string, unknown>;
  example?: unknown;
}

export interface BodyDoc {
  /** A named component, or an inline JSON Schema (binary bodies). */
  schema: ComponentName | Record<string, unknown>;
  example?: unknown;
}

export interface ResponseDoc {
  description: string;
  /** application/json bodies; problem answers are added by status (document.ts). */
  body?: BodyDoc;
  headers?: Record<string, { description: string; schema?: Record<string, unknown> }>;
}

export interface OperationDoc {
  summary: string;
  description?: string;
  tag: string;
  /** Overrides of the path parameters' defaults (document.ts PATH_PARAMETERS). */
  pathParameters?: Record<string, { description: string; schema: Record<string, unknown> }>;
  parameters?: ParameterDoc[];
  requestBody?: { required: boolean; description?: string; content: Record<string, BodyDoc> };
  /** Answers with their own bodies (2xx, and /health's 503). Problem answers: `problems`. */
  responses: Record<number, ResponseDoc>;
  /** The problem statuses this operation answers with, besides 401/403/503 (added for all). */
  problems?: number[];
}

const pageParameters: ParameterDoc[] = [
  {
    name: 'maxItems',
    in: 'query',
    description: `Items per page, 1-${MAX_PAGE_SIZE}.`,
    schema: { type: 'integer', minimum: 1, maximum: MAX_PAGE_SIZE },
  },
  {
    name: 'continuationToken',
    in: 'query',
    description: 'The `continuationToken` of the previous page, unchanged; absent for the first page.',
    schema: { type: 'string' },
  },
];

const etagHeader = {
  description: 'The version of the subscription, for If-Match.',
  schema: { type: 'string' },
};
const locationHeader = { description: 'Where the new resource is.', schema: { type: 'string' } };
const noStore = {
  description: '`no-store`: the secret in this answer must not be cached.',
  schema: { type: 'string' },
};

const exampleEvent = {
  specversion: '1.0',
  id: 'order-1001',
  source: '/shop/orders',
  type: 'com.example.order.created',
  subject: 'orders/1001',
  time: '2026-05-01T12:00:00Z',
  datacontenttype: 'application/json',
  data: { orderId: 1001, total: 42.5 },
};

const exampleSubscription = {
  destination: {
    endpointType: 'WebHook',
    endpointUrl: 'https://billing.example.com/hooks/orders',
    headers: { 'x-team': 'billing' },
  },
  filter: {
    includedEventTypes: ['com.example.order.created'],
    subjectBeginsWith: 'orders/',
    advancedFilters: [{ operatorType: 'NumberGreaterThan', key: 'data.total', value: 10 }],
  },
  retryPolicy: { maxDeliveryAttempts: 10, eventTimeToLiveInMinutes: 60 },
};

const ceHeader = (name: string, description: string): ParameterDoc => ({
  name: `ce-${name}`,
  in: 'header',
  description: `Binary mode: ${description}`,
  schema: { type: 'string' },
});

export const OPERATIONS: Readonly<Record<string, OperationDoc>> = {
  publish: {
    tag: 'events',
    summary: 'Publish CloudEvents to a topic',
    description: [
      'Accepts one event (structured mode, `application/cloudevents+json`), a batch',
      '(`application/cloudevents-batch+json`, up to 100 events, all or none), or one event in',
      'binary mode: the attributes in `ce-*` headers (percent-encoded), the body is the data and',
      'Content-Type its `datacontenttype`. 202 means every event is durably queued for routing;',
      'publishing the same topic, source and id again is dropped as a duplicate.',
    ].join(' '),
    parameters: [
      ceHeader('specversion', '`1.0`; its presence selects binary mode.'),
      ceHeader('id', 'the event id (required in binary mode).'),
      ceHeader('source', 'a URI-reference (required in binary mode).'),
      ceHeader('type', 'the event type (required in binary mode).'),
      ceHeader('subject', 'optional.'),
      ceHeader('time', 'optional RFC 3339 timestamp.'),
      ceHeader('dataschema', 'optional absolute URI.'),
    ],
    requestBody: {
      required: true,
      content: {
        [CLOUDEVENTS_JSON]: { schema: 'CloudEvent', example: exampleEvent },
        [CLOUDEVENTS_BATCH_JSON]: {
          schema: 'CloudEventBatch',
          example: [exampleEvent, { ...exampleEvent, id: 'order-1002', subject: 'orders/1002' }],
        },
        '*/*': {
          schema: {
            description:
              'Binary mode: the event data, described by Content-Type; the attributes are the ce-* headers.',
          },
          example: { orderId: 1001, total: 42.5 },
        },
      },
    },
    responses: {
      202: {
        description: 'Accepted: every event is queued for routing.',
        body: {
          schema: 'AcceptedEvents',
          example: {
            accepted: [
              { id: 'order-1001', source: '/shop/orders', eventKey: 'q3J1c2hZb2Ui9m9x0ZkM5pRk2YwTb1Vd' },
            ],
          },
        },
      },
    },
    problems: [400, 413, 415],
  },
  eventStatus: {
    tag: 'events',
    summary: 'What happened to an event',
    description:
      'The event, the subscriptions it matched, and each delivery with its status and every attempt (time, outcome, HTTP status, duration, error), with the reason when dead-lettered.',
    responses: { 200: { description: 'The event and its deliveries.', body: { schema: 'EventStatus' } } },
    problems: [400, 404],
  },
  subscriptions: {
    tag: 'subscriptions',
    summary: "List a topic's subscriptions",
    parameters: pageParameters,
    responses: { 200: { description: 'One page of subscriptions.', body: { schema: 'SubscriptionList' } } },
    problems: [400],
  },
  getSubscription: {
    tag: 'subscriptions',
    summary: 'Read a subscription',
    description: 'Webhook header values are write-only: each header is shown with the value null.',
    responses: {
      200: {
        description: 'The subscription.',
        body: { schema: 'Subscription' },
        headers: { etag: etagHeader },
      },
    },
    problems: [400, 404],
  },
  putSubscription: {
    tag: 'subscriptions',
    summary: 'Create or replace a subscription',
    description:
      'Creates (201, with the signing secret, shown only then) or replaces (200) the subscription. A replace keeps the secret and re-enables a disabled subscription. A webhook header value of null keeps the stored value (same endpoint origin only).',
    parameters: [
      {
        name: 'if-match',
        in: 'header',
        description: 'Replace only this version (the ETag of a GET); 412 otherwise.',
        schema: { type: 'string' },
      },
      {
        name: 'if-none-match',
        in: 'header',
        description: '`*`: create only; 412 when the subscription exists.',
        schema: { type: 'string', const: '*' },
      },
    ],
    requestBody: {
      required: true,
      content: { 'application/json': { schema: 'SubscriptionSpec', example: exampleSubscription } },
    },
    responses: {
      200: {
        description: 'Replaced.',
        body: { schema: 'Subscription' },
        headers: { etag: etagHeader },
      },
      201: {
        description: 'Created; the answer carries the signing secret, the only time it is shown.',
        body: { schema: 'CreatedSubscription' },
        headers: { etag: etagHeader, location: locationHeader },
      },
    },
    problems: [400, 412],
  },
  deleteSubscription: {
    tag: 'subscriptions',
    summary: 'Delete a subscription',
    parameters: [
      {
        name: 'if-match',
        in: 'header',
        description: 'Delete only this version (the ETag of a GET); 412 otherwise.',
        schema: { type: 'string' },
      },
    ],
    responses: { 204: { description: 'Deleted.' } },
    problems: [400, 404, 412],
  },
  deliveries: {
    tag: 'deliveries',
    summary: "A subscription's recent deliveries",
    description: 'Newest first, each with every attempt; optionally of one status.',
    parameters: [
      {
        name: 'status',
        in: 'query',
        description: 'Only deliveries of this status.',
        schema: { type: 'string', enum: ['pending', 'succeeded', 'retrying', 'deadLettered'] },
      },
      ...pageParameters,
    ],
    responses: { 200: { description: 'One page of deliveries.', body: { schema: 'DeliveryList' } } },
    problems: [400],
  },
  deadletters: {
    tag: 'dead letters',
    summary: "A subscription's dead letters",
    description:
      'Deliveries Switchyard gave up on (with the reason and every attempt), and poison messages Service Bus dead-lettered after repeated crashes.',
    parameters: pageParameters,
    responses: { 200: { description: 'One page of dead letters.', body: { schema: 'DeadLetterList' } } },
    problems: [400],
  },
  redrive: {
    tag: 'dead letters',
    summary: "Redrive a subscription's dead letters",
    description:
      'Sends up to `max` dead letters (oldest first, default 100) as fresh attempts with a new retry budget and time to live.',
    requestBody: {
      required: false,
      content: { 'application/json': { schema: 'RedriveRequest', example: { max: 10 } } },
    },
    responses: { 202: { description: 'Redriven.', body: { schema: 'RedriveResult' } } },
    problems: [400, 404, 409],
  },
  ingressDeadletters: {
    tag: 'dead letters',
    summary: 'Ingress messages Switchyard refused',
    description:
      'Messages sent to the Service Bus ingress queue that were not routed, oldest first, with the reason and what identifies the original.',
    parameters: pageParameters,
    responses: {
      200: {
        description: 'One page of refused ingress messages.',
        body: { schema: 'IngressDeadLetterList' },
      },
    },
    problems: [400],
  },
  ingressRedrive: {
    tag: 'dead letters',
    summary: 'Send refused ingress messages back to ingress',
    description:
      'Only dead letters that carry their original message go back (poison and expired ingress messages); those refused as invalid events are kept.',
    requestBody: {
      required: false,
      content: { 'application/json': { schema: 'IngressRedriveRequest', example: { max: 10 } } },
    },
    responses: { 202: { description: 'Redriven.', body: { schema: 'IngressRedriveResult' } } },
    problems: [400],
  },
  listKeys: {
    tag: 'keys',
    summary: 'List API keys',
    description: 'Names, scopes and dates; never a key.',
    responses: { 200: { description: 'Every key.', body: { schema: 'ApiKeyList' } } },
  },
  putKey: {
    tag: 'keys',
    summary: 'Issue (or rotate) an API key',
    description:
      'Issues a key with these permissions and topics (default every topic). The key is in this answer only. Putting an existing name issues a new key and the old one stops working.',
    pathParameters: {
      name: { description: KEY_NAME_RULE, schema: { type: 'string', pattern: KEY_NAME_PATTERN.source } },
    },
    requestBody: {
      required: true,
      content: {
        'application/json': {
          schema: 'ApiKeySpec',
          example: { permissions: ['publish'], topics: ['orders'], expiresAt: '2027-01-01T00:00:00Z' },
        },
      },
    },
    responses: {
      200: {
        description: 'Replaced: a new key.',
        body: { schema: 'IssuedApiKey' },
        headers: { 'cache-control': noStore },
      },
      201: {
        description: 'Created.',
        body: { schema: 'IssuedApiKey' },
        headers: { 'cache-control': noStore, location: locationHeader },
      },
    },
    problems: [400],
  },
  deleteKey: {
    tag: 'keys',
    summary: 'Revoke an API key',
    pathParameters: {
      name: { description: KEY_NAME_RULE, schema: { type: 'string', pattern: KEY_NAME_PATTERN.source } },
    },
    responses: { 204: { description: 'Revoked.' } },
    problems: [400, 404],
  },
  health: {
    tag: 'operations',
    summary: 'Health of the app and its dependencies',
    description:
      '200 when Service Bus and Cosmos DB answer; 503 (with Retry-After) naming the one that did not.',
    responses: {
      200: {
        description: 'Healthy.',
        body: {
          schema: 'Health',
          example: {
            status: 'healthy',
            dependencies: {
              serviceBus: { status: 'healthy', durationMs: 12 },
              cosmosDb: { status: 'healthy', durationMs: 8 },
            },
          },
        },
      },
      503: {
        description: 'A dependency did not answer.',
        body: { schema: 'Health' },
        headers: {
          'retry-after': { description: 'Seconds to wait before probing again.', schema: { type: 'string' } },
        },
      },
    },
  },
  openapi: {
    tag: 'operations',
    summary: 'This OpenAPI description',
    responses: { 200: { description: 'The OpenAPI 3.1 document.', body: { schema: { type: 'object' } } } },
  },
};
