import type { Container, Database, ItemDefinition } from '@azure/cosmos';
import { CONTAINERS } from '../config/names';
import type { EventRecord } from '../domain/types';
import { BulkCreator, createIfAbsent } from './createIfAbsent';
import { fromDocument } from './documents';
import { isCosmosStatus } from './errors';

/** Events in container `events`, partition key /eventKey, id = eventKey. */
export class EventStore {
  private readonly container: Container;
  private readonly bulkCreator: BulkCreator;

  constructor(database: Database) {
    this.container = database.container(CONTAINERS.events.name);
    this.bulkCreator = new BulkCreator(this.container);
  }

  /** Records an event once; a second call with the same eventKey returns the first record. */
  async createIfAbsent(record: EventRecord): Promise<{ record: EventRecord; created: boolean }> {
    return createIfAbsent(
      this.container,
      { ...record, id: record.eventKey },
      record.eventKey,
      this.bulkCreator,
    );
  }

  async get(eventKey: string): Promise<EventRecord | undefined> {
    const { resource } = await this.container.item(eventKey, eventKey).read<EventRecord & ItemDefinition>();
    return resource ? fromDocument(resource) : undefined;
  }

  /**
   * Records which subscriptions the event matched. Setting (not appending) keeps a re-run of
   * route idempotent. Returns the updated record, or undefined if the event is unknown.
   */
  async markRouted(eventKey: string, matchedSubscriptions: string[]): Promise<EventRecord | undefined> {
    try {
      const { resource } = await this.container.item(eventKey, eventKey).patch<EventRecord & ItemDefinition>({
        operations: [
          { op: 'set', path: '/matchedSubscriptions', value: matchedSubscriptions },
          { op: 'set', path: '/routedAt', value: new Date().toISOString() },
        ],
      });
      return resource ? fromDocument(resource) : undefined;
    } catch (error) {
      if (isCosmosStatus(error, 404)) return undefined;
      throw error;
    }
  }
}
