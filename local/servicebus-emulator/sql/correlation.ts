/**
 * Correlation filters: every field the filter sets must equal the message's value (strings
 * compare exactly, case-sensitive); every entry of `properties` must be present among the
 * message's application properties with an equal value (1 equals 1.0, '1' does not equal 1).
 * A filter that sets nothing matches every message.
 */
import { findUserKey } from './messageAccess';
import type { RuleMessage, RuleSystemProperties } from './types';
import { compare, fromUserValue } from './values';

export interface CorrelationFilter {
  correlationId?: string | undefined;
  messageId?: string | undefined;
  to?: string | undefined;
  replyTo?: string | undefined;
  /** Label and subject are one property under two names; setting both requires both to match. */
  label?: string | undefined;
  subject?: string | undefined;
  sessionId?: string | undefined;
  replyToSessionId?: string | undefined;
  contentType?: string | undefined;
  /** Dates compare as points in time (AMQP timestamps; dateTime in the admin API). */
  properties?: Record<string, string | number | boolean | Date> | undefined;
}

const SYSTEM_FIELDS: [keyof CorrelationFilter, keyof RuleSystemProperties][] = [
  ['correlationId', 'correlationId'],
  ['messageId', 'messageId'],
  ['to', 'to'],
  ['replyTo', 'replyTo'],
  ['label', 'label'],
  ['subject', 'label'],
  ['sessionId', 'sessionId'],
  ['replyToSessionId', 'replyToSessionId'],
  ['contentType', 'contentType'],
];

export function matchesCorrelationFilter(filter: CorrelationFilter, message: RuleMessage): boolean {
  for (const [field, key] of SYSTEM_FIELDS) {
    const wanted = filter[field];
    if (wanted !== undefined && wanted !== null && message.system[key] !== wanted) return false;
  }
  for (const [name, wanted] of Object.entries(filter.properties ?? {})) {
    const key = findUserKey(message.user, name);
    if (key === undefined) return false;
    if (compare('=', fromUserValue(message.user[key]), fromUserValue(wanted)) !== true) return false;
  }
  return true;
}
