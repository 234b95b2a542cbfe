import type { Destination, SubscriptionRecord } from '../domain/types';
import type { FieldError } from '../http/problem';
import {
  invalidField,
  notFoundProblem,
  preconditionFailedProblem,
  validationProblem,
} from '../http/problems';
import {
  type PageOptions,
  PreconditionFailedError,
  type SubscriptionRepository,
} from '../domain/repositories';
import { parseTopicName } from '../events/topicName';
import { generateSigningSecret } from '../subscriptions/signingSecret';
import { validateSubscriptionName } from '../subscriptions/subscriptionName';
import type { DestinationInput } from '../subscriptions/destinationSchema';
import { parseSubscriptionSpecOrThrow } from '../subscriptions/subscriptionSpecSchema';
import { type ApiResponse, json } from './apiResponse';
import type { CreatedSubscriptionView, SubscriptionListView, SubscriptionView } from './views';
import { type ContinuationTokens, pageOfList } from './paging';
import { ifMatchAllows, toEntityTag } from './entityTag';

/** A destination as the API shows it: webhook header names, each value masked as null (write-only). */
export type DestinationView =
  Exclude<Destination, { endpointType: 'WebHook' }> | Extract<DestinationInput, { endpointType: 'WebHook' }>;

/** A subscription as the API shows it: everything but the signing secret and header values. */
export function subscriptionView(
  record: SubscriptionRecord,
): Omit<SubscriptionRecord, 'signingSecret' | 'id' | 'destination'> & { destination: DestinationView } {
  const { signingSecret: _secret, id: _id, destination, ...view } = record;
  return { ...view, destination: destinationView(destination) };
}

function destinationView(destination: Destination): DestinationView {
  if (destination.endpointType !== 'WebHook' || !destination.headers) return destination;
  return {
    ...destination,
    headers: Object.fromEntries(Object.keys(destination.headers).map((name) => [name, null])),
  };
}

/**
 * The destination to store: a header value of null takes the value stored for that header name
 * (case-insensitive). Only for the same origin: a kept credential must not follow the webhook to
 * another host, so moving the endpoint elsewhere needs the values again. 400s name the header.
 */
export function resolveKeptHeaders(
  requested: DestinationInput,
  stored: Destination | undefined,
): Destination {
  if (requested.endpointType !== 'WebHook' || !requested.headers) return requested as Destination;
  const storedHeaders = stored?.endpointType === 'WebHook' ? (stored.headers ?? {}) : {};
  const storedByName = new Map(
    Object.entries(storedHeaders).map(([name, value]) => [name.toLowerCase(), value]),
  );
  const sameOrigin =
    stored?.endpointType === 'WebHook' && originOf(stored.endpointUrl) === originOf(requested.endpointUrl);
  const errors: FieldError[] = [];
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(requested.headers)) {
    const kept = value ?? storedByName.get(name.toLowerCase());
    if (kept === undefined) {
      errors.push({
        field: `destination.headers.${name}`,
        message: 'null keeps the stored value of this header, but none is stored; send the value',
      });
    } else if (value === null && !sameOrigin) {
      errors.push({
        field: `destination.headers.${name}`,
        message:
          'a stored header value is only kept for the same endpoint origin (scheme, host, port); send the value again for the new endpoint',
      });
    } else {
      headers[name] = kept;
    }
  }
  if (errors.length > 0) throw validationProblem(errors);
  return { ...requested, headers };
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

export function parseSubscriptionAddress(topic: unknown, name: unknown): { topic: string; name: string } {
  const parsedTopic = parseTopicName(topic);
  const errors = validateSubscriptionName(name);
  if (errors.length > 0) throw validationProblem(errors);
  return { topic: parsedTopic, name: name as string };
}

/** Why a webhook URL's host must not be used (SSRF guard), or undefined when it may. */
export type WebhookTargetCheck = (endpointUrl: string) => Promise<string | undefined>;

export interface PutSubscriptionInput {
  topic: unknown;
  name: unknown;
  body: unknown;
  ifMatch?: string | null;
  ifNoneMatch?: string | null;
  now: Date;
  /** Refuses private targets at creation, so the mistake shows at once, not as a dead letter. */
  checkWebhookTarget?: WebhookTargetCheck;
}

/**
 * Creates (201, with the signing secret, the only time it is shown) or replaces (200) a
 * subscription. A replace keeps the secret and re-enables a disabled subscription.
 * If-Match / If-None-Match: * make it conditional (412 when the condition fails).
 */
