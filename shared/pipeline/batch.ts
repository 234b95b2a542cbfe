import { unavailableDependency } from '../app/dependencyOutage';
import { derivedMessageId } from './outage';

/**
 * Batch triggers (cardinality `many`) around the per-message steps. Service Bus settles a batch
 * as one: the host completes every message when the invocation succeeds and abandons every one
 * when it throws. So each message gets its own outcome here, and only a dependency outage that
 * the message's own step could not ride out (shared/pipeline/outage.ts: retries in the
 * invocation, then a scheduled copy; Service Bus itself down so no copy could be scheduled)
 * makes the batch throw and come back whole. Every step is idempotent, so the messages of that
 * batch that had finished do nothing again.
 *
 * A message whose step fails for any other reason (a bug, a message no step can read) would,
 * alone, be abandoned and redelivered at once until the queue's MaxDeliveryCount dead-letters
 * it, and the reconcile timer would turn it into a product dead letter. In a batch it takes the
 * same path on its own: a copy is sent with its failure count (the redelivery), and once the
 * count reaches MAX_PROCESSING_FAILURES it is handed to what reconcile does with a native dead
 * letter (shared/app/pipelineTriggers.ts).
 */

/** Application property counting how often a message's step failed in a batch. */
export const PROCESSING_FAILURES_PROPERTY = 'processingFailures';
/** The queues' MaxDeliveryCount (infra and local/stack/servicebus-config.json). */
export const MAX_PROCESSING_FAILURES = 10;
const FAILED_ID_SUFFIX = /~failed-\d+$/;

/** How often a message says its step failed already; a forged or broken value counts as 0. */
export function processingFailuresOf(properties: Readonly<Record<string, unknown>>): number {
  const value = properties[PROCESSING_FAILURES_PROPERTY];
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value < MAX_PROCESSING_FAILURES
    ? value
    : 0;
}

export type FailureDecision =
  { kind: 'redeliver'; failures: number; messageId: string } | { kind: 'deadLetter'; failures: number };

/** What to do with a message whose step failed, not for an outage, `previousFailures` times before. */
export function decideAfterFailure(messageId: string | undefined, previousFailures: number): FailureDecision {
  const failures = previousFailures + 1;
  if (failures >= MAX_PROCESSING_FAILURES) return { kind: 'deadLetter', failures };
  return {
    kind: 'redeliver',
    failures,
    messageId: derivedMessageId(messageId, FAILED_ID_SUFFIX, `~failed-${failures}`),
  };
}

export interface BatchReport {
  done: number;
  /** Failed not for an outage and sent on their own path (a copy, or a dead letter). */
  failed: number;
}

export interface BatchHandlers<T> {
  /** The per-message step (with its own outage handling); throws when it failed. */
  process(item: T): Promise<void>;
  /** A failure that is no outage: the message's own path. Throws if that path is down too. */
  failed(item: T, error: unknown): Promise<void>;
}

/**
 * Runs every message of a batch concurrently. Throws (so the host abandons the batch) only when
 * some message met an outage it could not ride out, or its failure could not be sent on its path.
 */
export async function processBatch<T>(items: readonly T[], handlers: BatchHandlers<T>): Promise<BatchReport> {
  const outcomes = await Promise.all(
    items.map(async (item): Promise<{ kind: 'done' | 'failed' } | { kind: 'outage'; error: unknown }> => {
      try {
        await handlers.process(item);
        return { kind: 'done' };
      } catch (error) {
        if (unavailableDependency(error)) return { kind: 'outage', error };
        try {
          await handlers.failed(item, error);
          return { kind: 'failed' };
        } catch (pathError) {
          return { kind: 'outage', error: pathError };
        }
      }
    }),
  );
  const outage = outcomes.find((outcome) => outcome.kind === 'outage');
  if (outage) throw outage.error;
  return {
    done: outcomes.filter((outcome) => outcome.kind === 'done').length,
    failed: outcomes.filter((outcome) => outcome.kind === 'failed').length,
  };
}
