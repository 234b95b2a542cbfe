import type { Message } from 'rhea';
import type { CorrelationFilterConfig } from './ruleConfig';

/**
 * A subscription rule: a filter deciding whether a topic message is copied to the
 * subscription, and an optional action changing the copy. The SQL compiler plugs in here.
 */
export interface SubscriptionRule {
  name: string;
  matches(message: RuleMessage): boolean;
  /** Returns the application properties the copy should carry. */
  apply?(message: RuleMessage): Record<string, unknown>;
}

/** The view of a message a filter sees: system properties and application properties. */
export interface RuleMessage {
  messageId?: string;
  correlationId?: string;
  to?: string;
  replyTo?: string;
  subject?: string;
  sessionId?: string;
  replyToSessionId?: string;
  contentType?: string;
  applicationProperties: Record<string, unknown>;
  amqp: Message;
}

function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return Buffer.isBuffer(value) ? value.toString('hex') : String(value);
}

export function toRuleMessage(amqp: Message): RuleMessage {
  return {
    messageId: text(amqp.message_id),
    correlationId: text(amqp.correlation_id),
    to: text(amqp.to),
    replyTo: text(amqp.reply_to),
    subject: text(amqp.subject),
    sessionId: text(amqp.group_id),
    replyToSessionId: text(amqp.reply_to_group_id),
    contentType: text(amqp.content_type),
    applicationProperties: (amqp.application_properties ?? {}) as Record<string, unknown>,
    amqp,
  };
}

export const trueRule = (name = '$Default'): SubscriptionRule => ({ name, matches: () => true });

/** Correlation filter: every field given must equal the message's (AND); properties compare by value. */
export function correlationRule(name: string, filter: CorrelationFilterConfig): SubscriptionRule {
  const system: Array<[keyof RuleMessage, string | undefined]> = [
    ['correlationId', filter.CorrelationId],
    ['messageId', filter.MessageId],
    ['to', filter.To],
    ['replyTo', filter.ReplyTo],
    ['subject', filter.Label],
    ['sessionId', filter.SessionId],
    ['replyToSessionId', filter.ReplyToSessionId],
    ['contentType', filter.ContentType],
  ];
  const wanted = system.filter((entry): entry is [keyof RuleMessage, string] => entry[1] !== undefined);
  const properties = Object.entries(filter.Properties ?? {});
  return {
    name,
    matches: (message) =>
      wanted.every(([field, value]) => message[field] === value) &&
      properties.every(([key, value]) => message.applicationProperties[key] === value),
  };
}
