/**
 * What makes a subscription trustworthy to its endpoint (issue #15): the validation handshake
 * (the endpoint agrees before anything is sent to it) and signing secret rotation (a leaked
 * secret is replaced without recreating the subscription, with an overlap in which deliveries
 * carry signatures with both secrets).
 */
import { z } from 'zod';
import type { DeliveryLimits, SubscriptionRecord, ValidationState } from '../domain/types';
import { PreconditionFailedError, type SubscriptionRepository } from '../domain/repositories';
import type { HandshakeVerdict } from '../delivery/validationHandshake';
import { conflictProblem, notFoundProblem } from '../http/problems';
import { fieldErrorsFromZod } from '../http/zodProblem';
import { validationProblem } from '../http/problems';
import { generateSigningSecret } from '../subscriptions/signingSecret';
import type { SystemEvent } from '../system/systemEvents';
import { type ApiResponse, json } from './apiResponse';
import { toEntityTag } from './entityTag';
import type { RotatedSecretView } from './views';

export interface SubscriptionTrustDependencies {
  /** Runs the handshake against a webhook endpoint (with the subscription's custom headers). */
  handshake(endpointUrl: string, headers: Record<string, string> | undefined): Promise<HandshakeVerdict>;
  /**
   * Publishes a system event. Never rejects: an event that cannot be published is logged by the
   * wiring, since the change it reports is saved already and its answer (which may carry a
   * secret shown only once) must still reach the caller.
   */
  notify(event: SystemEvent): Promise<void>;
}

/** Whether saving `next` over `before` calls for a handshake (create, new URL, opt-in, still pending). */
export function needsHandshake(next: SubscriptionRecord, before: SubscriptionRecord | undefined): boolean {
  if (next.destination.endpointType !== 'WebHook' || next.validation === 'none') return false;
  if (!before || before.destination.endpointType !== 'WebHook') return true;
  if (before.destination.endpointUrl !== next.destination.endpointUrl) return true;
  if (before.validation === 'none') return true;
  return before.status === 'pendingValidation';
}

/**
 * The subscription after a handshake: `active` when the endpoint agreed (a disabled one stays
 * disabled: only a PUT re-enables), `pendingValidation` otherwise; an allowed rate lowers
 * `delivery.maxPerSecond` (never raises what the owner asked for).
 */
export function afterHandshake(
  record: SubscriptionRecord,
  verdict: HandshakeVerdict,
  now: Date,
): SubscriptionRecord {
  const validationState: ValidationState = verdict.accepted
    ? {
        at: now.toISOString(),
        outcome: 'accepted',
        ...(verdict.allowedRatePerMinute !== undefined
          ? { allowedRatePerMinute: verdict.allowedRatePerMinute }
          : {}),
      }
    : { at: now.toISOString(), outcome: 'refused', reason: verdict.reason };
  const status: SubscriptionRecord['status'] =
    record.status === 'disabled' ? 'disabled' : verdict.accepted ? 'active' : 'pendingValidation';
  return withAllowedRate({ ...record, status, validationState });
}

/**
 * Keeps the rate the endpoint allowed in its last accepted handshake as the ceiling of
 * `delivery.maxPerSecond` (requests per minute / 60), also across a PUT that leaves it out.
 */
export function withAllowedRate(record: SubscriptionRecord): SubscriptionRecord {
  const state = record.validationState;
  if (state?.outcome !== 'accepted' || state.allowedRatePerMinute === undefined) return record;
  const allowed = state.allowedRatePerMinute / 60;
  const own = record.delivery?.maxPerSecond;
  const delivery: DeliveryLimits = {
    ...record.delivery,
    maxPerSecond: own === undefined ? allowed : Math.min(own, allowed),
  };
  return { ...record, delivery };
}

/** The system event of a refused handshake. */
export function validationFailedEvent(record: SubscriptionRecord): SystemEvent | undefined {
  const state = record.validationState;
  if (state?.outcome !== 'refused') return undefined;
  return {
    type: 'subscription.validationFailed',
    topic: record.topic,
    subscription: record.name,
    data: { at: state.at, reason: state.reason ?? 'refused', status: record.status },
  };
}

/**
 * POST .../validate: runs the handshake again (after the owner fixed the endpoint) and saves
 * the outcome; 200 with the subscription, 409 when it has no handshake to run.
 */
