/**
 * The 202 body of `POST /topics/{topic}/events` (ARCHITECTURE.md HTTP contract):
 * `{"accepted":[{"id","source","eventKey"}]}`, one entry per event in request order.
 */
import type { CloudEventJson } from '../domain/types';
import { eventKey } from './eventKey';

export interface AcceptedEvent {
  id: string;
  source: string;
  eventKey: string;
}

export interface AcceptedEventsBody {
  accepted: AcceptedEvent[];
}

export function toAcceptedEventsBody(topic: string, events: readonly CloudEventJson[]): AcceptedEventsBody {
  return {
    accepted: events.map((e) => ({ id: e.id, source: e.source, eventKey: eventKey(topic, e.source, e.id) })),
  };
}
