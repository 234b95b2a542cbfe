import type { InvocationContext } from '@azure/functions';
import type { ApplicationPropertyValue } from '../events/serviceBusEventInput';

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
