import type { InvocationContext } from '@azure/functions';
import type { ApplicationPropertyValue } from '../events/serviceBusEventInput';
import type { ReceivedMessage } from '../pipeline/outage';

/** A Service Bus trigger's application properties, as the host passes them in trigger metadata. */
export function applicationPropertiesOf(
  context: InvocationContext,
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
