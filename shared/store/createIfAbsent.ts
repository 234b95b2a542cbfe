import type { Container, ItemDefinition } from '@azure/cosmos';
import { fromDocument } from './documents';
import { isCosmosStatus } from './errors';

/**
 * Creates a document unless one with its id exists in its partition; then returns the stored one.
 * This is what makes publish, route and deliver safe to re-run after a crash.
 */
export async function createIfAbsent<T extends { id: string }>(
  container: Container,
  record: T,
  partitionKey: string,
  triesLeft = 3,
): Promise<{ record: T; created: boolean }> {
  try {
    const { resource } = await container.items.create<T & ItemDefinition>(record);
    return { record: fromDocument(resource ?? record), created: true };
  } catch (error) {
    if (!isCosmosStatus(error, 409)) throw error;
    const { resource } = await container.item(record.id, partitionKey).read<T & ItemDefinition>();
    // Deleted between the conflict and the read: rare, and creating again is then correct.
    if (!resource) {
      if (triesLeft <= 1) throw error;
      return createIfAbsent(container, record, partitionKey, triesLeft - 1);
    }
    return { record: fromDocument(resource), created: false };
  }
}
