/**
 * The domain's records and messages: what Cosmos DB stores and what travels on Service Bus.
 * The HTTP contract is in docs/architecture.md ("Contract"); these types are its inside.
 */

/** A CloudEvent 1.0 in its JSON (structured) form, validated. `data_base64` carries binary data. */
export interface CloudEventJson {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  subject?: string;
  time?: string;
  datacontenttype?: string;
  dataschema?: string;
  data?: unknown;
  data_base64?: string;
  /** Extension attributes: lower-case alphanumeric names, string/number/boolean values. */
  [extension: string]: unknown;
}

export type AdvancedFilterOperator =
  | 'NumberIn'
  | 'NumberNotIn'
  | 'NumberLessThan'
  | 'NumberGreaterThan'
  | 'NumberLessThanOrEquals'
  | 'NumberGreaterThanOrEquals'
  | 'NumberInRange'
  | 'NumberNotInRange'
  | 'BoolEquals'
  | 'StringContains'
  | 'StringNotContains'
  | 'StringBeginsWith'
  | 'StringNotBeginsWith'
  | 'StringEndsWith'
  | 'StringNotEndsWith'
  | 'StringIn'
  | 'StringNotIn'
  | 'IsNullOrUndefined'
  | 'IsNotNull';

/**
 * As in Event Grid: single-value operators (NumberLessThan, ..., BoolEquals) use `value`;
 * list operators use `values` (ranges are `[[min, max], ...]`); IsNullOrUndefined/IsNotNull use neither.
 */
export interface AdvancedFilter {
  operatorType: AdvancedFilterOperator;
  /** A CloudEvent attribute name (`type`, `subject`, an extension) or a `data.` path. */
  key: string;
  value?: number | boolean | string;
  values?: Array<number | string | [number, number]>;
}

export interface SubscriptionFilter {
  includedEventTypes?: string[];
  subjectBeginsWith?: string;
  subjectEndsWith?: string;
  isSubjectCaseSensitive?: boolean;
  advancedFilters?: AdvancedFilter[];
}

export type Destination =
  | { endpointType: 'WebHook'; endpointUrl: string; headers?: Record<string, string> }
  | { endpointType: 'ServiceBusQueue'; queueName: string }
  | { endpointType: 'ServiceBusTopic'; topicName: string };

export interface RetryPolicy {
  maxDeliveryAttempts: number;
  eventTimeToLiveInMinutes: number;
  /** Seconds between attempts; the last value repeats. Replaces the default schedule. */
  schedule?: number[];
}

/** Limits on how fast Switchyard delivers to one subscription, across all instances (issue #15); absent: unlimited, and no cost. */
export interface DeliveryLimits {
  /** At most this many deliveries per second (may be below 1: 0.5 is one every 2 s). */
  maxPerSecond?: number;
  /** At most this many deliveries in flight at once. */
  maxConcurrent?: number;
}

/**
 * `handshake` (default): a webhook is only delivered to once it has agreed to receive events
 * (CloudEvents Webhook "Abuse Protection" OPTIONS handshake). `none`: the owner opts out.
 */
export type ValidationMode = 'handshake' | 'none';

/** Which optional system events (topic `switchyard.system`) are published about this subscription. */
export interface SubscriptionNotifications {
  /** `delivery.deadLettered` for each of its dead-lettered deliveries. */
  deadLettered?: boolean;
}

/** The circuit breaker's settings; each absent one takes its default (shared/protection/policy.ts). */
export interface CircuitBreakerSettings {
  minimumRequests?: number;
  failureRatio?: number;
  windowSeconds?: number;
  coolDownSeconds?: number;
}

/** What a user PUTs; defaults applied. */
export interface SubscriptionSpec {
  destination: Destination;
  filter: SubscriptionFilter;
  retryPolicy: RetryPolicy;
  delivery?: DeliveryLimits;
  circuitBreaker?: CircuitBreakerSettings;
  /** Disable after the endpoint failed every attempt for this long (fractional hours; default 120). */
  disableAfterHours?: number;
  validation?: ValidationMode;
  notifications?: SubscriptionNotifications;
}

