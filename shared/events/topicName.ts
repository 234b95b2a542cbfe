/**
 * Topic names as they appear in `/topics/{topic}/...` and in the `topic` application property:
 * 1-64 characters of letters, digits, `.`, `_` and `-`, starting with a letter or digit.
 * Safe in URLs, Cosmos DB partition keys and Service Bus properties without escaping.
 */
import { type ProblemError } from '../http/problem';
import { invalidField } from '../http/problems';

/** Also the rule for subscription names (shared/subscriptions/subscriptionName.ts). */
export const TOPIC_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export const TOPIC_NAME_RULE =
  'topic must be 1-64 characters of letters, digits, ".", "_" or "-", starting with a letter or digit';

export function isValidTopicName(value: unknown): value is string {
  return typeof value === 'string' && TOPIC_NAME_PATTERN.test(value);
}

/** The 400 problem for a bad topic, or undefined when the name is fine. */
export function topicNameProblem(value: unknown): ProblemError | undefined {
  return isValidTopicName(value) ? undefined : invalidField('topic', TOPIC_NAME_RULE);
}

/** Returns the topic name, or throws a 400 ProblemError naming `topic`. */
export function parseTopicName(value: unknown): string {
  const problem = topicNameProblem(value);
  if (problem) throw problem;
  return value as string;
}
