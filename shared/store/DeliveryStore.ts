import type { Container, Database, ItemDefinition } from '@azure/cosmos';
import { CONTAINERS } from '../config/names';
import { RECORD_TTL_SECONDS } from '../config/names';
import type {
  DeliveryAttempt,
  DeliveryMessage,
  DeliveryRecord,
  DeliveryStatus,
  InvocationFailure,
} from '../domain/types';
import { BulkCreator, createIfAbsent } from './createIfAbsent';
import {
  MAX_ERROR_BYTES,
  planAttempt,
  planRedrive,
  truncateUtf8,
  type AttemptPlan,
  type AttemptUpdate,
} from './deliveryAttempts';
import { DeliveryNotFoundError, type Page, type PageOptions } from '../domain/repositories';
import { fromDocument } from './documents';
import { isCosmosStatus } from './errors';
import { queryAll, queryPage } from './queryPage';

/**
 * Concurrent writers on one delivery are rare (a redelivery racing the next attempt). Retries
 * back off exponentially with full jitter so even a pile-up of writers gets through.
 */
const MAX_ETAG_RETRIES = 20;
const RETRY_BASE_MS = 5;
const RETRY_CAP_MS = 250;

/**
 * SDK 4.9 resumes cross-partition queries (ORDER BY included) from a continuation token only with
 * query control on. No forced query plan: the local Cosmos server has no query plan endpoint,
 * and in Azure the SDK fetches one on its own (shared/store/README.md).
 */
const CROSS_PARTITION_PAGING = { enableQueryControl: true } as const;

type DeliveryDocument = DeliveryRecord & ItemDefinition;

/** Deliveries in container `deliveries`, partition key /eventKey, id = deliveryId. */
export class DeliveryStore {
  private readonly container: Container;
  private readonly bulkCreator: BulkCreator;

  constructor(database: Database) {
    this.container = database.container(CONTAINERS.deliveries.name);
    this.bulkCreator = new BulkCreator(this.container);
  }

  /** Records a delivery once; a second call with the same deliveryId returns the first record. */
  async createIfAbsent(record: DeliveryRecord): Promise<{ record: DeliveryRecord; created: boolean }> {
    return createIfAbsent(
      this.container,
      { ...record, id: record.deliveryId },
      record.eventKey,
      this.bulkCreator,
    );
  }

  async get(eventKey: string, deliveryId: string): Promise<DeliveryRecord | undefined> {
    const { resource } = await this.container.item(deliveryId, eventKey).read<DeliveryDocument>();
    return resource ? fromDocument(resource) : undefined;
  }

  async listForEvent(eventKey: string): Promise<DeliveryRecord[]> {
    return queryAll<DeliveryRecord>(
      this.container,
      {
        query: 'SELECT * FROM c WHERE c.eventKey = @eventKey ORDER BY c.createdAt',
        parameters: [{ name: '@eventKey', value: eventKey }],
      },
      { partitionKey: eventKey },
    );
  }

  /**
   * Records attempt `attempt.n` with one Cosmos write (a patch guarded by the ETag just read).
   * Idempotent: an attempt already recorded is not recorded again. On a concurrent change the
   * read-plan-write is retried.
   */
  async recordAttempt(
    eventKey: string,
    deliveryId: string,
    attempt: DeliveryAttempt,
    update: AttemptUpdate,
  ): Promise<DeliveryRecord> {
    return this.updateWithEtag(eventKey, deliveryId, (current, now) =>
      planAttempt(current, attempt, update, now),
    );
  }

  /** Reopens a dead-lettered delivery before its redrive message is sent; no-op otherwise. */
  async markRedriven(eventKey: string, deliveryId: string): Promise<DeliveryRecord> {
    return this.updateWithEtag(eventKey, deliveryId, planRedrive);
  }

  /**
   * Keeps the error of a failed deliver invocation on the record (lastInvocationError). The first
   * attempt may fail before any record exists: then a `pending` record without attempts is made.
   */
  async recordInvocationFailure(message: DeliveryMessage, failure: InvocationFailure): Promise<void> {
    const stored: InvocationFailure = { ...failure, error: truncateUtf8(failure.error, MAX_ERROR_BYTES) };
    const now = new Date().toISOString();
    const { created } = await this.createIfAbsent({
      id: message.deliveryId,
      deliveryId: message.deliveryId,
      eventKey: message.eventKey,
      topic: message.topic,
      subscription: message.subscription,
      status: 'pending',
      attempts: [],
      createdAt: now,
      updatedAt: now,
      lastInvocationError: stored,
      ttl: RECORD_TTL_SECONDS,
    });
    if (created) return;
    await this.container
      .item(message.deliveryId, message.eventKey)
      .patch({ operations: [{ op: 'set', path: '/lastInvocationError', value: stored }] });
  }

