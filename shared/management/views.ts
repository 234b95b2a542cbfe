/**
 * The bodies the management API answers with, as zod schemas: the OpenAPI description
 * (shared/openapi) is generated from them, the handlers' bodies are typed by them (`satisfies`),
 * and the end-to-end tests check every answer against the generated document. A field added to
 * a view without its schema fails the compile; one the schema names that is not sent fails the
 * tests.
 *
 * The subscription view is built from the PUT body's own schema, so a field added to a
 * subscription shows in both at once (and a client can PUT back what it read).
 */
import { z } from 'zod';

import { PERMISSIONS } from '../auth/permissions';
import { EVENT_KEY_PATTERN } from '../events/eventKey';
import { TOPIC_NAME_PATTERN } from '../events/topicName';
import { subscriptionSpecSchema } from '../subscriptions/subscriptionSpecSchema';

const timestamp = z.string().meta({ format: 'date-time', description: 'ISO 8601, UTC.' });
const eventKey = z
  .string()
  .regex(EVENT_KEY_PATTERN)
  .meta({ description: 'The event within Switchyard: 32 URL-safe characters, from topic, source and id.' });
const continuationToken = z.string().optional().meta({
  description:
    'Present when there is a next page: pass it back unchanged as the `continuationToken` query parameter.',
});

// ---- publish ------------------------------------------------------------------------------

export const acceptedEventsSchema = z.object({
  accepted: z
    .array(z.object({ id: z.string(), source: z.string(), eventKey }))
    .meta({ description: 'One entry per event of the request, in order.' }),
});

// ---- subscriptions ------------------------------------------------------------------------

const spec = subscriptionSpecSchema.in.shape;

export const subscriptionViewSchema = subscriptionSpecSchema.in.extend({
  filter: spec.filter.unwrap(),
  retryPolicy: spec.retryPolicy.unwrap(),
  topic: z.string().regex(TOPIC_NAME_PATTERN),
  name: z.string().regex(TOPIC_NAME_PATTERN),
  status: z.enum(['active', 'disabled']).meta({
    description:
      'A subscription is disabled when its endpoint refused deliveries for good; PUT re-enables it.',
  }),
  disabledReason: z.string().optional(),
  createdAt: timestamp,
  updatedAt: timestamp,
});

export const createdSubscriptionSchema = subscriptionViewSchema.extend({
  signingSecret: z.string().meta({
    description:
      'The Standard Webhooks secret (`whsec_...`) that signs deliveries: in this answer only, never again.',
  }),
});

export const subscriptionListSchema = z.object({
  items: z.array(subscriptionViewSchema),
  continuationToken,
});

// ---- deliveries and events ----------------------------------------------------------------

const deliveryAttemptSchema = z.object({
  n: z.number().int().min(1),
  at: timestamp,
  outcome: z.enum(['succeeded', 'retryableFailure', 'permanentFailure']),
  httpStatus: z.number().int().optional(),
  durationMs: z.number().min(0),
  error: z.string().optional(),
  responseBody: z.string().optional().meta({ description: 'The first 4 KB of the response body.' }),
});

export const deliveryViewSchema = z.object({
  deliveryId: z.string(),
  eventKey,
  topic: z.string(),
  subscription: z.string(),
  status: z.enum(['pending', 'succeeded', 'retrying', 'deadLettered']),
  attempts: z.array(deliveryAttemptSchema),
  createdAt: timestamp,
  updatedAt: timestamp,
  nextAttemptAt: timestamp.optional(),
  deadLetter: z.object({ reason: z.string(), description: z.string(), at: timestamp }).optional(),
  lastInvocationError: z
    .object({
      at: timestamp,
      attempt: z.number().int(),
      deliveryCount: z.number().int(),
      error: z.string(),
    })
    .optional()
    .meta({
      description:
        'The last invocation of deliver that failed on this delivery without recording an attempt.',
    }),
});

/** A matched subscription whose first attempt has not run yet. */
const notYetAttemptedSchema = z.object({
  deliveryId: z.string(),
  subscription: z.string(),
  status: z.literal('pending'),
  attempts: z.array(deliveryAttemptSchema).max(0),
});

const cloudEventViewSchema = z
  .looseObject({ specversion: z.literal('1.0'), id: z.string(), source: z.string(), type: z.string() })
  .meta({ description: 'The event as published (structured JSON form).' });

export const eventStatusSchema = z.object({
  eventKey,
  topic: z.string(),
  id: z.string(),
  source: z.string(),
  type: z.string(),
  subject: z.string().optional(),
  receivedAt: timestamp,
  sizeBytes: z.number().int().min(0),
  matchedSubscriptions: z.array(z.string()),
  deliveries: z.array(z.union([deliveryViewSchema, notYetAttemptedSchema])),
  event: cloudEventViewSchema.optional(),
  payloadRef: z
    .string()
    .optional()
    .meta({ description: 'Instead of `event` when the event was too large to keep inline.' }),
});

