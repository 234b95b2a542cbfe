/**
 * What the admin API remembers of an entity beyond the live broker objects: the Config.json-shaped
 * Properties it was created or last updated with, description fields echoed back, and times.
 */
export interface EntityRecord {
  properties: Record<string, unknown>;
  echoed: Record<string, string>;
  createdAt: number;
  updatedAt: number;
}

/** Records by lower-case path (`orders`, `events/subscriptions/audit`, `.../rules/name`). */
export class EntityCatalog {
  private readonly records = new Map<string, EntityRecord>();

  constructor(private readonly startedAt: number) {}

  /** The record, or one dated at start-up for entities that came from Config.json. */
  get(path: string): EntityRecord {
    return (
      this.records.get(path.toLowerCase()) ?? {
        properties: {},
        echoed: {},
        createdAt: this.startedAt,
        updatedAt: this.startedAt,
      }
    );
  }

  has(path: string): boolean {
    return this.records.has(path.toLowerCase());
  }

  set(path: string, record: EntityRecord): void {
    this.records.set(path.toLowerCase(), record);
  }

  /** Forgets an entity and everything under it (a topic's subscriptions and rules). */
  forget(path: string): void {
    const key = path.toLowerCase();
    for (const candidate of this.records.keys()) {
      if (candidate === key || candidate.startsWith(`${key}/`)) this.records.delete(candidate);
    }
  }
}
