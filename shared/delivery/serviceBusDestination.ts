import { isServiceBusError, type ServiceBusMessage } from '@azure/service-bus';
import type { CloudEventJson } from '../domain/types';
import { CLOUDEVENTS_JSON } from '../events/httpEventRequest';
import type { AttemptClassification } from './classifyOutcome';
import { errorMessage } from '../errors/errorMessage';

/**
 * A CloudEvent as a Service Bus message for a queue or topic destination: the structured JSON
 * as the body, and its context attributes also as `cloudEvents:` application properties (the
 * AMQP binding's names) so receivers and subscription rules can filter without parsing the body.
 * messageId is the delivery id, so a destination with duplicate detection drops a retried copy.
 */
export function toDestinationMessage(event: CloudEventJson, deliveryId: string): ServiceBusMessage {
  const applicationProperties: Record<string, string | number | boolean> = {};
  for (const [name, value] of Object.entries(event)) {
    if (name === 'data' || name === 'data_base64') continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      applicationProperties[`cloudEvents:${name}`] = value;
    }
  }
  return {
    body: Buffer.from(JSON.stringify(event), 'utf8'),
    contentType: CLOUDEVENTS_JSON,
    messageId: deliveryId,
    ...(event.subject !== undefined ? { subject: event.subject } : {}),
    applicationProperties,
  };
}

/** Errors that the same send will meet again: the destination is missing, refused or too small. */
const PERMANENT_CODES: ReadonlySet<string> = new Set([
  'MessagingEntityNotFound',
  'MessagingEntityDisabled',
  'UnauthorizedAccess',
  'MessageSizeExceeded',
]);

export function classifyServiceBusSendError(error: unknown): AttemptClassification {
  const code = isServiceBusError(error) ? error.code : undefined;
  const message = errorMessage(error);
  if (code !== undefined && PERMANENT_CODES.has(code)) {
    return {
      outcome: 'permanentFailure',
      reason: 'EndpointRejected',
      description: `Service Bus ${code}: ${message}`,
      disableSubscription: false,
    };
  }
  return {
    outcome: 'retryableFailure',
    reason: 'RetryableFailure',
    description: `Service Bus ${code ?? 'error'}: ${message}`,
    disableSubscription: false,
  };
}
