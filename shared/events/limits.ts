/**
 * Size and count limits of event ingestion. The 1 MB per event is part of the contract
 * (docs/architecture.md, "Invariants": events up to 1 MB are accepted), as in Event Grid.
 */
export interface EventLimits {
  /** Bytes of one event's compact JSON serialization (UTF-8), data_base64 included. */
  maxEventBytes: number;
  /** Events in one `application/cloudevents-batch+json` request. */
  maxBatchEvents: number;
  /** Bytes of a whole HTTP request body, checked before it is parsed. */
  maxRequestBytes: number;
}

export const MAX_EVENT_BYTES = 1_048_576;

/**
 * 100 events per batch and 10 MB per request: a batch can hold ten maximal events or a hundred
 * of ~100 KB. Not 100 x 1 MB: one function invocation parsing and sending 100 MB would be a
 * memory and timeout hazard, and a publisher with that much can split it into requests.
 */
export const DEFAULT_EVENT_LIMITS: EventLimits = {
  maxEventBytes: MAX_EVENT_BYTES,
  maxBatchEvents: 100,
  maxRequestBytes: 10 * MAX_EVENT_BYTES,
};
