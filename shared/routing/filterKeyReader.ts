import type { CloudEventJson } from '../domain/types';

/**
 * What an advanced-filter key finds in an event. `present` is false when the key is missing or
 * null (Event Grid's "null or undefined"); `values` are the scalar leaves found, with arrays
 * flattened, because Event Grid matches a filter against each element of an array.
 */
export interface KeyLookup {
  present: boolean;
  values: unknown[];
}

export type KeyReader = (event: CloudEventJson) => KeyLookup;

/** Event Grid's older CloudEvents key names, accepted so filters written for it keep working. */
const ATTRIBUTE_ALIASES: Readonly<Record<string, string>> = {
  eventid: 'id',
  eventtype: 'type',
};

const MISSING: KeyLookup = { present: false, values: [] };

/**
 * Compiles a key such as `subject`, `myextension`, `data.order.total` or `Data.Items.Sku` into a
 * reader. Attribute names are case-insensitive (CloudEvents attributes are lower-case anyway);
 * data property names match exactly first, then case-insensitively, as Event Grid's keys do.
 */
export function compileKeyReader(key: string): KeyReader {
  const [head = '', ...rest] = key.split('.');
  const attribute = head.toLowerCase();
  const root = ATTRIBUTE_ALIASES[attribute] ?? attribute;
  return (event) => {
    // Fast path without allocations while the path runs through plain objects.
    let node: unknown = event[root];
    let depth = 0;
    for (; depth < rest.length && !Array.isArray(node); depth++) {
      if (node === null || typeof node !== 'object') return MISSING;
      node = property(node as Record<string, unknown>, rest[depth] ?? '');
    }
    if (depth < rest.length) return collect(rest.slice(depth).reduce<unknown[]>(walk, [node]));
    if (node === null || node === undefined) return MISSING;
    return Array.isArray(node) ? collect([node]) : { present: true, values: [node] };
  };
}

function walk(nodes: unknown[], segment: string): unknown[] {
  return nodes.flatMap((node) => step(node, segment));
}

function collect(found: unknown[]): KeyLookup {
  const present = found.some((value) => value !== null && value !== undefined);
  if (!present) return MISSING;
  return {
    present,
    values: found.flatMap(flattenArrays).filter((value) => value !== null && value !== undefined),
  };
}

/** One path step; arrays on the way are walked element by element. */
function step(node: unknown, segment: string): unknown[] {
  if (Array.isArray(node)) return node.flatMap((element) => step(element, segment));
  if (node === null || typeof node !== 'object') return [];
  const value = property(node as Record<string, unknown>, segment);
  return value === undefined ? [] : [value];
}

/** The property named exactly `segment`, else one whose name differs only in case. */
function property(record: Record<string, unknown>, segment: string): unknown {
  if (Object.prototype.hasOwnProperty.call(record, segment)) return record[segment];
  const wanted = segment.toLowerCase();
  const match = Object.keys(record).find((name) => name.toLowerCase() === wanted);
  return match === undefined ? undefined : record[match];
}

function flattenArrays(value: unknown): unknown[] {
  return Array.isArray(value) ? value.flatMap(flattenArrays) : [value];
}
