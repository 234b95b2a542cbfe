import type { Container, Database, ItemDefinition } from '@azure/cosmos';
import { CONTAINERS } from '../config/names';
import { PreconditionFailedError } from '../domain/repositories';
import type {
  ProtectionState,
  ProtectionStateStore,
  VersionedProtectionState,
} from '../protection/protectionState';
import { fromDocument } from './documents';
import { isCosmosStatus } from './errors';

/**
 * The partitions of container `subscriptions` that hold the protections' shared state, one per
 * topic. `$` cannot start a topic name, so no list or routing query of a topic reads them.
 */
export function protectionPartition(topic: string): string {
  return `$protection.${topic}`;
}

type ProtectionDocument = ProtectionState & { id: string; topic: string } & ItemDefinition;

/**
 * One document per subscription (id = its name), replaced with If-Match on the ETag just read:
 * optimistic concurrency, since the local Cosmos DB server has no transactional batch. Each
 * call is one point read or one write (about 1 and 10 RU).
 */
export class ProtectionStore implements ProtectionStateStore {
  private readonly container: Container;

  constructor(database: Database) {
    this.container = database.container(CONTAINERS.subscriptions.name);
  }

  async read(topic: string, name: string): Promise<VersionedProtectionState | undefined> {
    const { resource, etag } = await this.container
      .item(name, protectionPartition(topic))
      .read<ProtectionDocument>();
    if (!resource) return undefined;
    const { id: _id, topic: _partition, ...state } = fromDocument(resource);
    return { state, etag };
  }

  async write(
    topic: string,
    name: string,
    state: ProtectionState,
    etag: string | undefined,
  ): Promise<string> {
    const document: ProtectionDocument = { ...state, id: name, topic: protectionPartition(topic) };
    try {
      const response =
        etag === undefined
          ? await this.container.items.create<ProtectionDocument>(document)
          : await this.container.item(name, document.topic).replace<ProtectionDocument>(document, {
              accessCondition: { type: 'IfMatch', condition: etag },
            });
      return response.etag;
    } catch (error) {
      if (isCosmosStatus(error, 412) || isCosmosStatus(error, 409) || isCosmosStatus(error, 404)) {
        throw new PreconditionFailedError(`the protection state of ${topic}/${name} changed meanwhile`);
      }
      throw error;
    }
  }
}
