/**
 * The named schemas of the OpenAPI description (`components.schemas`), each the very zod schema
 * the code validates with or answers with. Request bodies are described as zod reads them
 * (`io: 'input'`: defaults make a field optional); answers as the code writes them
 * (`io: 'output'`). The subscription views are built from the PUT body's schema and so are
 * described on its input side too: what a GET returns is what a PUT accepts back.
 */
import { z } from 'zod';

import { DEFAULT_EVENT_LIMITS } from '../events/limits';
import { cloudEventSchema } from '../events/eventSchema';
import { fieldErrorSchema, problemSchema } from '../http/problemSchema';
import { apiKeySpecSchema } from '../management/apiKeys';
import { redriveBodySchema } from '../management/deadletters';
import { ingressRedriveBodySchema } from '../management/ingressDeadLetters';
import {
  acceptedEventsSchema,
  apiKeyListSchema,
  apiKeyViewSchema,
  createdSubscriptionSchema,
  deadLetterListSchema,
  deliveryListSchema,
  deliveryViewSchema,
  eventStatusSchema,
  healthSchema,
  ingressDeadLetterListSchema,
  ingressRedriveResultSchema,
  issuedApiKeySchema,
  redriveResultSchema,
  subscriptionListSchema,
  subscriptionViewSchema,
} from '../management/views';
import { subscriptionSpecSchema } from '../subscriptions/subscriptionSpecSchema';

const cloudEventBatchSchema = z
  .array(cloudEventSchema)
  .min(1)
  .max(DEFAULT_EVENT_LIMITS.maxBatchEvents)
  .meta({ description: 'A CloudEvents JSON batch: accepted or refused as a whole.' });

/** Described as zod parses them (defaults optional, transforms' input side). */
export const INPUT_SCHEMAS = {
  CloudEvent: cloudEventSchema.meta({
    description:
      'A CloudEvent 1.0 in the JSON event format. Extension attributes: lower-case alphanumeric names (1-20), string, 32-bit integer or boolean values. At most 1 MB (compact JSON, UTF-8), nested at most 64 levels.',
  }),
  CloudEventBatch: cloudEventBatchSchema,
  SubscriptionSpec: subscriptionSpecSchema.meta({
    description:
      'The body of a subscription PUT. Read-only fields a GET returns (name, status, timestamps) may be sent back and are ignored; any other unknown field is refused.',
  }),
  Subscription: subscriptionViewSchema,
  CreatedSubscription: createdSubscriptionSchema,
  SubscriptionList: subscriptionListSchema,
  RedriveRequest: redriveBodySchema,
  IngressRedriveRequest: ingressRedriveBodySchema,
  ApiKeySpec: apiKeySpecSchema,
} as const;

/** Described as the code writes them. */
export const OUTPUT_SCHEMAS = {
  Problem: problemSchema,
  FieldError: fieldErrorSchema,
  AcceptedEvents: acceptedEventsSchema,
  EventStatus: eventStatusSchema,
  Delivery: deliveryViewSchema,
  DeliveryList: deliveryListSchema,
  DeadLetterList: deadLetterListSchema,
  RedriveResult: redriveResultSchema,
  IngressDeadLetterList: ingressDeadLetterListSchema,
  IngressRedriveResult: ingressRedriveResultSchema,
  ApiKey: apiKeyViewSchema,
  IssuedApiKey: issuedApiKeySchema,
  ApiKeyList: apiKeyListSchema,
  Health: healthSchema,
} as const;

export type ComponentName = keyof typeof INPUT_SCHEMAS | keyof typeof OUTPUT_SCHEMAS;

type JsonSchema = Record<string, unknown>;

const COMPONENT_URI = (id: string) => `#/components/schemas/${id}`;

function convert(schemas: Readonly<Record<string, z.ZodType>>, io: 'input' | 'output') {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(schemas)) registry.add(schema, { id });
  const { schemas: converted } = z.toJSONSchema(registry, {
    io,
    target: 'draft-2020-12',
    uri: COMPONENT_URI,
    // Refinements (a URL check, a regex in code) cannot be said in JSON Schema: the type stays.
    unrepresentable: 'any',
  });
  const out: Record<string, JsonSchema> = {};
  for (const [id, schema] of Object.entries(converted)) {
    // The document is the schema resource: no per-component $schema or $id.
    const { $schema: _schema, $id: _id, ...rest } = schema as JsonSchema;
    out[id] = rest;
  }
  return out;
}

/** `components.schemas`, sorted by name so the document is stable. */
export function componentSchemas(): Record<string, JsonSchema> {
  const all = { ...convert(INPUT_SCHEMAS, 'input'), ...convert(OUTPUT_SCHEMAS, 'output') };
  return Object.fromEntries(Object.entries(all).sort(([a], [b]) => a.localeCompare(b)));
}

export const schemaRef = (name: ComponentName) => ({ $ref: COMPONENT_URI(name) });
