import type { Container, Database, ItemDefinition } from '@azure/cosmos';
import { CONTAINERS } from '../config/names';
import type { SubscriptionRecord } from '../domain/types';
import {
  type Page,
  type PageOptions,
  PreconditionFailedError,
  type PutConditions,
  type SubscriptionRepository,
  type VersionedSubscription,
} from '../domain/repositories';
import { fromDocument } from './documents';
import { isCosmosStatus } from './errors';
import { queryAll, queryPage } from './queryPage';

type SubscriptionDocument = SubscriptionRecord & ItemDefinition;

/** Subscriptions in container `subscriptions`, partition key /topic, id = name. */
export class SubscriptionStore implements SubscriptionRepository {
  private readonly container: Container;

  constructor(database: Database) {
    this.container = database.container(CONTAINERS.subscriptions.name);
  }

  async get(topic: string, name: string): Promise<VersionedSubscription | undefined> {
    const { resource, etag } = await this.container.item(name, topic).read<SubscriptionDocument>();
    return resource ? { record: fromDocument(resource), etag } : undefined;
  }

  /** One page of a topic's subscriptions, by name. */
  async list(topic: string, page: PageOptions = {}): Promise<Page<SubscriptionRecord>> {
    return queryPage<SubscriptionRecord>(
      this.container,
      {
        query: 'SELECT * FROM c WHERE c.topic = @topic ORDER BY c.id',
        parameters: [{ name: '@topic', value: topic }],
      },
      page,
      { partitionKey: topic },
    );
  }

  /** Every active subscription of a topic: what routing matches events against. */
  async listActive(topic: string): Promise<SubscriptionRecord[]> {
    return queryAll<SubscriptionRecord>(
      this.container,
      {
        query: "SELECT * FROM c WHERE c.topic = @topic AND c.status = 'active'",
        parameters: [{ name: '@topic', value: topic }],
      },
      { partitionKey: topic },
    );
  }

  /**
   * Creates or replaces a subscription. With `ifNoneMatch: '*'` it only creates, with `ifMatch`
   * it only replaces that version; either failing throws PreconditionFailedError.
   */
  async put(
    record: SubscriptionRecord,
    { ifMatch, ifNoneMatch }: PutConditions = {},
  ): Promise<VersionedSubscription & { created: boolean }> {
    const document: SubscriptionDocument = { ...record, id: record.name };
    try {
      if (ifNoneMatch === '*') {
        const { resource, etag } = await this.container.items.create<SubscriptionDocument>(document);
        return { record: fromDocument(resource ?? document), etag, created: true };
      }
      if (ifMatch !== undefined) {
        const { resource, etag } = await this.container
          .item(document.id, record.topic)
          .replace<SubscriptionDocument>(document, {
            accessCondition: { type: 'IfMatch', condition: ifMatch },
          });
        return { record: fromDocument(resource ?? document), etag, created: false };
      }
      const { resource, etag, statusCode } =
        await this.container.items.upsert<SubscriptionDocument>(document);
      return { record: fromDocument(resource ?? document), etag, created: statusCode === 201 };
    } catch (error) {
      if (isCosmosStatus(error, 409)) {
        throw new PreconditionFailedError(`subscription ${record.topic}/${record.name} already exists`);
      }
      if (isCosmosStatus(error, 412) || (ifMatch !== undefined && isCosmosStatus(error, 404))) {
        throw new PreconditionFailedError(
          `subscription ${record.topic}/${record.name} has changed or is gone`,
        );
      }
      throw error;
    }
  }

  /** False when there was nothing to delete. */
  async delete(topic: string, name: string, { ifMatch }: { ifMatch?: string } = {}): Promise<boolean> {
    try {
      await this.container
        .item(name, topic)
        .delete(ifMatch === undefined ? {} : { accessCondition: { type: 'IfMatch', condition: ifMatch } });
      return true;
    } catch (error) {
      if (isCosmosStatus(error, 404)) return false;
      if (isCosmosStatus(error, 412)) {
        throw new PreconditionFailedError(`subscription ${topic}/${name} has changed`);
      }
      throw error;
    }
  }

  /** Stops routing to a subscription (a 410 Gone webhook). False when it does not exist. */
  async disable(topic: string, name: string, reason: string): Promise<boolean> {
    try {
      await this.container.item(name, topic).patch({
        operations: [
          { op: 'set', path: '/status', value: 'disabled' },
          { op: 'set', path: '/disabledReason', value: reason },
          { op: 'set', path: '/updatedAt', value: new Date().toISOString() },
        ],
      });
      return true;
    } catch (error) {
      if (isCosmosStatus(error, 404)) return false;
      throw error;
    }
  }
}
