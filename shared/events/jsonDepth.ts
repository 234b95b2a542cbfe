/**
 * The nesting limit of an event's JSON. JSON.parse reads any depth, but everything after it that
 * recurses (JSON.stringify for the size limit, the Cosmos and Service Bus serializers) overflows
 * the stack somewhere past a few thousand levels. Checked right after parsing, without recursion,
 * before anything else touches the value.
 *
 * 64 levels, counting the event object itself (so `data` may nest 63 deep): the default MaxDepth
 * of System.Text.Json, which ASP.NET Core and Azure's .NET services (Event Grid among them)
 * parse with, so an event Azure accepts elsewhere is accepted here. Event payloads are records
 * of a few levels; 64 leaves ample room and keeps every later step far from the stack limit.
 */
export const MAX_EVENT_DEPTH = 64;

/**
 * Levels of arrays and objects on the deepest path of `value` (0 for a scalar), or
 * `maxDepth + 1` as soon as it is clear the value is deeper than `maxDepth`. Iterative.
 */
export function jsonDepth(value: unknown, maxDepth: number): number {
  const pending: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  let deepest = 0;
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (typeof next.value !== 'object' || next.value === null) continue;
    const depth = next.depth + 1;
    if (depth > maxDepth) return maxDepth + 1;
    if (depth > deepest) deepest = depth;
    const children = Array.isArray(next.value) ? next.value : Object.values(next.value);
    for (const child of children) {
      if (typeof child === 'object' && child !== null) pending.push({ value: child, depth });
    }
  }
  return deepest;
}

/** The first member of an event object whose value makes the event deeper than the limit. */
export function memberTooDeep(
  event: Record<string, unknown>,
  maxDepth: number = MAX_EVENT_DEPTH,
): string | undefined {
  for (const [name, value] of Object.entries(event)) {
    if (jsonDepth(value, maxDepth - 1) > maxDepth - 1) return name;
  }
  return undefined;
}

export function tooDeepMessage(maxDepth: number = MAX_EVENT_DEPTH): string {
  return `nests arrays and objects deeper than the limit of ${maxDepth} levels (the event object counts as one)`;
}
