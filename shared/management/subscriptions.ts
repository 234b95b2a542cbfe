import type { SubscriptionRecord } from '../domain/types';
import { invalidField, notFoundProblem, preconditionFailedProblem, validationProblem } from '../http/problems';
import { type PageOptions, PreconditionFailedError, type SubscriptionRepository } from '../domain/repositories';
import { parseTopicName } from '../events/topicName';
import { generateSigningSecret } from '../subscriptions/signingSecret';
import { validateSubscriptionName } from '../subscriptions/subscriptionName';
import { parseSubscriptionSpecOrThrow } from '../subscriptions/subscriptionSpecSchema';
import { type ApiResponse, json } from './apiResponse';
import { ifMatchAllows, toEntityTag } from './entityTag';

/** A subscription as the API shows it: everything but the signing secret. */
export function subscriptionView(
  record: SubscriptionRecord,
): Omit<SubscriptionRecord, 'signingSecret' | 'id'> {
  const { signingSecret: _secret, id: _id, ...view } = record;
  return view;
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
      ? json(
          201,
          { ...view, signingSecret: record.signingSecret },
          { etag: toEntityTag(saved.etag), location: `/api${instance}` },
        )
      : json(200, view, { etag: toEntityTag(saved.etag) });
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
  return json(200, subscriptionView(found.record), { etag: toEntityTag(found.etag) });
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
): Promise<ApiResponse> {
  const parsedTopic = parseTopicName(topic);
  const result = await store.list(parsedTopic, page);
  return json(200, {
    items: result.items.map(subscriptionView),
    ...(result.continuationToken ? { continuationToken: result.continuationToken } : {}),
  });
}
