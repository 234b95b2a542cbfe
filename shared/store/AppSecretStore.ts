import { randomBytes } from 'node:crypto';
import type { Container, Database, ItemDefinition } from '@azure/cosmos';
import { CONTAINERS } from '../config/names';
import { createIfAbsent } from './createIfAbsent';
import { fromDocument } from './documents';

/**
 * The partition of container `subscriptions` that holds the app's own secrets. `$` cannot start a
 * topic name, so no list or routing query of a topic ever reads these documents.
 */
export const APP_SECRET_PARTITION = '$switchyard';

interface AppSecretDocument {
  id: string;
  topic: typeof APP_SECRET_PARTITION;
  purpose: string;
  /** 32 random bytes, base64. */
  value: string;
  createdAt: string;
}

/**
 * Random per-deployment secrets made on first use and kept in Cosmos DB, so every instance of
 * the app, now and after a restart, uses the same one. In Azure the app reaches Cosmos DB with
 * its managed identity: there is no key or connection string to derive a secret from, and no
 * Key Vault in the deployment; Cosmos DB already holds the subscriptions' signing secrets and is
 * encrypted at rest, so it is the store with the same protection and no new dependency.
 */
export class AppSecretStore {
  private readonly container: Container;

  constructor(database: Database) {
    this.container = database.container(CONTAINERS.subscriptions.name);
  }

  /** The secret for `purpose`: read, or created when absent (concurrent creators agree on the first). */
  async secret(purpose: string): Promise<Buffer> {
    const id = `secret-${purpose}`;
    const { resource } = await this.container
      .item(id, APP_SECRET_PARTITION)
      .read<AppSecretDocument & ItemDefinition>();
    if (resource) return Buffer.from(fromDocument(resource).value, 'base64');
    const { record } = await createIfAbsent<AppSecretDocument>(
      this.container,
      {
        id,
        topic: APP_SECRET_PARTITION,
        purpose,
        value: randomBytes(32).toString('base64'),
        createdAt: new Date().toISOString(),
      },
      APP_SECRET_PARTITION,
    );
    return Buffer.from(record.value, 'base64');
  }
}
