import { TOPIC_NAME_PATTERN } from '../events/topicName';
import type { FieldError } from '../http/problem';

/**
 * Subscription names follow the topic names' rule (1-64 letters, digits, `.`, `_`, `-`,
 * starting with a letter or digit), so they are safe in URLs and as Cosmos DB ids.
 */
const SUBSCRIPTION_NAME = TOPIC_NAME_PATTERN;

export const SUBSCRIPTION_NAME_RULE =
  'subscription name must be 1-64 characters of letters, digits, ".", "_" or "-", starting with a letter or digit';

export function isValidSubscriptionName(value: unknown): value is string {
  return typeof value === 'string' && SUBSCRIPTION_NAME.test(value);
}

/** The field errors of a subscription name (field `name`); empty when it is fine. */
export function validateSubscriptionName(value: unknown): FieldError[] {
  return isValidSubscriptionName(value) ? [] : [{ field: 'name', message: SUBSCRIPTION_NAME_RULE }];
}
