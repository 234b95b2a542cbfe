/**
 * What the pipeline and the management API need from storage, as interfaces: the Cosmos DB
 * stores (shared/store) implement them, shared/app wires them in, and unit tests hand in fakes.
 * The errors are part of the contract: a store throws them, the logic above maps them to answers.
 */
import type { SubscriptionRecord } from './types';

export interface Page<T> {
  items: T[];
  /** Opaque; pass back to get the next page. Absent on the last page. */
  continuationToken?: string | undefined;
}

export interface PageOptions {
  maxItems?: number;
  continuationToken?: string | undefined;
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;

/** The page size a list uses: the default, or what the caller asked for within 1..MAX_PAGE_SIZE. */
export function pageSize(maxItems: number | undefined): number {
  if (maxItems === undefined) return DEFAULT_PAGE_SIZE;
  return Math.min(Math.max(1, Math.floor(maxItems)), MAX_PAGE_SIZE);
}

/** The store refused a continuation it was handed (one it issued, but no longer accepts). */
export class ContinuationNotAcceptedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ContinuationNotAcceptedError';
  }
}

/** A conditional write failed: the ETag no longer matches, or the item exists / does not exist. */
export class PreconditionFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PreconditionFailedError';
  }
}

/** A delivery record that should exist does not. */
export class DeliveryNotFoundError extends Error {
  constructor(eventKey: string, deliveryId: string) {
    super(`delivery ${deliveryId} of event ${eventKey} does not exist`);
    this.name = 'DeliveryNotFoundError';
  }
}

export interface VersionedSubscription {
  record: SubscriptionRecord;
  etag: string;
}

export interface PutConditions {
  /** Replace only if the stored subscription still has this ETag. */
  ifMatch?: string;
  /** `*`: create only if no subscription of this name exists. */
  ifNoneMatch?: '*';
}

/** Subscriptions by topic and name, each with the ETag of its stored version. */
export interface SubscriptionRepository {
  get(topic: string, name: string): Promise<VersionedSubscription | undefined>;
  list(topic: string, page?: PageOptions): Promise<Page<SubscriptionRecord>>;
  /**
   * Creates or replaces a subscription. With `ifNoneMatch: '*'` it only creates, with `ifMatch`
   * it only replaces that version; either failing throws PreconditionFailedError.
   */
  put(
    record: SubscriptionRecord,
    conditions?: PutConditions,
  ): Promise<VersionedSubscription & { created: boolean }>;
  /** False when there was nothing to delete; a failed `ifMatch` throws PreconditionFailedError. */
  delete(topic: string, name: string, conditions?: { ifMatch?: string }): Promise<boolean>;
}
