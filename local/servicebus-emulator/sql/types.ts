/**
 * What a rule sees of a message, and the values SQL expressions compute with.
 * The broker builds a RuleMessage from a stored message; rules never see the body.
 */

/** System properties, named as the SDK names them; SQL spells them sys.MessageId, sys.Label ... */
export interface RuleSystemProperties {
  messageId?: string | undefined;
  correlationId?: string | undefined;
  to?: string | undefined;
  replyTo?: string | undefined;
  /** `sys.Label` and `sys.Subject` both read this (Subject is the newer SDKs' name for Label). */
  label?: string | undefined;
  sessionId?: string | undefined;
  replyToSessionId?: string | undefined;
  contentType?: string | undefined;
  sequenceNumber?: number | undefined;
  enqueuedTimeUtc?: Date | undefined;
  scheduledEnqueueTimeUtc?: Date | undefined;
  /** Milliseconds (the SDK's unit); SQL sees a plain integer, not a TimeSpan. */
  timeToLive?: number | undefined;
  deliveryCount?: number | undefined;
  size?: number | undefined;
  /** Optional extras Service Bus also exposes; absent ones read as NULL. */
  partitionKey?: string | undefined;
  /** When absent, read as enqueuedTimeUtc + timeToLive if both are present. */
  expiresAtUtc?: Date | undefined;
  enqueuedSequenceNumber?: number | undefined;
  deadLetterSource?: string | undefined;
}

export type RuleUserValue = string | number | boolean | Date | null;

/** What a rule sees of a message. */
export interface RuleMessage {
  system: RuleSystemProperties;
  /** Application properties. */
  user: Record<string, RuleUserValue>;
}

/**
 * A value during evaluation. Integers are int64 as bigint (so 7 / 2 = 3 as in Service Bus),
 * non-integers are doubles as number. `null` is both SQL NULL and "unknown" (an absent user
 * property): every operator treats them alike, only EXISTS tells them apart.
 */
export type SqlValue = bigint | number | string | boolean | Date | null;

/** Values a caller may bind to `@name` parameters (SqlRuleFilter.sqlParameters). */
export type SqlParameters = Record<string, string | number | boolean | Date | null>;
