import { z } from 'zod';

import type { SubscriptionFilter, SubscriptionSpec } from '../domain/types';
import type { FieldError } from '../http/problem';
import { validationProblem } from '../http/problems';
import { fieldErrorsFromZod } from '../http/zodProblem';
import { advancedFilterSchema, filterValueCount } from './advancedFilterSchema';
import { type DestinationInput, destinationSchema } from './destinationSchema';
import { SUBSCRIPTION_LIMITS } from './limits';
import {
  circuitBreakerSchema,
  deliveryLimitsSchema,
  disableAfterHoursSchema,
  wholeNumberIn,
} from './protectionSchema';

const { advancedFilters: MAX_FILTERS, advancedFilterValues: MAX_VALUES } = SUBSCRIPTION_LIMITS;

const filterSchema = z
  .strictObject({
    includedEventTypes: z
      .array(z.string().min(1, 'event types must not be empty'))
      .max(
        SUBSCRIPTION_LIMITS.includedEventTypes,
        `at most ${SUBSCRIPTION_LIMITS.includedEventTypes} event types`,
      )
      .exactOptional(),
    subjectBeginsWith: z.string().exactOptional(),
    subjectEndsWith: z.string().exactOptional(),
    isSubjectCaseSensitive: z.boolean().exactOptional(),
    // Accepted so Event Grid subscriptions paste as they are; arrays are always filtered here.
    enableAdvancedFilteringOnArrays: z.boolean().exactOptional(),
    advancedFilters: z
      .array(advancedFilterSchema)
      .max(MAX_FILTERS, `at most ${MAX_FILTERS} advanced filters per subscription`)
      .exactOptional(),
  })
  .superRefine((filter, ctx) => {
    const total = (filter.advancedFilters ?? []).reduce(
      (sum, advanced) => sum + filterValueCount(advanced),
      0,
    );
    if (total > MAX_VALUES) {
      ctx.addIssue({
        code: 'custom',
        path: ['advancedFilters'],
        message: `at most ${MAX_VALUES} filter values across all advanced filters (got ${total})`,
      });
    }
  })
  .transform(({ enableAdvancedFilteringOnArrays: _ignored, ...filter }): SubscriptionFilter => filter);

const {
  maxDeliveryAttempts: ATTEMPTS,
  eventTimeToLiveInMinutes: TTL,
  scheduleSteps: STEPS,
} = SUBSCRIPTION_LIMITS;

/** A whole number within the limits, the default when absent; every message names the field. */
function boundedWholeNumber(field: string, limits: { min: number; max: number; default: number }) {
  return wholeNumberIn(field, limits).default(limits.default);
}

const retryPolicySchema = z.strictObject({
  maxDeliveryAttempts: boundedWholeNumber('maxDeliveryAttempts', ATTEMPTS),
  eventTimeToLiveInMinutes: boundedWholeNumber('eventTimeToLiveInMinutes', TTL),
  schedule: z
    .array(
      z
        .number({ error: 'must be a number of seconds' })
        .positive('must be a positive number of seconds')
        .finite(),
    )
    .min(STEPS.min, `schedule needs ${STEPS.min}-${STEPS.max} values (seconds)`)
    .max(STEPS.max, `schedule needs ${STEPS.min}-${STEPS.max} values (seconds)`)
    .exactOptional(),
});

const notificationsSchema = z.strictObject({
  deadLettered: z.boolean({ error: 'deadLettered must be true or false' }).exactOptional(),
});

/**
 * The PUT body. Fields a GET returns (name, status, timestamps, ...) are tolerated and ignored so
 * a client can PUT back what it read; anything else unknown is an error, since a misspelt
 * `filter` would otherwise silently subscribe to everything.
 */
const readOnly = z.unknown().optional();

export const subscriptionSpecSchema = z
  .strictObject(
    {
      destination: destinationSchema,
      filter: filterSchema.optional(),
      retryPolicy: retryPolicySchema.optional(),
      delivery: deliveryLimitsSchema.optional(),
      validation: z
        .enum(['handshake', 'none'], { error: 'validation must be "handshake" (default) or "none"' })
        .optional(),
      notifications: notificationsSchema.optional(),
      circuitBreaker: circuitBreakerSchema.optional(),
      disableAfterHours: disableAfterHoursSchema.optional(),
      health: readOnly,
      id: readOnly,
      topic: readOnly,
      name: readOnly,
      status: readOnly,
      disabledReason: readOnly,
      validationState: readOnly,
      previousSigningSecretExpiresAt: readOnly,
      createdAt: readOnly,
      updatedAt: readOnly,
    },
    { error: 'the body must be a JSON object' },
  )
  .transform((body): SubscriptionSpecInput => ({
    destination: body.destination,
    filter: body.filter ?? {},
    retryPolicy: body.retryPolicy ?? retryPolicySchema.parse({}),
    ...(body.delivery && Object.keys(body.delivery).length > 0 ? { delivery: body.delivery } : {}),
    validation: body.validation ?? 'handshake',
    ...(body.notifications ? { notifications: body.notifications } : {}),
    ...(body.circuitBreaker && Object.keys(body.circuitBreaker).length > 0
      ? { circuitBreaker: body.circuitBreaker }
      : {}),
    ...(body.disableAfterHours !== undefined ? { disableAfterHours: body.disableAfterHours } : {}),
  }));

/** A PUT body with defaults applied; header values may still be null (keep the stored value). */
export type SubscriptionSpecInput = Omit<SubscriptionSpec, 'destination'> & { destination: DestinationInput };

export type SubscriptionSpecResult =
  { ok: true; spec: SubscriptionSpecInput } | { ok: false; errors: FieldError[] };

/** Validates a PUT body and applies defaults; errors name fields like `filter.advancedFilters[2].values`. */
export function parseSubscriptionSpec(body: unknown): SubscriptionSpecResult {
  const parsed = subscriptionSpecSchema.safeParse(body);
  return parsed.success
    ? { ok: true, spec: parsed.data }
    : { ok: false, errors: fieldErrorsFromZod(parsed.error) };
}

/** As parseSubscriptionSpec, but throws the 400 ProblemError for the HTTP edge. */
export function parseSubscriptionSpecOrThrow(body: unknown): SubscriptionSpecInput {
  const result = parseSubscriptionSpec(body);
  if (!result.ok) throw validationProblem(result.errors);
  return result.spec;
}
