import type { ServiceBusMessage } from '@azure/service-bus';
import { z } from 'zod';
import type { ApplicationPropertyValue } from '../events/serviceBusEventInput';

/**
 * An ingress message in full, as an ingress dead letter (session `$ingress` of the `deadletters`
 * queue) keeps it so it can be sent back to `ingress` by redrive.
 */
export interface RedrivableIngressMessage {
  messageId?: string | undefined;
  contentType?: string | undefined;
  subject?: string | undefined;
  correlationId?: string | undefined;
  applicationProperties: Record<string, string | number | boolean | null>;
  /** The body: UTF-8 text as it is, other bytes in base64. */
  body: string;
  bodyEncoding: 'utf8' | 'base64';
}

export interface IngressMessageParts {
  body: unknown;
  messageId?: string | number;
  contentType?: string;
  subject?: string;
  correlationId?: string | number;
  applicationProperties?: Readonly<Record<string, ApplicationPropertyValue | undefined>> | null;
}

/** The whole message, for an ingress dead letter. Dates become ISO strings (JSON has no dates). */
export function originalOf(message: IngressMessageParts): RedrivableIngressMessage {
  const applicationProperties: RedrivableIngressMessage['applicationProperties'] = {};
  for (const [name, value] of Object.entries(message.applicationProperties ?? {})) {
    if (value === undefined) continue;
    applicationProperties[name] = value instanceof Date ? value.toISOString() : value;
  }
  const bytes = Buffer.isBuffer(message.body)
    ? message.body
    : message.body instanceof Uint8Array
      ? Buffer.from(message.body)
      : Buffer.from(
          typeof message.body === 'string' ? message.body : JSON.stringify(message.body ?? null),
          'utf8',
        );
  const text = bytes.toString('utf8');
  const isText = Buffer.from(text, 'utf8').equals(bytes);
  return {
    ...(message.messageId !== undefined ? { messageId: String(message.messageId) } : {}),
    ...(message.contentType ? { contentType: message.contentType } : {}),
    ...(message.subject ? { subject: message.subject } : {}),
    ...(message.correlationId !== undefined ? { correlationId: String(message.correlationId) } : {}),
    applicationProperties,
    body: isText ? text : bytes.toString('base64'),
    bodyEncoding: isText ? 'utf8' : 'base64',
  };
}

const originalSchema = z.object({
  messageId: z.string().max(128).optional(),
  contentType: z.string().max(1024).optional(),
  subject: z.string().max(1024).optional(),
  correlationId: z.string().max(128).optional(),
  applicationProperties: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  body: z.string(),
  bodyEncoding: z.enum(['utf8', 'base64']),
});

const ingressDeadLetterSchema = z.looseObject({
  stage: z.literal('ingress'),
  topic: z.string().optional(),
  reason: z.string().optional(),
  original: originalSchema.optional(),
});

/** The original message an ingress dead letter carries, if it carries one that is well formed. */
export function originalFromDeadLetter(body: unknown): RedrivableIngressMessage | undefined {
  let value = body;
  if (typeof body === 'string' || Buffer.isBuffer(body)) {
    try {
      value = JSON.parse(String(body)) as unknown;
    } catch {
      return undefined;
    }
  }
  const parsed = ingressDeadLetterSchema.safeParse(value);
  return parsed.success ? parsed.data.original : undefined;
}

/**
 * The original, to send to `ingress` again. Its messageId is new: the ingress queue's duplicate
 * detection would drop the original id if it was seen within its window (10 min), and the
 * redriven event would be lost. `redriveId` is fixed per dead letter, so a redrive that crashed
 * after sending and runs again sends a duplicate that is dropped.
 */
export function ingressMessageFromOriginal(
  original: RedrivableIngressMessage,
  redriveId: string,
): ServiceBusMessage {
  return {
    body: Buffer.from(original.body, original.bodyEncoding === 'base64' ? 'base64' : 'utf8'),
    messageId: redriveId,
    ...(original.contentType ? { contentType: original.contentType } : {}),
    ...(original.subject ? { subject: original.subject } : {}),
    ...(original.correlationId ? { correlationId: original.correlationId } : {}),
    applicationProperties: original.applicationProperties,
  };
}
