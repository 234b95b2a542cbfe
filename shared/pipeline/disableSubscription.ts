import type { SubscriptionRecord } from '../domain/types';
import { PreconditionFailedError, type SubscriptionRepository } from '../domain/repositories';

/** The store operations a guarded disable needs (narrow, so a plain object can stand in). */
export type SubscriptionVersions = Pick<SubscriptionRepository, 'get' | 'put'>;

export type DisableOutcome = 'disabled' | 'alreadyDisabled' | 'changedSince' | 'gone';

/**
 * Disables a subscription after its webhook answered 410 Gone, but only the version that was
 * called: deliveries run on a cached copy, so a 410 from the old URL can arrive after the owner
 * has PUT a new one, and disabling that would silently stop a subscription that was just fixed.
 * A replace always moves `updatedAt`; the write is guarded by the ETag just read, so a change
 * in between wins over the disable. Also used by auto-disable (shared/protection), which tells
 * the owner only when this call did the disabling (`disabled`, not `alreadyDisabled`).
 */
export async function disableIfUnchanged(
  store: SubscriptionVersions,
  called: SubscriptionRecord,
  reason: string,
  now: Date,
): Promise<DisableOutcome> {
  const current = await store.get(called.topic, called.name);
  if (!current) return 'gone';
  if (current.record.status === 'disabled') return 'alreadyDisabled';
  if (current.record.updatedAt !== called.updatedAt) return 'changedSince';
  try {
    await store.put(
      { ...current.record, status: 'disabled', disabledReason: reason, updatedAt: now.toISOString() },
      { ifMatch: current.etag },
    );
    return 'disabled';
  } catch (error) {
    if (error instanceof PreconditionFailedError) return 'changedSince';
    throw error;
  }
}
