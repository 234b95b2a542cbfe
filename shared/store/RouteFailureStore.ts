import { createHash } from 'node:crypto';
import type { Container, Database, ItemDefinition } from '@azure/cosmos';
import { CONTAINERS } from '../config/names';
import type { RouteFailure } from '../domain/types';
import { fromDocument } from './documents';
import { MAX_ERROR_BYTES, truncateUtf8 } from './deliveryAttempts';

/**
 * A route failure lives as long as its message may wait in the ingress queue's dead-letter
 * sub-queue for reconcile (every minute) or a human: the queue's message time to live, 14 days.
 */
const ROUTE_FAILURE_TTL_SECONDS = 14 * 24 * 60 * 60;

type RouteFailureDocument = RouteFailure & ItemDefinition & { ttl: number };

/**
 * The last error route threw on each ingress message, in container `routefailures`, partition
 * key /id. The id is a hash of the message id: a message id is the sender's and may hold
 * characters Cosmos DB refuses in an id ('/', '\', '?', '#').
 */
export class RouteFailureStore {
  private readonly container: Container;

  constructor(database: Database) {
    this.container = database.container(CONTAINERS.routeFailures.name);
  }

  /** Keeps `failure` as the message's last one (an earlier one is replaced). */
  async record(failure: RouteFailure): Promise<void> {
    const id = documentId(failure.messageId);
    const document: RouteFailureDocument = {
      ...failure,
      error: truncateUtf8(failure.error, MAX_ERROR_BYTES),
      id,
      ttl: ROUTE_FAILURE_TTL_SECONDS,
    };
    await this.container.items.upsert(document);
  }

  async get(messageId: string): Promise<RouteFailure | undefined> {
    const id = documentId(messageId);
    const { resource } = await this.container.item(id, id).read<RouteFailureDocument>();
    if (!resource || resource.messageId !== messageId) return undefined;
    const { id: _id, ttl: _ttl, ...failure } = fromDocument(resource);
    return failure;
  }
}

function documentId(messageId: string): string {
  return createHash('sha256').update(messageId).digest('hex');
}
