/** The system properties SQL can name as sys.<Name>, how they read and whether actions may set them. */
import type { RuleSystemProperties } from './types';

export interface SystemPropertyInfo {
  /** Canonical SQL spelling, for messages. */
  sqlName: string;
  key: keyof RuleSystemProperties;
  type: 'string' | 'integer' | 'date';
  /** Whether SET / REMOVE may change it (the broker owns sequence numbers, times and counts). */
  settable: boolean;
}

const LIST: SystemPropertyInfo[] = [
  { sqlName: 'MessageId', key: 'messageId', type: 'string', settable: true },
  { sqlName: 'CorrelationId', key: 'correlationId', type: 'string', settable: true },
  { sqlName: 'To', key: 'to', type: 'string', settable: true },
  { sqlName: 'ReplyTo', key: 'replyTo', type: 'string', settable: true },
  { sqlName: 'Label', key: 'label', type: 'string', settable: true },
  { sqlName: 'Subject', key: 'label', type: 'string', settable: true },
  { sqlName: 'SessionId', key: 'sessionId', type: 'string', settable: true },
  { sqlName: 'ReplyToSessionId', key: 'replyToSessionId', type: 'string', settable: true },
  { sqlName: 'ContentType', key: 'contentType', type: 'string', settable: true },
  { sqlName: 'ScheduledEnqueueTimeUtc', key: 'scheduledEnqueueTimeUtc', type: 'date', settable: true },
  { sqlName: 'TimeToLive', key: 'timeToLive', type: 'integer', settable: true },
  { sqlName: 'SequenceNumber', key: 'sequenceNumber', type: 'integer', settable: false },
  { sqlName: 'EnqueuedTimeUtc', key: 'enqueuedTimeUtc', type: 'date', settable: false },
  { sqlName: 'DeliveryCount', key: 'deliveryCount', type: 'integer', settable: false },
  { sqlName: 'Size', key: 'size', type: 'integer', settable: false },
  { sqlName: 'PartitionKey', key: 'partitionKey', type: 'string', settable: true },
  { sqlName: 'ExpiresAtUtc', key: 'expiresAtUtc', type: 'date', settable: false },
  { sqlName: 'EnqueuedSequenceNumber', key: 'enqueuedSequenceNumber', type: 'integer', settable: false },
  { sqlName: 'DeadLetterSource', key: 'deadLetterSource', type: 'string', settable: false },
];

const BY_NAME = new Map(LIST.map((info) => [info.sqlName.toLowerCase(), info]));

/** Looks a sys.<name> up case-insensitively; undefined when Service Bus has no such property. */
export function findSystemProperty(name: string): SystemPropertyInfo | undefined {
  return BY_NAME.get(name.toLowerCase());
}
