/** A binary min-heap ordered by a numeric key; entries are validated lazily by their users (see compact). */
export class MinHeap<T> {
  private readonly items: T[] = [];

  constructor(private readonly keyOf: (item: T) => number) {}

  get size(): number {
    return this.items.length;
  }

  push(item: T): void {
    const items = this.items;
    items.push(item);
    let index = items.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (this.keyOf(items[parent]!) <= this.keyOf(item)) break;
      items[index] = items[parent]!;
      index = parent;
    }
    items[index] = item;
  }

  peek(): T | undefined {
    return this.items[0];
  }

  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    items[0] = last;
    this.siftDown(0);
    return top;
  }

  clear(): void {
    this.items.length = 0;
  }

  /**
   * Keeps only the entries `keep` accepts and restores heap order (Floyd's bottom-up build,
   * O(n)). Users validate entries lazily; this drops the stale ones in one pass so they cannot
   * pile up (e.g. expiry entries of messages completed long before they would expire).
   */
  compact(keep: (item: T) => boolean): void {
    const items = this.items;
    let kept = 0;
    for (const item of items) if (keep(item)) items[kept++] = item;
    items.length = kept;
    for (let index = (kept >> 1) - 1; index >= 0; index--) this.siftDown(index);
  }

  private siftDown(start: number): void {
    const items = this.items;
    const item = items[start]!;
    const key = this.keyOf(item);
    let index = start;
    for (;;) {
      const left = index * 2 + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const child =
        right < items.length && this.keyOf(items[right]!) < this.keyOf(items[left]!) ? right : left;
      if (this.keyOf(items[child]!) >= key) break;
      items[index] = items[child]!;
      index = child;
    }
    items[index] = item;
  }
}