export async function putSubscription(
  store: SubscriptionRepository,
  input: PutSubscriptionInput,
): Promise<ApiResponse> {
  const { topic, name } = parseSubscriptionAddress(input.topic, input.name);
  const spec = parseSubscriptionSpecOrThrow(input.body);
  if (spec.destination.endpointType === 'WebHook' && input.checkWebhookTarget) {
    const refused = await input.checkWebhookTarget(spec.destination.endpointUrl);
    if (refused) throw invalidField('destination.endpointUrl', refused);
  }
  const instance = `/topics/${topic}/subscriptions/${name}`;
  const existing = await store.get(topic, name);
  if (input.ifMatch && !ifMatchAllows(input.ifMatch, existing?.etag)) {
    throw preconditionFailedProblem(
      existing
        ? 'If-Match does not match the current version of the subscription'
        : 'If-Match but the subscription does not exist',
      instance,
    );
  }
  if (input.ifNoneMatch === '*' && existing) {
    throw preconditionFailedProblem('If-None-Match: * but the subscription already exists', instance);
  }
  const now = input.now.toISOString();
  const record: SubscriptionRecord = {
    ...spec,
    destination: resolveKeptHeaders(spec.destination, existing?.record.destination),
    id: name,
    topic,
    name,
    status: 'active',
    signingSecret: existing?.record.signingSecret ?? generateSigningSecret(),
    createdAt: existing?.record.createdAt ?? now,
    updatedAt: now,
  };
  try {
    const saved = await store.put(record, existing ? { ifMatch: existing.etag } : { ifNoneMatch: '*' });
    const view = subscriptionView(saved.record);
    return saved.created
      ? json(201, { ...view, signingSecret: record.signingSecret } satisfies CreatedSubscriptionView, {
          etag: toEntityTag(saved.etag),
          location: `/api${instance}`,
        })
      : json(200, view satisfies SubscriptionView, { etag: toEntityTag(saved.etag) });
  } catch (error) {
    if (error instanceof PreconditionFailedError) {
      throw preconditionFailedProblem(
        'the subscription changed while it was being saved; read it and try again',
        instance,
      );
    }
    throw error;
  }
}

export async function getSubscription(
  store: SubscriptionRepository,
  topic: unknown,
  name: unknown,
): Promise<ApiResponse> {
  const address = parseSubscriptionAddress(topic, name);
  const found = await store.get(address.topic, address.name);
  if (!found) throw notFoundProblem(`no subscription ${address.name} on topic ${address.topic}`);
  return json(200, subscriptionView(found.record) satisfies SubscriptionView, {
    etag: toEntityTag(found.etag),
  });
}

export async function deleteSubscription(
  store: SubscriptionRepository,
  topic: unknown,
  name: unknown,
  ifMatch?: string | null,
): Promise<ApiResponse> {
  const address = parseSubscriptionAddress(topic, name);
  const missing = () => notFoundProblem(`no subscription ${address.name} on topic ${address.topic}`);
  let condition: { ifMatch?: string } = {};
  if (ifMatch) {
    // Compared here (the header's forms differ from the stored ETag's), then the stored ETag
    // guards the delete itself against a change in between.
    const current = await store.get(address.topic, address.name);
    if (!current) throw missing();
    if (!ifMatchAllows(ifMatch, current.etag)) {
      throw preconditionFailedProblem('If-Match does not match the current version of the subscription');
    }
    condition = { ifMatch: current.etag };
  }
  try {
    const deleted = await store.delete(address.topic, address.name, condition);
    if (!deleted) throw missing();
    return { status: 204 };
  } catch (error) {
    if (error instanceof PreconditionFailedError) {
      throw preconditionFailedProblem('If-Match does not match the current version of the subscription');
    }
    throw error;
  }
}

export async function listSubscriptions(
  store: SubscriptionRepository,
  topic: unknown,
  page: PageOptions,
  tokens: ContinuationTokens,
): Promise<ApiResponse> {
  const parsedTopic = parseTopicName(topic);
  const result = await pageOfList(tokens, ['subscriptions', parsedTopic], page, (options) =>
    store.list(parsedTopic, options),
  );
  return json(200, {
    items: result.items.map(subscriptionView),
    ...(result.continuationToken ? { continuationToken: result.continuationToken } : {}),
  } satisfies SubscriptionListView);
}
