import type { Message } from 'rhea';
import type { RuleMessage, RuleUserValue } from '../sql';
import type { IncomingMessage } from './storedMessage';
import { wireText } from '../amqp/wireText';

/**
 * Conversions between a message as the broker holds it (rhea's AMQP message) and the view a
 * rule sees (the sql module's RuleMessage), and back after a rule action changed that view.
 */

const PARTITION_KEY = 'x-opt-partition-key';
const SCHEDULED_TIME = 'x-opt-scheduled-enqueue-time';

/** What the topic knows of a message when it evaluates rules (before any subscription stores it). */
export interface RuleContext {
  sequenceNumber: number;
  enqueuedAt: number;
}

/** The AMQP properties behind the string-valued system properties rules can read and set. */
const STRING_FIELDS = [
  ['messageId', 'message_id'],
  ['correlationId', 'correlation_id'],
  ['to', 'to'],
  ['replyTo', 'reply_to'],
  ['label', 'subject'],
  ['sessionId', 'group_id'],
  ['replyToSessionId', 'reply_to_group_id'],
  ['contentType', 'content_type'],
] as const;

function text(value: unknown): string | undefined {
  return Buffer.isBuffer(value) ? value.toString('hex') : wireText(value);
}

/** Application property values a rule can compare; others (binary, lists, maps) are invisible to rules. */
function isRuleValue(value: unknown): value is RuleUserValue {
  return value === null || value instanceof Date || ['string', 'number', 'boolean'].includes(typeof value);
}

function annotationsOf(amqp: Message): Record<string, unknown> {
  return amqp.message_annotations ?? {};
}

export function toRuleMessage(input: IncomingMessage, context: RuleContext): RuleMessage {
  const { amqp } = input;
  const annotations = annotationsOf(amqp);
  const user: Record<string, RuleUserValue> = {};
  for (const [key, value] of Object.entries((amqp.application_properties ?? {}) as Record<string, unknown>)) {
    if (isRuleValue(value)) user[key] = value;
  }
  const system: RuleMessage['system'] = {
    sequenceNumber: context.sequenceNumber,
    enqueuedSequenceNumber: context.sequenceNumber,
    enqueuedTimeUtc: new Date(context.enqueuedAt),
    deliveryCount: 0,
    size: input.size,
    partitionKey: text(annotations[PARTITION_KEY]),
  };
  for (const [key, field] of STRING_FIELDS) system[key] = text(amqp[field]);
  if (input.scheduledAt !== undefined) system.scheduledEnqueueTimeUtc = new Date(input.scheduledAt);
  if (input.ttlMs !== undefined && Number.isFinite(input.ttlMs)) system.timeToLive = input.ttlMs;
  for (const key of Object.keys(system) as Array<keyof typeof system>) {
    if (system[key] === undefined) delete system[key];
  }
  return { system, user };
}

/**
 * The message a subscription stores after a rule action changed `before` into `after`: changed
 * system properties are written back to their AMQP fields (and to TTL and scheduling), user
 * properties replace the application properties a rule could see, others stay as sent.
 */
export function applyRuleChanges(
  input: IncomingMessage,
  before: RuleMessage,
  after: RuleMessage,
  extra: Record<string, unknown> = {},
): IncomingMessage {
  const amqp: Message = { ...input.amqp };
  const properties: Record<string, unknown> = {
    ...((input.amqp.application_properties ?? {}) as Record<string, unknown>),
  };
  for (const key of Object.keys(before.user)) if (!(key in after.user)) delete properties[key];
  Object.assign(properties, after.user, extra);
  amqp.application_properties = properties;
  for (const [key, field] of STRING_FIELDS) {
    if (before.system[key] === after.system[key]) continue;
    if (after.system[key] === undefined) delete amqp[field];
    else amqp[field] = after.system[key];
  }
  const result: IncomingMessage = { ...input, amqp };
  const annotations = { ...annotationsOf(input.amqp) };
  if (before.system.partitionKey !== after.system.partitionKey) {
    if (after.system.partitionKey === undefined) delete annotations[PARTITION_KEY];
    else annotations[PARTITION_KEY] = after.system.partitionKey;
  }
  const scheduled = after.system.scheduledEnqueueTimeUtc;
  if (scheduled?.getTime() !== before.system.scheduledEnqueueTimeUtc?.getTime()) {
    result.scheduledAt = scheduled?.getTime();
    if (scheduled === undefined) delete annotations[SCHEDULED_TIME];
    else annotations[SCHEDULED_TIME] = scheduled;
  }
  if (after.system.timeToLive !== before.system.timeToLive) {
    result.ttlMs = after.system.timeToLive;
    if (after.system.timeToLive === undefined) delete amqp.ttl;
    else amqp.ttl = after.system.timeToLive;
    // The SDK reads the time to live as absolute-expiry-time minus creation-time when both are set.
    const created = amqp.creation_time;
    if (after.system.timeToLive === undefined || !(created instanceof Date)) delete amqp.absolute_expiry_time;
    else amqp.absolute_expiry_time = new Date(created.getTime() + after.system.timeToLive);
  }
  amqp.message_annotations = annotations;
  return result;
}
