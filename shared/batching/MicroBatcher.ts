/**
 * Group commit: items added while a batch is on its way go out together in the next one.
 *
 * Concurrent invocations in one Functions worker (maxConcurrentCalls, parallel HTTP requests)
 * each write one document and send one message. Alone, each is a request with its own SDK
 * pipeline, TLS record and broker round trip; together they are one bulk request or one batch
 * transfer. At most `maxInFlight` batches run at once; the next flush happens when one of them
 * ends, so the busier the worker, the larger the batches. An idle batcher flushes on
 * setImmediate (right after the I/O callbacks of the current turn of the event loop): no timer,
 * so a lone item waits no longer than it would have anyway.
 *
 * Telemetry: a batch runs in the async context of the item that opened it, so its SDK span (one
 * bulk request, one Service Bus send) is a dependency of that invocation only; the other
 * invocations of the batch show their step without it.
 */
/**
 * A few batches at once, so that one slow request does not hold the next batch back. Interleaved
 * bench runs with 1 and 4 showed no difference beyond the noise on this machine.
 */
const DEFAULT_MAX_IN_FLIGHT = 4;

export class MicroBatcher<Item, Result> {
  private pending: Array<{
    item: Item;
    resolve: (result: Result) => void;
    reject: (error: unknown) => void;
  }> = [];
  private flushScheduled = false;
  private inFlight = 0;

  /**
   * @param run handles one batch and returns one result per item, in order. If it throws, every
   *   item of the batch is rejected with that error.
   * @param maxItems a batch never holds more; reaching it flushes at once (if a slot is free).
   * @param maxInFlight batches running at once; items added meanwhile wait for the next flush.
   */
  constructor(
    private readonly run: (items: Item[]) => Promise<Result[]>,
    private readonly maxItems: number,
    private readonly maxInFlight = DEFAULT_MAX_IN_FLIGHT,
  ) {
    if (!Number.isInteger(maxItems) || maxItems < 1) {
      throw new RangeError('maxItems must be a positive integer');
    }
    if (!Number.isInteger(maxInFlight) || maxInFlight < 1) {
      throw new RangeError('maxInFlight must be a positive integer');
    }
  }

  add(item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.pending.length >= this.maxItems) this.flush();
      else this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.inFlight >= this.maxInFlight) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    while (this.pending.length > 0 && this.inFlight < this.maxInFlight) {
      const batch = this.pending.splice(0, this.maxItems);
      this.inFlight += 1;
      // The batch's failure is each of its items' failure: their add() promises reject with it.
      this.runBatch(batch).catch((error: unknown) => {
        for (const { reject } of batch) reject(error);
      });
    }
  }

  private async runBatch(batch: MicroBatcher<Item, Result>['pending']): Promise<void> {
    try {
      const results = await this.run(batch.map(({ item }) => item));
      if (results.length !== batch.length) {
        throw new Error(`a batch of ${batch.length} items returned ${results.length} results`);
      }
      batch.forEach(({ resolve }, index) => resolve(results[index] as Result));
    } finally {
      this.inFlight -= 1;
      if (this.pending.length > 0) this.scheduleFlush();
    }
  }
}
