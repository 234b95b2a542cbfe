import type { AttemptOutcome, DeliveryMessage, SubscriptionRecord } from '../domain/types';
import type { DeliveryProtection, HoldReason } from './deliveryProtection';

/**
 * Where deliver asks the protections (shared/protection/deliveryProtection.ts) before an
 * attempt. A held delivery is scheduled again (as a copy of its message, the same attempt) and
 * uses no attempt; an admitted one reports its outcome through `settle`.
 */
export interface DeliveryGate {
  admit(
    subscription: SubscriptionRecord,
    message: DeliveryMessage,
    traceProperties: Record<string, string>,
  ): Promise<GateAdmission>;
}

export type GateAdmission =
  | {
      kind: 'admitted';
      /** The attempt's outcome; undefined when the destination was not called. Never throws. */
      settle(outcome: AttemptOutcome | undefined): Promise<void>;
    }
  | { kind: 'held'; reason: HoldReason; until: Date };

/** Admits everything: subscriptions are unprotected (unit tests of other rules). */
export const OPEN_GATE: GateAdmission = { kind: 'admitted', settle: () => Promise.resolve() };

/** What a held copy carries, so it is not charged again and gets its own message id. */
export interface HeldMarks {
  /** How often this delivery attempt was held already (0 for an original). */
  heldCount: number;
  /** The rate slot the copy reserved (epoch ms), if it was held for one. */
  reservedSlotAtMs?: number;
}

export interface GateDependencies {
  protection: DeliveryProtection;
  /** The marks of the message being handled. */
  received: HeldMarks;
  /** Schedules the held copy; throws when it could not (the invocation then fails and is retried). */
  scheduleHeld(
    message: DeliveryMessage,
    at: Date,
    marks: HeldMarks,
    traceProperties: Record<string, string>,
  ): Promise<void>;
  /**
   * A held retry: moves the delivery record's nextAttemptAt to `at`, so reconcile does not take
   * the retry message for lost while it is held.
   */
  noteHeldRetry(message: DeliveryMessage, at: Date): Promise<void>;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export function protectionGate(dependencies: GateDependencies): DeliveryGate {
  return {
    async admit(subscription, message, traceProperties) {
      const { protection, received } = dependencies;
      const admission = await protection.admit(subscription, received.reservedSlotAtMs);
      if (admission.kind === 'proceed') {
        const waitMs = (admission.startAtMs ?? 0) - (dependencies.now ?? Date.now)();
        if (waitMs > 0) await (dependencies.sleep ?? sleep)(waitMs);
        return {
          kind: 'admitted',
          settle: (outcome) => protection.settle(subscription, admission.ticket, outcome),
        };
      }
      const until = new Date(admission.untilMs);
      await dependencies.scheduleHeld(
        message,
        until,
        {
          heldCount: received.heldCount + 1,
          ...(admission.reservedSlotAtMs !== undefined
            ? { reservedSlotAtMs: admission.reservedSlotAtMs }
            : {}),
        },
        traceProperties,
      );
      if (message.attempt > (message.firstAttemptNumber ?? 1))
        await dependencies.noteHeldRetry(message, until);
      return { kind: 'held', reason: admission.reason, until };
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
