/**
 * What the Service Bus converters read from a received message: the Functions trigger's message
 * plus `triggerMetadata.contentType` / `.applicationProperties`, or a ServiceBusReceivedMessage.
 */
import type { FieldError } from '../http/problem';
import type { CloudEventJson } from '../domain/types';

export type ApplicationPropertyValue = number | boolean | string | Date | null;

export interface ServiceBusEventInput {
  /** A string, bytes, or a value the SDK/host already decoded from JSON. */
  body: unknown;
  contentType?: string | null;
  applicationProperties?: Readonly<Record<string, ApplicationPropertyValue | undefined>> | null;
}

/** Names a consumer can switch on, e.g. as the dead-letter reason. */
export type EventRejectionReason = 'UnsupportedFormat' | 'InvalidEvent' | 'InvalidTopic' | 'EventTooLarge';

/** A message that can never become a valid event: retrying it will not help. */
export interface EventRejection {
  reason: EventRejectionReason;
  description: string;
  /** Fields as the sender set them: `cloudEvents:source`, `contentType`, `body`, `source`, `topic`. */
  errors: FieldError[];
}

export type ServiceBusEventResult =
  | { ok: true; topic: string; event: CloudEventJson; sizeBytes: number; mode: 'structured' | 'binary' }
  | { ok: false; rejection: EventRejection };

/** Application property carrying the topic, on publishers' messages and on Switchyard's own. */
export const TOPIC_PROPERTY = 'topic';

/** AMQP binding prefixes of attribute properties in binary mode (`cloudEvents_` for non-AMQP clients). */
export const ATTRIBUTE_PROPERTY_PREFIXES = ['cloudEvents:', 'cloudEvents_'] as const;
