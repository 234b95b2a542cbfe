/**
 * Group commit: items added during one turn of the event loop go out together in one call.
 *
 * Concurrent invocations in one Functions worker (maxConcurrentCalls, parallel HTTP requests)
 * each write one document and send one message. Alone, each is a request with its own SDK
 * pipeline, TLS record and broker round trip; together they are one bulk request or one batch
 * transfer. The flush runs on setImmediate, i.e. right after the I/O callbacks of the current
 * turn: no timer, so a lone item waits no longer than it would have anyway.
 */
export class MicroBatcher<Item, Result> {
  private pending: Array<{
    item: Item;
    resolve: (result: Result) => void;
    reject: (error: unknown) => void;
  }> = [];
  private flushScheduled = false;

  /**
   * @param run handles one batch and returns one result per item, in order. If it throws, every
   *   item of the batch is rejected with that error.
   * @param maxItems a batch never holds more; reaching it flushes at once.
   */
  constructor(
    private readonly run: (items: Item[]) => Promise<Result[]>,
    private readonly maxItems: number,
  ) {
    if (!Number.isInteger(maxItems) || maxItems < 1)
      throw new RangeError('maxItems must be a positive integer');
  }

  add(item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.pending.length >= this.maxItems) this.flush();
      else if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => {
          this.flushScheduled = false;
          this.flush();
        });
      }
    });
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    const batch = this.pending.splice(0, this.maxItems);
    void this.runBatch(batch);
  }

  private async runBatch(batch: MicroBatcher<Item, Result>['pending']): Promise<void> {
    try {
      const results = await this.run(batch.map(({ item }) => item));
      if (results.length !== batch.length)
        throw new Error(`a batch of ${batch.length} items returned ${results.length} results`);
      batch.forEach(({ resolve }, index) => resolve(results[index] as Result));
    } catch (error) {
      for (const { reject } of batch) reject(error);
    }
  }
}
