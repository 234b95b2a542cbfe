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
    const start = event[root];
    if (start === undefined || start === null) return MISSING;
    const found = rest.reduce<unknown[]>((current, segment) => current.flatMap((node) => step(node, segment)), [start]);
    const values = found.flatMap(flattenArrays).filter((value) => value !== null && value !== undefined);
    const present = found.some((value) => value !== null && value !== undefined);
    return present ? { present, values } : MISSING;
  };
}

/** One path step; arrays on the way are walked element by element. */
function step(node: unknown, segment: string): unknown[] {
  if (Array.isArray(node)) return node.flatMap((element) => step(element, segment));
  if (node === null || typeof node !== 'object') return [];
  const record = node as Record<string, unknown>;
  if (Object.prototype.hasOwnProperty.call(record, segment)) return [record[segment]];
  const wanted = segment.toLowerCase();
  const match = Object.keys(record).find((name) => name.toLowerCase() === wanted);
  return match === undefined ? [] : [record[match]];
}

function flattenArrays(value: unknown): unknown[] {
  return Array.isArray(value) ? value.flatMap(flattenArrays) : [value];
}
