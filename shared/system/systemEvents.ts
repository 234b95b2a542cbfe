/**
 * Switchyard's own CloudEvents, published to the topic `switchyard.system` (issue #15), so that
 * subscription owners can be told by webhook or Service Bus like any subscriber.
 */
export const SYSTEM_TOPIC = 'switchyard.system';

export type SystemEventType =
  | 'subscription.disabled'
  | 'subscription.circuitOpened'
  | 'subscription.circuitClosed'
  | 'subscription.validationFailed'
  | 'subscription.secretRotated'
  | 'delivery.deadLettered';

export interface SystemEvent {
  type: SystemEventType;
  /** The topic and name of the subscription the event is about. */
  topic: string;
  subscription: string;
  /** Event-specific details; never a secret. */
  data: Record<string, unknown>;
}

/**
 * Where the pipeline and the management API hand their system events. Resolves once the event is
 * accepted for routing; rejects only when it could not be (a dependency outage).
 */
export interface SystemEventSink {
  emit(event: SystemEvent): Promise<void>;
}