export const deliveryListSchema = z.object({ items: z.array(deliveryViewSchema), continuationToken });

// ---- dead letters -------------------------------------------------------------------------

const poisonMessageSchema = z.object({
  queue: z.enum(['deliveries', 'deadletters']),
  deliveryId: z.string().optional(),
  eventKey: z.string().optional(),
  attempt: z.number().int().optional(),
  sequenceNumber: z.string(),
  enqueuedTimeUtc: timestamp.optional(),
  deadLetterReason: z.string().optional(),
  deadLetterErrorDescription: z.string().optional(),
});

export const deadLetterListSchema = z.object({
  items: z.array(deliveryViewSchema),
  continuationToken,
  poison: z.array(poisonMessageSchema).meta({
    description: 'Messages Service Bus dead-lettered itself after repeated crashes (peeked, up to 100).',
  }),
});

export const redriveResultSchema = z.object({
  redriven: z.number().int().min(0),
  deliveryIds: z.array(z.string()),
});

const sequenceNumber = z
  .string()
  .regex(/^[0-9]+$/)
  .meta({ description: 'Service Bus sequence number (a 64-bit integer, as a decimal string).' });

const rejectedIngressViewSchema = z.object({
  sequenceNumber,
  stage: z.literal('ingress'),
  topic: z.string(),
  reason: z.string().meta({ examples: ['InvalidEvent', 'InvalidClaimCheck', 'MaxDeliveryCountExceeded'] }),
  description: z.string(),
  deadLetteredAt: timestamp,
  messageId: z.string().optional(),
  enqueuedTimeUtc: timestamp.optional(),
  contentType: z.string().optional(),
  applicationProperties: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  originalBody: z.string().meta({ description: 'The first 4096 characters of the body as text.' }),
});

const unreadableIngressViewSchema = z.object({
  sequenceNumber,
  reason: z.literal('Unreadable'),
  description: z.string(),
});

export const ingressDeadLetterListSchema = z.object({
  items: z.array(z.union([rejectedIngressViewSchema, unreadableIngressViewSchema])),
  continuationToken,
});

export const ingressRedriveResultSchema = z.object({
  redriven: z.number().int().min(0),
  kept: z
    .number()
    .int()
    .min(0)
    .meta({ description: 'Dead letters that carry no original message to send back.' }),
});

// ---- API keys -----------------------------------------------------------------------------

export const apiKeyViewSchema = z.object({
  name: z.string(),
  permissions: z.array(z.enum(PERMISSIONS)),
  topics: z.array(z.string()).meta({ description: '`["*"]` for every topic.' }),
  createdAt: timestamp,
  expiresAt: timestamp.optional(),
  lastUsedAt: timestamp.optional(),
});

export const issuedApiKeySchema = apiKeyViewSchema.extend({
  key: z.string().meta({ description: 'The key (`sk_<name>_<secret>`): in this answer only, never again.' }),
});

export const apiKeyListSchema = z.object({ items: z.array(apiKeyViewSchema) });

// ---- health -------------------------------------------------------------------------------

export const healthSchema = z.object({
  status: z.enum(['healthy', 'unhealthy']),
  dependencies: z.record(
    z.string(),
    z.object({
      status: z.enum(['healthy', 'unhealthy']),
      durationMs: z.number().min(0),
      error: z.string().optional(),
    }),
  ),
});

// ---- the types the handlers' bodies satisfy -----------------------------------------------

export type AcceptedEventsView = z.output<typeof acceptedEventsSchema>;
/** Described on the input side, like the PUT body it is built from (shared/openapi/components.ts). */
export type SubscriptionView = z.input<typeof subscriptionViewSchema>;
export type CreatedSubscriptionView = z.input<typeof createdSubscriptionSchema>;
export type SubscriptionListView = z.input<typeof subscriptionListSchema>;
export type EventStatusView = z.output<typeof eventStatusSchema>;
export type DeliveryView = z.output<typeof deliveryViewSchema>;
export type DeliveryListView = z.output<typeof deliveryListSchema>;
export type DeadLetterListView = z.output<typeof deadLetterListSchema>;
export type RedriveResultView = z.output<typeof redriveResultSchema>;
export type IngressDeadLetterListView = z.output<typeof ingressDeadLetterListSchema>;
export type IngressRedriveResultView = z.output<typeof ingressRedriveResultSchema>;
export type ApiKeyView = z.output<typeof apiKeyViewSchema>;
export type IssuedApiKeyView = z.output<typeof issuedApiKeySchema>;
export type ApiKeyListView = z.output<typeof apiKeyListSchema>;
export type HealthView = z.output<typeof healthSchema>;
