/** A running source of invocations (Service Bus receivers, timers), stopped in two steps. */
export interface TriggerListener {
  /** Stops starting new invocations; running ones carry on. */
  stopReceiving(): Promise<void>;
  /** Releases connections once running invocations have finished (or were given up on). */
  close(): Promise<void>;
}
