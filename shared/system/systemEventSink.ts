import { createHash } from 'node:crypto';
import type { ServiceBusMessage } from '@azure/service-bus';
import type { CloudEventJson } from '../domain/types';
import { toIngressMessage } from '../events/toIngressMessage';
import { SYSTEM_TOPIC, type SystemEvent, type SystemEventSink } from './systemEvents';

/** The `source` of every system event. */
export const SYSTEM_EVENT_SOURCE = '/switchyard';

/** The CloudEvents `type` of a system event: `switchyard.` + its SystemEventType. */
export function systemEventType(type: SystemEvent['type']): string {
  return `switchyard.${type}`;
}

export interface SystemEventSinkDependencies {
  /** Sends to the ingress queue, as publish does (the same duplicate detection by messageId). */
  sendIngress(messages: ServiceBusMessage[]): Promise<void>;
  /**
   * An event about a subscription of `switchyard.system` itself, which is not published so that
   * a failing system subscriber cannot feed itself events about its own failures. Log and count it.
   */
  suppressed(event: SystemEvent): void;
  now(): Date;
}

/**
 * The SystemEventSink over the ingress queue: each system event becomes a CloudEvent on topic
 * `switchyard.system`, routed and delivered like any published event. Its id is derived from
 * what the event says (type, subscription, data), so an emit that is retried after a failure
 * (or re-run after a crash) is the same event and duplicate detection drops the copy; an emitter
 * puts what tells occurrences apart (a time, a delivery id) in `data`.
 */
export function createSystemEventSink(dependencies: SystemEventSinkDependencies): SystemEventSink {
  return {
    async emit(event) {
      if (event.topic === SYSTEM_TOPIC) {
        dependencies.suppressed(event);
        return;
      }
      const cloudEvent = systemCloudEvent(event, dependencies.now());
      await dependencies.sendIngress([toIngressMessage(SYSTEM_TOPIC, cloudEvent)]);
    },
  };
}

/** A system event as the CloudEvent subscribers of `switchyard.system` receive. */
export function systemCloudEvent(event: SystemEvent, now: Date): CloudEventJson {
  return {
    specversion: '1.0',
    id: systemEventId(event),
    source: SYSTEM_EVENT_SOURCE,
    type: systemEventType(event.type),
    subject: `topics/${event.topic}/subscriptions/${event.subscription}`,
    time: now.toISOString(),
    datacontenttype: 'application/json',
    data: { topic: event.topic, subscription: event.subscription, ...event.data },
  };
}

/** Deterministic: the same event (type, subscription, data) always gets the same id. */
export function systemEventId(event: SystemEvent): string {
  const canonical = JSON.stringify([event.type, event.topic, event.subscription, sortedKeys(event.data)]);
  return createHash('sha256').update(canonical, 'utf8').digest('base64url').slice(0, 32);
}

/** The same data in key order, so two emits of equal data hash alike however they were built. */
function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortedKeys((value as Record<string, unknown>)[key])]),
  );
}
