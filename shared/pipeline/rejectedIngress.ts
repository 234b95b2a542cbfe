/**
 * Ingress messages Switchyard refused, kept with their reason in the `$ingress` session of the
 * `deadletters` queue, so a publisher that sent to Service Bus can find out what was wrong
 * (`GET /api/ingress/deadletters`). The one builder and the one reader of that message: route
 * uses the builder for what it rejects, and so does anything else that gives up on an ingress
 * message (the reconciliation of the ingress queue's native dead letters).
 */
import type { ServiceBusMessage } from '@azure/service-bus';
import { z } from 'zod';
import { REJECTED_INGRESS_SESSION_ID } from '../domain/deadLetterSession';
import { MAX_EVENT_DEPTH, jsonDepth } from '../events/jsonDepth';
import type { RedrivableIngressMessage } from './ingressDeadLetter';
import {
  type ApplicationPropertyValue,
  type ServiceBusEventInput,
  TOPIC_PROPERTY,
} from '../events/serviceBusEventInput';

/** A received ingress message as route sees it: the event input plus what identifies it. */
export interface OriginalIngressMessage extends ServiceBusEventInput {
  /** The messageId the sender set (or Service Bus assigned). */
  messageId?: string | undefined;
  /** When Service Bus enqueued it (ISO 8601). */
  enqueuedTimeUtc?: string | undefined;
}

export interface IngressRejection {
  /** A name to switch on: InvalidEvent, InvalidClaimCheck, MaxDeliveryCountExceeded, ... */
  reason: string;
  description: string;
}

/**
 * Bounds of what is copied from the original: enough to recognize it, and never a dead letter
 * too large to send (256 KB on Standard), whatever a sender put in its message. Counted in
 * characters of the JSON written, where escapes can make one character six.
 */
export const ORIGINAL_BODY_CHARS = 4096;
const DESCRIPTION_CHARS = 2048;
const PROPERTY_VALUE_CHARS = 512;
const PROPERTIES_JSON_CHARS = 16_384;

export type RecordedPropertyValue = string | number | boolean | null;

/** The body of a rejected ingress message on the `deadletters` queue. */
export interface RejectedIngressRecord {
  stage: 'ingress';
  topic: string;
  reason: string;
  description: string;
  deadLetteredAt: string;
  messageId?: string | undefined;
  enqueuedTimeUtc?: string | undefined;
  contentType?: string | undefined;
  /** The application properties the sender set (timestamps as ISO strings, long values cut). */
  applicationProperties: Record<string, RecordedPropertyValue>;
  /** The first ORIGINAL_BODY_CHARS characters of the body as text. */
  originalBody: string;
  /**
   * The whole message, on dead letters that can be sent back to ingress (the reconciliation of
   * the ingress queue's native dead letters writes it; POST /ingress/deadletters/redrive reads it).
   */
  original?: RedrivableIngressMessage;
}

export function rejectedIngressMessage(
  rejection: IngressRejection,
  original: OriginalIngressMessage,
  now: Date,
  redrivable?: RedrivableIngressMessage,
): ServiceBusMessage {
  const rawTopic = original.applicationProperties?.[TOPIC_PROPERTY];
  const topic = typeof rawTopic === 'string' ? rawTopic.slice(0, PROPERTY_VALUE_CHARS) : '';
  const body: RejectedIngressRecord = {
    stage: 'ingress',
    topic,
    reason: rejection.reason,
    description: rejection.description.slice(0, DESCRIPTION_CHARS),
    deadLetteredAt: now.toISOString(),
    ...(original.messageId !== undefined
      ? { messageId: original.messageId.slice(0, PROPERTY_VALUE_CHARS) }
      : {}),
    ...(original.enqueuedTimeUtc !== undefined ? { enqueuedTimeUtc: original.enqueuedTimeUtc } : {}),
    ...(typeof original.contentType === 'string'
      ? { contentType: original.contentType.slice(0, PROPERTY_VALUE_CHARS) }
      : {}),
    applicationProperties: recordedProperties(original.applicationProperties ?? {}),
    originalBody: bodyText(original.body).slice(0, ORIGINAL_BODY_CHARS),
    ...(redrivable ? { original: redrivable } : {}),
  };
  return {
    body,
    contentType: 'application/json',
    sessionId: REJECTED_INGRESS_SESSION_ID,
    subject: rejection.reason,
    applicationProperties: {
      stage: 'ingress',
      topic,
      reason: rejection.reason,
      ...(body.messageId !== undefined ? { originalMessageId: body.messageId } : {}),
    },
  };
}

function recordedProperties(
  properties: Readonly<Record<string, ApplicationPropertyValue | undefined>>,
): Record<string, RecordedPropertyValue> {
  const recorded: Record<string, RecordedPropertyValue> = {};
  let budget = PROPERTIES_JSON_CHARS;
  for (const [name, raw] of Object.entries(properties)) {
    const value = recordedValueOf(raw);
    if (value === undefined) continue;
    const key = name.slice(0, PROPERTY_VALUE_CHARS);
    budget -= JSON.stringify([key, value]).length;
    // The first properties are kept whole; the rest are left out once the budget is spent.
    if (budget < 0) break;
    recorded[key] = value;
  }
  return recorded;
}

function recordedValueOf(value: ApplicationPropertyValue | undefined): RecordedPropertyValue | undefined {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (typeof value === 'string') return value.slice(0, PROPERTY_VALUE_CHARS);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return value;
  return undefined;
}

/**
 * The body as text, whatever it is. A value the SDK already decoded is serialized only when
 * that cannot overflow the stack (it may be nested arbitrarily deep) and cannot throw.
 */
function bodyText(body: unknown): string {
  if (body === undefined || body === null) return '';
  if (typeof body === 'string') return body;
  if (body instanceof Uint8Array)
    return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  if (body instanceof ArrayBuffer) return Buffer.from(body).toString('utf8');
  if (typeof body === 'bigint' || typeof body === 'number' || typeof body === 'boolean')
    return body.toString();
  if (typeof body !== 'object') return '';
  if (jsonDepth(body, MAX_EVENT_DEPTH) > MAX_EVENT_DEPTH) {
    return `(a JSON value nested deeper than ${MAX_EVENT_DEPTH} levels)`;
  }
  try {
    return JSON.stringify(body) ?? '';
  } catch {
    return '(a value that is not JSON)';
  }
}

const recordedValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);

const rejectedIngressSchema = z.object({
  stage: z.literal('ingress'),
  topic: z.string(),
  reason: z.string(),
  description: z.string(),
  deadLetteredAt: z.string(),
  messageId: z.string().optional(),
  enqueuedTimeUtc: z.string().optional(),
  contentType: z.string().optional(),
  applicationProperties: z.record(z.string(), recordedValue).optional(),
  originalBody: z.string().optional(),
});

/**
 * A message of the `$ingress` session read back; undefined when it is not one (only Switchyard
 * writes that session, but a reader must not trust what it finds there). Messages written before
 * the original's id and properties were recorded parse too, without them.
 */
export function parseRejectedIngress(body: unknown): RejectedIngressRecord | undefined {
  let value = body;
  if (typeof body === 'string' || body instanceof Uint8Array) {
    try {
      value = JSON.parse(typeof body === 'string' ? body : Buffer.from(body).toString('utf8')) as unknown;
    } catch {
      return undefined;
    }
  }
  const parsed = rejectedIngressSchema.safeParse(value);
  if (!parsed.success) return undefined;
  return {
    ...parsed.data,
    applicationProperties: parsed.data.applicationProperties ?? {},
    originalBody: parsed.data.originalBody ?? '',
  };
}
