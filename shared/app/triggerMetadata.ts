import type { InvocationContext } from '@azure/functions';
import type { ApplicationPropertyValue } from '../events/serviceBusEventInput';
import type { ReceivedMessage } from '../pipeline/outage';

/** A Service Bus trigger's application properties, as the host passes them in trigger metadata. */
export function applicationPropertiesOf(
  context: Pick<InvocationContext, 'triggerMetadata'>,
): Record<string, ApplicationPropertyValue> {
  const raw = context.triggerMetadata?.applicationProperties;
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return {};
  const properties: Record<string, ApplicationPropertyValue> = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value) || value instanceof Date) {
      properties[name] = value as ApplicationPropertyValue;
    }
  }
  return properties;
}

/** The trigger message's messageId, as the sender set it (or Service Bus assigned it). */
export function messageIdOf(context: InvocationContext): string | undefined {
  const id = context.triggerMetadata?.messageId;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/** The trigger's message with the metadata a copy of it must keep (shared/pipeline/outage.ts). */
export function receivedMessageOf(body: unknown, context: InvocationContext): ReceivedMessage {
  const metadata = context.triggerMetadata ?? {};
  const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
  const messageId = text(metadata.messageId);
  const contentType = text(metadata.contentType);
  const subject = text(metadata.subject);
  const correlationId = text(metadata.correlationId);
  return {
    body,
    ...(messageId ? { messageId } : {}),
    ...(contentType ? { contentType } : {}),
    ...(subject ? { subject } : {}),
    ...(correlationId ? { correlationId } : {}),
    applicationProperties: applicationPropertiesOf(context),
  };
}

/** How often Service Bus has handed this message over (1 on the first delivery). */
export function deliveryCountOf(context: InvocationContext): number | undefined {
  const value = context.triggerMetadata?.deliveryCount;
  return typeof value === 'number' ? value : undefined;
}

/**
 * The trigger metadata of message `index` of a batch (cardinality `many`): the host passes one
 * array per field, named with an `Array` suffix (messageIdArray, deliveryCountArray,
 * applicationPropertiesArray, ...), so each entry is taken from its array under the single
 * message's name. String arrays arrive as a collection the library JSON-parses entry by entry,
 * so a numeric-looking messageId, subject or correlationId comes back to its text here.
 * `deliveryCount` adds the message's earlier failures in batches (shared/pipeline/batch.ts).
 */
export function messageMetadataOfBatch(
  batchMetadata: Readonly<Record<string, unknown>> | undefined,
  index: number,
  earlierFailures: (single: Record<string, unknown>) => number,
): Record<string, unknown> {
  const single: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(batchMetadata ?? {})) {
    if (!key.endsWith('Array') || !Array.isArray(value)) continue;
    const name = key.slice(0, -'Array'.length);
    const entry: unknown = value[index];
    if (entry === undefined || entry === null) continue;
    single[name] = TEXT_FIELDS.has(name) && typeof entry === 'number' ? String(entry) : entry;
  }
  if (typeof single.deliveryCount === 'number') {
    single.deliveryCount += earlierFailures(single);
  }
  return single;
}

const TEXT_FIELDS: ReadonlySet<string> = new Set([
  'messageId',
  'subject',
  'label',
  'correlationId',
  'sessionId',
]);
