/**
 * The message Switchyard sends to the ingress queue for an accepted event: AMQP structured mode
 * (the JSON CloudEvent as the body), messageId = eventKey so Service Bus duplicate detection
 * turns a re-publish of the same source+id into a no-op, and the topic as an application property
 * so fromServiceBusMessage reads Switchyard's messages and publishers' messages the same way.
 */
import type { ServiceBusMessage } from '@azure/service-bus';

import type { CloudEventJson } from '../domain/types';
import { eventKey } from './eventKey';
import { CLOUDEVENTS_JSON } from './httpEventRequest';
import { TOPIC_PROPERTY } from './serviceBusEventInput';

export interface IngressMessageOptions {
  /** W3C trace context of the publish request, so the route and deliver spans join its trace. */
  traceparent?: string;
}

export const TRACEPARENT_PROPERTY = 'traceparent';

/**
 * The body is the UTF-8 JSON as bytes (an AMQP data section, as the binding specifies), so its
 * length is exactly what counts against the Service Bus message size limit.
 */
export function toIngressMessage(
  topic: string,
  event: CloudEventJson,
  options: IngressMessageOptions = {},
): ServiceBusMessage & { body: Buffer; messageId: string } {
  const applicationProperties: Record<string, string> = { [TOPIC_PROPERTY]: topic };
  if (options.traceparent !== undefined) applicationProperties[TRACEPARENT_PROPERTY] = options.traceparent;
  return {
    body: Buffer.from(JSON.stringify(event), 'utf8'),
    messageId: eventKey(topic, event.source, event.id),
    contentType: CLOUDEVENTS_JSON,
    applicationProperties,
  };
}
