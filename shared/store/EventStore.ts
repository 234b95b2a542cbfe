import type { Container, Database, ItemDefinition } from '@azure/cosmos';
import { CONTAINERS } from '../config/names';
import type { EventRecord } from '../domain/types';
import { BulkCreator, createIfAbsent } from './createIfAbsent';
import { fromDocument } from './documents';

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
}
