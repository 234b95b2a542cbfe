/**
 * What clients asked of the emulator, per entity path, as Service Bus would see the calls: every
 * message sent (and the AMQP transfers that carried them), every message handed to a receiver,
 * every settlement, scheduled message and `$management` request. Counts only; for cost estimates
 * (bench/cost.ts reads them from `GET /operations` on the HTTP port).
 */
export type OperationTally = Record<string, Record<string, number>>;

export class OperationCounts {
  private readonly byEntity = new Map<string, Map<string, number>>();

  add(entity: string, operation: string, count = 1): void {
    if (count <= 0) return;
    let operations = this.byEntity.get(entity);
    if (!operations) {
      operations = new Map();
      this.byEntity.set(entity, operations);
    }
    operations.set(operation, (operations.get(operation) ?? 0) + count);
  }

  /** A copy: entity path -> operation -> count. */
  snapshot(): OperationTally {
    const tally: OperationTally = {};
    for (const [entity, operations] of this.byEntity) tally[entity] = Object.fromEntries(operations);
    return tally;
  }
}
