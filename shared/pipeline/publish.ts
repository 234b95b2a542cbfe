import type { ServiceBusMessage } from '@azure/service-bus';
import { fromHttpRequest } from '../events/fromHttpRequest';
import type { HttpEventRequest } from '../events/httpEventRequest';
import { eventKey } from '../events/eventKey';
import { toIngressMessage } from '../events/toIngressMessage';
import { parseTopicName } from '../events/topicName';
import { type ClaimCheckOwner, needsClaimCheck } from '../payloads/claimCheck';
import { PAYLOAD_REF_PROPERTY } from './ingressPayload';

export interface AcceptedEvent {
  id: string;
  source: string;
  eventKey: string;
}

export interface PublishDependencies {
  sendIngress(messages: ServiceBusMessage[]): Promise<void>;
  /** Stores a claim-check payload for the event it belongs to; returns its reference. */
  putPayload(owner: ClaimCheckOwner, json: string): Promise<string>;
}

/**
 * Accepts the events of one publish request: validates them (400/413/415 ProblemError), moves
 * oversized ones to the claim-check store, and sends them to the ingress queue. Resolving means
 * every event is durably in Service Bus, which is what 202 promises.
 */
export async function publishEvents(
  dependencies: PublishDependencies,
  input: { topic: unknown; request: HttpEventRequest; traceProperties?: Record<string, string> },
): Promise<{ accepted: AcceptedEvent[] }> {
  const topic = parseTopicName(input.topic);
  const { events } = fromHttpRequest(input.request);
  const messages: ServiceBusMessage[] = [];
  const accepted: AcceptedEvent[] = [];
  for (const { event } of events) {
    const key = eventKey(topic, event.source, event.id);
    const message = toIngressMessage(topic, event);
    message.applicationProperties = { ...input.traceProperties, ...message.applicationProperties };
    // toIngressMessage's body is the event's JSON as bytes: its length is the size that counts.
    const body = message.body as Buffer;
    if (needsClaimCheck(body.length)) {
      const ref = await dependencies.putPayload({ topic, eventKey: key }, body.toString('utf8'));
      message.body = Buffer.from(JSON.stringify(stubOf(event)), 'utf8');
      message.applicationProperties[PAYLOAD_REF_PROPERTY] = ref;
    }
    messages.push(message);
    accepted.push({ id: event.id, source: event.source, eventKey: key });
  }
  await dependencies.sendIngress(messages);
  return { accepted };
}

/** The event's attributes without its data: enough to route on type/subject, small enough to send. */
function stubOf(event: Record<string, unknown>): Record<string, unknown> {
  const { data: _data, data_base64: _dataBase64, ...attributes } = event;
  return attributes;
}