  /**
   * Deliveries still `retrying` although their next attempt was due before `dueBefore`: their
   * retry message was lost or is stuck. A cross-partition query, run by the reconcile timer.
   */
  async listOverdueRetries(dueBefore: Date, maxItems: number): Promise<DeliveryRecord[]> {
    const page = await queryPage<DeliveryRecord>(
      this.container,
      {
        query:
          "SELECT * FROM c WHERE c.status = 'retrying' AND c.nextAttemptAt < @dueBefore ORDER BY c.nextAttemptAt",
        parameters: [{ name: '@dueBefore', value: dueBefore.toISOString() }],
      },
      { maxItems },
      CROSS_PARTITION_PAGING,
    );
    return page.items;
  }

  /**
   * Moves the next attempt of a `retrying` delivery to `nextAttemptAt` after its attempt was
   * enqueued again; no-op once the delivery moved on.
   */
  async markRetryReenqueued(
    eventKey: string,
    deliveryId: string,
    nextAttemptAt: string,
  ): Promise<DeliveryRecord> {
    return this.updateWithEtag(eventKey, deliveryId, (current, now) =>
      current.status !== 'retrying'
        ? { kind: 'nothingToWrite' }
        : {
            kind: 'write',
            operations: [
              { op: 'set', path: '/nextAttemptAt', value: nextAttemptAt },
              { op: 'set', path: '/updatedAt', value: now },
            ],
            next: { ...current, nextAttemptAt, updatedAt: now },
          },
    );
  }

  /**
   * A subscription's deliveries, newest first, optionally with one status. A cross-partition
   * query (deliveries are partitioned by event): fine for an operator's look, not a hot path.
   */
  async listForSubscription(
    topic: string,
    subscription: string,
    { status, ...page }: PageOptions & { status?: DeliveryStatus } = {},
  ): Promise<Page<DeliveryRecord>> {
    const parameters = [
      { name: '@topic', value: topic },
      { name: '@subscription', value: subscription },
      ...(status ? [{ name: '@status', value: status }] : []),
    ];
    const statusClause = status ? ' AND c.status = @status' : '';
    return queryPage<DeliveryRecord>(
      this.container,
      {
        query: `SELECT * FROM c WHERE c.topic = @topic AND c.subscription = @subscription${statusClause} ORDER BY c.createdAt DESC`,
        parameters,
      },
      page,
      CROSS_PARTITION_PAGING,
    );
  }

  /** Dead-lettered deliveries of a subscription, oldest dead letter first (the order to redrive in). */
  async listDeadLettered(
    topic: string,
    subscription: string,
    page: PageOptions = {},
  ): Promise<Page<DeliveryRecord>> {
    return queryPage<DeliveryRecord>(
      this.container,
      {
        query:
          "SELECT * FROM c WHERE c.topic = @topic AND c.subscription = @subscription AND c.status = 'deadLettered' ORDER BY c.updatedAt",
        parameters: [
          { name: '@topic', value: topic },
          { name: '@subscription', value: subscription },
        ],
      },
      page,
      CROSS_PARTITION_PAGING,
    );
  }

  private async updateWithEtag(
    eventKey: string,
    deliveryId: string,
    plan: (current: DeliveryRecord, now: string) => AttemptPlan,
  ): Promise<DeliveryRecord> {
    const item = this.container.item(deliveryId, eventKey);
    for (let tries = 1; ; tries += 1) {
      const { resource, etag } = await item.read<DeliveryDocument>();
      if (!resource) throw new DeliveryNotFoundError(eventKey, deliveryId);
      const current = fromDocument(resource);
      const planned = plan(current, new Date().toISOString());
      if (planned.kind === 'nothingToWrite') return current;
      try {
        const { resource: written } = await item.patch<DeliveryDocument>(
          { operations: planned.operations },
          { accessCondition: { type: 'IfMatch', condition: etag } },
        );
        return written ? fromDocument(written) : planned.next;
      } catch (error) {
        if (!isCosmosStatus(error, 412) || tries >= MAX_ETAG_RETRIES) throw error;
        // Someone else wrote in between: back off a little (with jitter so racers spread out).
        const ceiling = Math.min(RETRY_CAP_MS, RETRY_BASE_MS * 2 ** tries);
        await new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
      }
    }
  }
}
