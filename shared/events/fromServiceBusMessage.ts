/**
 * A CloudEvent sent straight to the ingress queue by a publisher (or by Switchyard's publish
 * function), in the AMQP binding's structured or binary mode, with the topic in the `topic`
 * application property. Never throws for bad input: a rejection is a value, so the caller cannot
 * mistake a message that will never be valid for a transient failure worth retrying.
 */
import type { FieldError } from '../http/problem';
import { summarizeFieldErrors } from '../http/problems';
import { decodeUtf8 } from './dataFromBytes';
import { CLOUDEVENTS_JSON } from './httpEventRequest';
import { DEFAULT_EVENT_LIMITS } from './limits';
import { eventSizeBytes, eventTooLargeMessage } from './eventSize';
import { binaryEventFromServiceBus, hasBinaryModeProperties } from './fromServiceBusBinary';
import { hasUtf8Charset, isJsonMediaType, parseMediaType } from './mediaType';
import {
  type EventRejection,
  type ServiceBusEventInput,
  type ServiceBusEventResult,
  TOPIC_PROPERTY,
} from './serviceBusEventInput';
import { TOPIC_NAME_RULE, isValidTopicName } from './topicName';
import { isPlainObject, validateCloudEvent } from './validateCloudEvent';

export function fromServiceBusMessage(
  input: ServiceBusEventInput,
  maxEventBytes = DEFAULT_EVENT_LIMITS.maxEventBytes,
): ServiceBusEventResult {
  const mode = detectMode(input);
  if (typeof mode !== 'string') return { ok: false, rejection: mode };

  const topic = input.applicationProperties?.[TOPIC_PROPERTY];
  const topicErrors: FieldError[] = isValidTopicName(topic)
    ? []
    : [
        {
          field: TOPIC_PROPERTY,
          message: topic === undefined ? 'the topic application property is required' : TOPIC_NAME_RULE,
        },
      ];

  const validation = mode === 'binary' ? binaryEventFromServiceBus(input) : structuredEvent(input.body);
  if (!validation.ok || topicErrors.length > 0) {
    const errors = [...topicErrors, ...(validation.ok ? [] : validation.errors)];
    return reject(validation.ok ? 'InvalidTopic' : 'InvalidEvent', errors);
  }
  const sizeBytes = eventSizeBytes(validation.event);
  if (sizeBytes > maxEventBytes) {
    return reject('EventTooLarge', [
      { field: 'event', message: eventTooLargeMessage(sizeBytes, maxEventBytes) },
    ]);
  }
  return { ok: true, topic: topic as string, event: validation.event, sizeBytes, mode };
}

/**
 * Structured when the content type says so; binary when `cloudEvents:specversion` is set.
 * Leniency: with no content type (or a JSON one) a body that is a JSON object carrying
 * `specversion` is taken as structured, since many tools send JSON without setting one.
 */
function detectMode(input: ServiceBusEventInput): 'structured' | 'binary' | EventRejection {
  const contentType = input.contentType ?? undefined;
  const media = contentType === undefined ? undefined : parseMediaType(contentType);
  if (media?.essence === CLOUDEVENTS_JSON) {
    if (hasUtf8Charset(media)) return 'structured';
    return rejection('UnsupportedFormat', [
      { field: 'contentType', message: 'only charset=utf-8 is supported' },
    ]);
  }
  if (media?.essence.startsWith('application/cloudevents')) {
    return rejection('UnsupportedFormat', [
      { field: 'contentType', message: `${media.essence} is not supported; only ${CLOUDEVENTS_JSON} is` },
    ]);
  }
  if (hasBinaryModeProperties(input)) return 'binary';
  if ((media === undefined || isJsonMediaType(media)) && looksLikeStructuredEvent(input.body)) {
    return 'structured';
  }
  return rejection('UnsupportedFormat', [
    {
      field: 'contentType',
      message: `not a CloudEvent: set contentType ${CLOUDEVENTS_JSON} (structured mode) or the cloudEvents:specversion application property (binary mode)`,
    },
  ]);
}

function looksLikeStructuredEvent(body: unknown): boolean {
  const value = decodeJsonBody(body);
  return isPlainObject(value) && 'specversion' in value;
}

/** Strings and bytes are parsed; anything else was already decoded by the SDK or the host. */
function decodeJsonBody(rawBody: unknown): unknown {
  const body = rawBody instanceof ArrayBuffer ? new Uint8Array(rawBody) : rawBody;
  if (typeof body !== 'string' && !(body instanceof Uint8Array)) return body;
  const text = typeof body === 'string' ? body : decodeUtf8(body);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function structuredEvent(body: unknown) {
  const value = decodeJsonBody(body);
  if (value === undefined) {
    return {
      ok: false as const,
      errors: [{ field: 'body', message: 'the body is not a valid UTF-8 JSON object' }],
    };
  }
  return validateCloudEvent(value);
}

function rejection(reason: EventRejection['reason'], errors: FieldError[]): EventRejection {
  return { reason, description: summarizeFieldErrors(errors), errors };
}

function reject(reason: EventRejection['reason'], errors: FieldError[]): ServiceBusEventResult {
  return { ok: false, rejection: rejection(reason, errors) };
}
