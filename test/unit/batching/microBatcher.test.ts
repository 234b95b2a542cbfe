import { MicroBatcher } from '../../../shared/batching/MicroBatcher';

/** A batcher whose run records each batch it was given and answers item * 10. */
function recordingBatcher(maxItems = 100) {
  const batches: number[][] = [];
  const batcher = new MicroBatcher<number, number>(async (items) => {
    batches.push(items);
    return items.map((item) => item * 10);
  }, maxItems);
  return { batcher, batches };
}

describe('MicroBatcher', () => {
  it('runs the items added in one turn of the event loop as one batch, each caller getting its result', async () => {
    const { batcher, batches } = recordingBatcher();
    const results = await Promise.all([1, 2, 3].map((item) => batcher.add(item)));

    expect(results).toEqual([10, 20, 30]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('starts a new batch for items added after the flush', async () => {
    const { batcher, batches } = recordingBatcher();
    await batcher.add(1);
    await Promise.all([batcher.add(2), batcher.add(3)]);

    expect(batches).toEqual([[1], [2, 3]]);
  });

  it('never puts more than maxItems in one batch', async () => {
    const { batcher, batches } = recordingBatcher(2);
    const results = await Promise.all([1, 2, 3, 4, 5].map((item) => batcher.add(item)));

    expect(results).toEqual([10, 20, 30, 40, 50]);
    expect(batches).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('with maxInFlight batches running, gathers what arrives meanwhile into the next batch', async () => {
    const batches: string[][] = [];
    const releases: Array<() => void> = [];
    const batcher = new MicroBatcher<string, string>(
      async (items) => {
        batches.push(items);
        await new Promise<void>((resolve) => releases.push(resolve));
        return items;
      },
      10,
      1,
    );
    const first = batcher.add('a');
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([['a']]);

    const later = [batcher.add('b'), batcher.add('c')];
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([['a']]); // the first batch still runs: b and c wait

    releases.shift()?.();
    await expect(first).resolves.toBe('a');
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([['a'], ['b', 'c']]);
    releases.shift()?.();
    await expect(Promise.all(later)).resolves.toEqual(['b', 'c']);
  });

  it('rejects every item of a batch whose run throws, and only that batch', async () => {
    let calls = 0;
    const batcher = new MicroBatcher<string, string>(async (items) => {
      calls += 1;
      if (calls === 1) throw new Error('broker unavailable');
      return items;
    }, 10);

    const first = [batcher.add('a'), batcher.add('b')];
    await expect(first[0]).rejects.toThrow('broker unavailable');
    await expect(first[1]).rejects.toThrow('broker unavailable');
    await expect(batcher.add('c')).resolves.toBe('c');
  });

  it('rejects a batch whose run answers with the wrong number of results', async () => {
    const batcher = new MicroBatcher<number, number>(async () => [1], 10);
    await expect(Promise.all([batcher.add(1), batcher.add(2)])).rejects.toThrow(
      'a batch of 2 items returned 1 results',
    );
  });

  it('refuses a maxItems that is not a positive integer', () => {
    expect(() => new MicroBatcher(async (items) => items, 0)).toThrow(RangeError);
    expect(() => new MicroBatcher(async (items) => items, 1.5)).toThrow(RangeError);
    expect(() => new MicroBatcher(async (items) => items, 10, 0)).toThrow(RangeError);
  });
});