/** The last validation handshake of a webhook subscription. */
export interface ValidationState {
  /** When the OPTIONS request was made. */
  at: string;
  outcome: 'accepted' | 'refused';
  /** Why the endpoint was not accepted (absent when accepted). */
  reason?: string;
  /** The endpoint's WebHook-Allowed-Rate, in requests per minute, when it gave one. */
  allowedRatePerMinute?: number;
}

/** Stored in container `subscriptions`, partition key /topic, id = name. */
export interface SubscriptionRecord extends SubscriptionSpec {
  id: string;
  topic: string;
  name: string;
  /** `pendingValidation`: a webhook that has not (yet) agreed to the handshake; not routed to. */
  status: 'active' | 'disabled' | 'pendingValidation';
  disabledReason?: string;
  /** The last handshake (webhooks with validation `handshake`). */
  validationState?: ValidationState;
  /** Standard Webhooks secret (`whsec_...`). Returned once at creation or rotation; never logged. */
  signingSecret: string;
  /**
   * The secret before the last rotation: deliveries are signed with it too until
   * `previousSigningSecretExpiresAt`, so receivers can switch over without losing events.
   */
  previousSigningSecret?: string;
  previousSigningSecretExpiresAt?: string;
  createdAt: string;
  updatedAt: string;
}

export type DeliveryStatus = 'pending' | 'succeeded' | 'retrying' | 'deadLettered';

export type AttemptOutcome = 'succeeded' | 'retryableFailure' | 'permanentFailure';

export interface DeliveryAttempt {
  n: number;
  at: string;
  outcome: AttemptOutcome;
  httpStatus?: number;
  durationMs: number;
  error?: string;
  /** The first 4 KB of the response body. */
  responseBody?: string;
}

/** Stored in container `deliveries`, partition key /eventKey, id = deliveryId. */
export interface DeliveryRecord {
  id: string;
  deliveryId: string;
  eventKey: string;
  topic: string;
  subscription: string;
  status: DeliveryStatus;
  attempts: DeliveryAttempt[];
  createdAt: string;
  updatedAt: string;
  nextAttemptAt?: string;
  deadLetter?: { reason: string; description: string; at: string };
  /**
   * The error of the last deliver invocation that failed on this delivery (threw, rather than
   * recording an attempt), kept so the cause is known if Service Bus dead-letters the message.
   */
  lastInvocationError?: InvocationFailure;
  /** Seconds Cosmos DB keeps the record (RECORD_TTL_SECONDS). */
  ttl?: number;
}

/** Why route failed on an ingress message, kept so its native dead letter can say (reconcile). */
export interface RouteFailure {
  /** The ingress message's id. */
  messageId: string;
  at: string;
  /** Service Bus's delivery count of the message (1 = first delivery). */
  deliveryCount: number;
  error: string;
}

export interface InvocationFailure {
  at: string;
  /** The attempt the failed invocation was making. */
  attempt: number;
  /** Service Bus's delivery count of the message (1 = first delivery). */
  deliveryCount: number;
  error: string;
}

/** Stored in container `events`, partition key /eventKey, id = eventKey. */
export interface EventRecord {
  id: string;
  eventKey: string;
  topic: string;
  source: string;
  ceId: string;
  type: string;
  subject?: string;
  receivedAt: string;
  sizeBytes: number;
  /** The event itself when small; otherwise `payloadRef` names its claim-check blob. */
  event?: CloudEventJson;
  payloadRef?: string;
  matchedSubscriptions: string[];
  routedAt?: string;
  /** Seconds Cosmos DB keeps the record (RECORD_TTL_SECONDS). */
  ttl?: number;
}

/** Body of a message on the `deliveries` queue: one attempt of one delivery. */
export interface DeliveryMessage {
  deliveryId: string;
  eventKey: string;
  topic: string;
  subscription: string;
  /** 1-based number of the attempt this message asks for. */
  attempt: number;
  /** When the first attempt was scheduled; TTL is measured from here. */
  firstAttemptAt: string;
  /**
   * The attempt number this run of retries started at: 1, or the next number after a redrive,
   * which starts a fresh budget of attempts and time to live while attempt numbers stay unique.
   */
  firstAttemptNumber?: number;
  event?: CloudEventJson;
  payloadRef?: string;
}

/** Body of a message on the `deadletters` queue. */
export interface DeadLetterMessage extends DeliveryMessage {
  reason: string;
  description: string;
  deadLetteredAt: string;
}
