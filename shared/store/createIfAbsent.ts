import type { Container, ItemDefinition, JSONObject } from '@azure/cosmos';
import { MicroBatcher } from '../batching/MicroBatcher';
import { fromDocument } from './documents';
import { isCosmosStatus } from './errors';
import { asError } from '../errors/errorMessage';

/** Cosmos DB takes at most 100 operations per partition key range in one bulk request. */
const MAX_BULK_OPERATIONS = 100;

type BatchedCreate = { kind: 'created'; document: unknown } | { kind: 'exists' } | { kind: 'notBatched' };

/**
 * Creates documents of one container that concurrent callers write in the same turn of the event
 * loop with one bulk request (events of parallel publishes, delivery records of parallel
 * deliveries). Measured against the local Cosmos DB server: 0.15-0.2 ms of CPU per document in
 * bulk requests of 20 against 0.6-0.9 ms as single creates (bench/pipeline/NOTES.md).
 *
 * Only the plain outcomes are taken from the bulk response: created (201) and exists (409).
 * Anything else (429, a failed request, a lone document) takes the single-request path, which has
 * the SDK's retry policies and raises the error callers know (e.g. an outage becomes 503).
 * `bulk()` rather than `executeBulkOperations()`: the latter waits in steps of one second for
 * batches to fill, which would put a second into every publish.
 */
export class BulkCreator {
  private readonly batcher: MicroBatcher<{ document: JSONObject; partitionKey: string }, BatchedCreate>;

  constructor(container: Container) {
    this.batcher = new MicroBatcher(async (items) => {
      if (items.length === 1) return [{ kind: 'notBatched' }];
      try {
        const responses = await container.items.bulk(
          items.map(({ document, partitionKey }) => ({
            operationType: 'Create' as const,
            partitionKey,
            resourceBody: document,
          })),
          { continueOnError: true },
        );
        return responses.map((response): BatchedCreate => {
          if (response.statusCode === 201) return { kind: 'created', document: response.resourceBody };
          if (response.statusCode === 409) return { kind: 'exists' };
          return { kind: 'notBatched' };
        });
      } catch {
        // Each document is tried again on its own; that request reports the failure to its caller.
        return items.map((): BatchedCreate => ({ kind: 'notBatched' }));
      }
    }, MAX_BULK_OPERATIONS);
  }

  create(document: JSONObject, partitionKey: string): Promise<BatchedCreate> {
    return this.batcher.add({ document, partitionKey });
  }
}

/**
 * Creates a document unless one with its id exists in its partition; then returns the stored one.
 * This is what makes publish, route and deliver safe to re-run after a crash. With a
 * `bulkCreator`, the create may travel in a bulk request with other callers' documents.
 */
export async function createIfAbsent<T extends { id: string }>(
  container: Container,
  record: T,
  partitionKey: string,
  bulkCreator?: BulkCreator,
): Promise<{ record: T; created: boolean }> {
  if (bulkCreator) {
    const outcome = await bulkCreator.create(record, partitionKey);
    if (outcome.kind === 'created') {
      return { record: fromDocument((outcome.document as T | undefined) ?? record), created: true };
    }
    if (outcome.kind === 'exists') return readExisting(container, record, partitionKey, 3);
  }
  return createOne(container, record, partitionKey, 3);
}

async function createOne<T extends { id: string }>(
  container: Container,
  record: T,
  partitionKey: string,
  triesLeft: number,
): Promise<{ record: T; created: boolean }> {
  try {
    const { resource } = await container.items.create<T & ItemDefinition>(record);
    return { record: fromDocument(resource ?? record), created: true };
  } catch (error) {
    if (!isCosmosStatus(error, 409)) throw error;
    return readExisting(container, record, partitionKey, triesLeft, error);
  }
}

async function readExisting<T extends { id: string }>(
  container: Container,
  record: T,
  partitionKey: string,
  triesLeft: number,
  conflict?: unknown,
): Promise<{ record: T; created: boolean }> {
  const { resource } = await container.item(record.id, partitionKey).read<T & ItemDefinition>();
  // Deleted between the conflict and the read: rare, and creating again is then correct.
  if (!resource) {
    if (triesLeft <= 1) {
      throw conflict !== undefined
        ? asError(conflict)
        : new Error(`document ${record.id} conflicted but cannot be read`);
    }
    return createOne(container, record, partitionKey, triesLeft - 1);
  }
  return { record: fromDocument(resource), created: false };
}
