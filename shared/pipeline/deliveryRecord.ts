import { RECORD_TTL_SECONDS } from '../config/names';
import type { DeliveryAttempt, DeliveryMessage, DeliveryRecord } from '../domain/types';

/** What recording an attempt needs from the delivery store (deliver's and reconcile's). */
export interface DeliveryAttemptStore {
  createDeliveryIfAbsent(record: DeliveryRecord): Promise<{ record: DeliveryRecord; created: boolean }>;
  recordAttempt(
    eventKey: string,
    deliveryId: string,
    attempt: DeliveryAttempt,
    update: DeliveryRecordUpdate,
  ): Promise<DeliveryRecord>;
}

export type DeliveryRecordUpdate = Pick<DeliveryRecord, 'status' | 'nextAttemptAt' | 'deadLetter'>;

/**
 * Records an attempt on its delivery: the first one creates the record (one write, as for every
 * later attempt), a later one, or a create that lost a race, appends to it (idempotent).
 */
export async function recordDeliveryAttempt(
  store: DeliveryAttemptStore,
  message: Pick<DeliveryMessage, 'deliveryId' | 'eventKey' | 'topic' | 'subscription'>,
  attempt: DeliveryAttempt,
  update: DeliveryRecordUpdate,
  existing: DeliveryRecord | undefined,
  now: string,
): Promise<DeliveryRecord> {
  if (!existing) {
    const { record, created } = await store.createDeliveryIfAbsent({
      id: message.deliveryId,
      deliveryId: message.deliveryId,
      eventKey: message.eventKey,
      topic: message.topic,
      subscription: message.subscription,
      attempts: [attempt],
      createdAt: now,
      updatedAt: now,
      ttl: RECORD_TTL_SECONDS,
      ...update,
    });
    if (created) return record;
  }
  return store.recordAttempt(message.eventKey, message.deliveryId, attempt, update);
}
