import type { PatchOperation } from '@azure/cosmos';
import type { DeliveryAttempt, DeliveryRecord, DeliveryStatus } from '../domain/types';

/** Stored response bodies are cut here so 30+ attempts keep a delivery far below 2 MB. */
export const MAX_RESPONSE_BODY_BYTES = 4096;
/** Error messages are cut here for the same reason. */
export const MAX_ERROR_BYTES = 1024;

export interface AttemptUpdate {
  status: DeliveryStatus;
  nextAttemptAt?: string;
  deadLetter?: { reason: string; description: string; at: string };
}

/** The one patch that brings a delivery record up to date, or nothing when it already is. */
export type AttemptPlan =
  { kind: 'nothingToWrite' } | { kind: 'write'; operations: PatchOperation[]; next: DeliveryRecord };

/** The first `maxBytes` bytes of a UTF-8 string, without a broken character at the end. */
export function truncateUtf8(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  // A continuation byte (10xxxxxx) just past the cut means the cut splits a character: end before it.
  let end = maxBytes;
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end -= 1;
  return bytes.subarray(0, end).toString('utf8');
}

/** The attempt as stored: response body and error cut to their limits. */
function boundAttempt(attempt: DeliveryAttempt): DeliveryAttempt {
  const bounded: DeliveryAttempt = { ...attempt };
  if (bounded.responseBody !== undefined) {
    bounded.responseBody = truncateUtf8(bounded.responseBody, MAX_RESPONSE_BODY_BYTES);
  }
  if (bounded.error !== undefined) bounded.error = truncateUtf8(bounded.error, MAX_ERROR_BYTES);
  return bounded;
}

/**
 * Plans the single write that records attempt `n` on a delivery. Recording an attempt that is
 * already there plans nothing (a redelivered message after a crash). Attempts stay sorted by n;
 * an attempt older than the newest recorded one (a late redelivery) is inserted but does not
 * overwrite the status the newer attempt set.
 */
export function planAttempt(
  current: DeliveryRecord,
  attempt: DeliveryAttempt,
  update: AttemptUpdate,
  now: string,
): AttemptPlan {
  if (current.attempts.some((recorded) => recorded.n === attempt.n)) return { kind: 'nothingToWrite' };
  const stored = boundAttempt(attempt);
  const index = current.attempts.filter((recorded) => recorded.n < attempt.n).length;
  const isNewest = index === current.attempts.length;
  const attempts = [...current.attempts.slice(0, index), stored, ...current.attempts.slice(index)];
  const operations: PatchOperation[] = [
    { op: 'add', path: isNewest ? '/attempts/-' : `/attempts/${index}`, value: stored },
    { op: 'set', path: '/updatedAt', value: now },
  ];
  const next: DeliveryRecord = { ...current, attempts, updatedAt: now };
  if (isNewest) {
    operations.push({ op: 'set', path: '/status', value: update.status });
    next.status = update.status;
    if (update.nextAttemptAt !== undefined) {
      operations.push({ op: 'set', path: '/nextAttemptAt', value: update.nextAttemptAt });
      next.nextAttemptAt = update.nextAttemptAt;
    } else if (current.nextAttemptAt !== undefined) {
      operations.push({ op: 'remove', path: '/nextAttemptAt' });
      delete next.nextAttemptAt;
    }
    if (update.deadLetter !== undefined) {
      operations.push({ op: 'set', path: '/deadLetter', value: update.deadLetter });
      next.deadLetter = update.deadLetter;
    }
  }
  return { kind: 'write', operations, next };
}

/**
 * Plans reopening a dead-lettered delivery for redrive: back to pending, dead-letter reason
 * cleared (the attempts keep the history). Nothing to do unless it is dead-lettered.
 */
export function planRedrive(current: DeliveryRecord, now: string): AttemptPlan {
  if (current.status !== 'deadLettered') return { kind: 'nothingToWrite' };
  const operations: PatchOperation[] = [
    { op: 'set', path: '/status', value: 'pending' },
    { op: 'set', path: '/updatedAt', value: now },
  ];
  const next: DeliveryRecord = { ...current, status: 'pending', updatedAt: now };
  if (current.deadLetter !== undefined) {
    operations.push({ op: 'remove', path: '/deadLetter' });
    delete next.deadLetter;
  }
  if (current.nextAttemptAt !== undefined) {
    operations.push({ op: 'remove', path: '/nextAttemptAt' });
    delete next.nextAttemptAt;
  }
  return { kind: 'write', operations, next };
}
