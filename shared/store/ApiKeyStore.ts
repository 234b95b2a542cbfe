import type { Container, Database, ItemDefinition } from '@azure/cosmos';
import type { ApiKeyRecord } from '../auth/caller';
import { CONTAINERS } from '../config/names';
import { fromDocument } from './documents';
import { isCosmosStatus } from './errors';
import { queryAll } from './queryPage';

type ApiKeyDocument = ApiKeyRecord & ItemDefinition;

/** API keys in container `apikeys`, partition key /name, id = name. Holds hashes, never keys. */
export class ApiKeyStore {
  private readonly container: Container;

  constructor(database: Database) {
    this.container = database.container(CONTAINERS.apiKeys.name);
  }

  async get(name: string): Promise<ApiKeyRecord | undefined> {
    const { resource } = await this.container.item(name, name).read<ApiKeyDocument>();
    return resource ? withoutId(resource) : undefined;
  }

  /** Creates the key or replaces it (a new secret: the old key stops working). */
  async put(record: ApiKeyRecord): Promise<void> {
    await this.container.items.upsert<ApiKeyDocument>({ ...record, id: record.name });
  }

  /** Every key, by name. Keys are few (one per calling team or partner). */
  async list(): Promise<ApiKeyRecord[]> {
    const documents = await queryAll<ApiKeyDocument>(this.container, {
      query: 'SELECT * FROM c ORDER BY c.id',
    });
    return documents.map(withoutId);
  }

  /** Deletes the key; false when there was none. */
  async delete(name: string): Promise<boolean> {
    try {
      await this.container.item(name, name).delete();
      return true;
    } catch (error) {
      if (isCosmosStatus(error, 404)) return false;
      throw error;
    }
  }

  /** Records a use; a key deleted meanwhile stays deleted (the patch of a missing item fails). */
  async touch(name: string, at: Date): Promise<void> {
    try {
      await this.container
        .item(name, name)
        .patch([{ op: 'set', path: '/lastUsedAt', value: at.toISOString() }]);
    } catch (error) {
      if (isCosmosStatus(error, 404)) return;
      throw error;
    }
  }
}

function withoutId(document: ApiKeyDocument): ApiKeyRecord {
  const { id: _id, ...record } = fromDocument(document);
  return record;
}