export async function validateSubscription(
  store: Pick<SubscriptionRepository, 'get' | 'put'>,
  trust: SubscriptionTrustDependencies,
  input: { topic: string; name: string; now: Date },
  view: (record: SubscriptionRecord) => unknown,
): Promise<ApiResponse> {
  const instance = `/topics/${input.topic}/subscriptions/${input.name}`;
  const current = await store.get(input.topic, input.name);
  if (!current) throw notFoundProblem(`no subscription ${input.name} on topic ${input.topic}`, instance);
  const { destination } = current.record;
  if (destination.endpointType !== 'WebHook') {
    throw conflictProblem('only webhook subscriptions take part in the validation handshake', instance);
  }
  if (current.record.validation === 'none') {
    throw conflictProblem(
      'this subscription opted out of the handshake (validation "none"); PUT it with validation "handshake" to use it',
      instance,
    );
  }
  const verdict = await trust.handshake(destination.endpointUrl, destination.headers);
  const next = afterHandshake({ ...current.record, updatedAt: input.now.toISOString() }, verdict, input.now);
  const saved = await saveOrConflict(store, next, current.etag, instance, 'validating');
  const failed = validationFailedEvent(saved.record);
  if (failed) await trust.notify(failed);
  return json(200, view(saved.record), { etag: toEntityTag(saved.etag) });
}

export const ROTATION_OVERLAP_SECONDS = { default: 86_400, min: 0, max: 604_800 } as const;

export const rotationBodySchema = z
  .strictObject(
    {
      overlapSeconds: z
        .number({ error: 'overlapSeconds must be a number of seconds' })
        .int('overlapSeconds must be a whole number of seconds')
        .min(
          ROTATION_OVERLAP_SECONDS.min,
          `overlapSeconds must be ${ROTATION_OVERLAP_SECONDS.min}-${ROTATION_OVERLAP_SECONDS.max}`,
        )
        .max(
          ROTATION_OVERLAP_SECONDS.max,
          `overlapSeconds must be ${ROTATION_OVERLAP_SECONDS.min}-${ROTATION_OVERLAP_SECONDS.max}`,
        )
        .default(ROTATION_OVERLAP_SECONDS.default),
    },
    { error: 'the body must be a JSON object' },
  )
  .optional();

/**
 * POST .../secret:rotate: a new signing secret, answered once (200, Cache-Control: no-store).
 * For `overlapSeconds` (default 24 h, 0 ends the old secret at once) deliveries are signed with
 * the new and the old secret; a second rotation within the overlap drops the oldest secret.
 */
export async function rotateSigningSecret(
  store: Pick<SubscriptionRepository, 'get' | 'put'>,
  trust: Pick<SubscriptionTrustDependencies, 'notify'>,
  input: { topic: string; name: string; body: unknown; now: Date; generate?: () => string },
): Promise<ApiResponse> {
  const parsed = rotationBodySchema.safeParse(input.body);
  if (!parsed.success) throw validationProblem(fieldErrorsFromZod(parsed.error));
  const overlapSeconds = parsed.data?.overlapSeconds ?? ROTATION_OVERLAP_SECONDS.default;
  const instance = `/topics/${input.topic}/subscriptions/${input.name}`;
  const current = await store.get(input.topic, input.name);
  if (!current) throw notFoundProblem(`no subscription ${input.name} on topic ${input.topic}`, instance);
  const {
    previousSigningSecret: _dropped,
    previousSigningSecretExpiresAt: _droppedAt,
    ...rest
  } = current.record;
  const signingSecret = (input.generate ?? generateSigningSecret)();
  const expiresAt =
    overlapSeconds > 0 ? new Date(input.now.getTime() + overlapSeconds * 1000).toISOString() : undefined;
  const next: SubscriptionRecord = {
    ...rest,
    signingSecret,
    ...(expiresAt
      ? { previousSigningSecret: current.record.signingSecret, previousSigningSecretExpiresAt: expiresAt }
      : {}),
    updatedAt: input.now.toISOString(),
  };
  const saved = await saveOrConflict(store, next, current.etag, instance, 'rotating its secret');
  await trust.notify({
    type: 'subscription.secretRotated',
    topic: input.topic,
    subscription: input.name,
    data: {
      rotatedAt: input.now.toISOString(),
      overlapSeconds,
      ...(expiresAt ? { previousSecretExpiresAt: expiresAt } : {}),
    },
  });
  return json(
    200,
    {
      signingSecret,
      ...(expiresAt ? { previousSigningSecretExpiresAt: expiresAt } : {}),
    } satisfies RotatedSecretView,
    { etag: toEntityTag(saved.etag), 'cache-control': 'no-store' },
  );
}

async function saveOrConflict(
  store: Pick<SubscriptionRepository, 'put'>,
  record: SubscriptionRecord,
  etag: string,
  instance: string,
  doing: string,
) {
  try {
    return await store.put(record, { ifMatch: etag });
  } catch (error) {
    if (error instanceof PreconditionFailedError) {
      throw conflictProblem(`the subscription changed (or was deleted) while ${doing}; try again`, instance);
    }
    throw error;
  }
}
