/** Nested counts (objects whose leaves are numbers), as the counters report them. */
export interface NestedCounts {
  [key: string]: number | NestedCounts;
}

/** after - before, leaf by leaf; leaves that did not change are left out. Pure. */
export function subtractCounts(after: NestedCounts, before: NestedCounts): NestedCounts {
  const result: NestedCounts = {};
  for (const [key, value] of Object.entries(after)) {
    const earlier = before[key];
    if (typeof value === 'number') {
      const delta = value - (typeof earlier === 'number' ? earlier : 0);
      if (delta !== 0) result[key] = delta;
    } else {
      const nested = subtractCounts(value, typeof earlier === 'object' ? earlier : {});
      if (Object.keys(nested).length > 0) result[key] = nested;
    }
  }
  return result;
}

/** The sum of every leaf. Pure. */
export function totalOf(counts: NestedCounts): number {
  return Object.values(counts).reduce<number>(
    (sum, value) => sum + (typeof value === 'number' ? value : totalOf(value)),
    0,
  );
}
