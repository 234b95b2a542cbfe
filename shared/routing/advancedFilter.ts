import type { AdvancedFilter, AdvancedFilterOperator, CloudEventJson } from '../domain/types';
import { compileKeyReader, type KeyLookup } from './filterKeyReader';

export type EventPredicate = (event: CloudEventJson) => boolean;

/**
 * Event Grid: when the key is missing (or null), these operators match and every other one does
 * not. NumberNotInRange is not in Event Grid's list; it behaves like NumberNotIn here.
 */
const MATCH_WHEN_MISSING: ReadonlySet<AdvancedFilterOperator> = new Set([
  'NumberNotIn',
  'StringNotIn',
  'NumberNotInRange',
  'IsNullOrUndefined',
]);

/**
 * Compiles one advanced filter. Semantics follow Event Grid's event-filtering doc, with
 * filtering on arrays always on: positive operators match when any element matches any filter
 * value; Not-operators match when no element matches any filter value. Elements of another type
 * are ignored (NumberX on a string never matches), except that string operators compare numbers
 * and booleans by their text, as Event Grid does for extension attributes. Strings compare
 * case-insensitively.
 */
export function compileAdvancedFilter(filter: AdvancedFilter): EventPredicate {
  const read = compileKeyReader(filter.key);
  const test = compileValueTest(filter);
  const whenMissing = MATCH_WHEN_MISSING.has(filter.operatorType);
  return (event) => {
    const lookup = read(event);
    if (!lookup.present) return whenMissing;
    return test(lookup);
  };
}

type LookupTest = (lookup: KeyLookup) => boolean;

function compileValueTest(filter: AdvancedFilter): LookupTest {
  const single = filter.value;
  const list = filter.values ?? [];
  switch (filter.operatorType) {
    case 'IsNullOrUndefined':
      return () => false;
    case 'IsNotNull':
      return () => true;
    case 'NumberIn':
      return anyNumber(inSet(list));
    case 'NumberNotIn':
      return not(anyNumber(inSet(list)));
    case 'NumberLessThan':
      return anyNumber((n) => n < Number(single));
    case 'NumberGreaterThan':
      return anyNumber((n) => n > Number(single));
    case 'NumberLessThanOrEquals':
      return anyNumber((n) => n <= Number(single));
    case 'NumberGreaterThanOrEquals':
      return anyNumber((n) => n >= Number(single));
    case 'NumberInRange':
      return anyNumber(inRanges(list));
    case 'NumberNotInRange':
      return not(anyNumber(inRanges(list)));
    case 'BoolEquals':
      return ({ values }) => values.some((value) => typeof value === 'boolean' && value === single);
    case 'StringContains':
      return anyString(list, (text, wanted) => text.includes(wanted));
    case 'StringNotContains':
      return not(anyString(list, (text, wanted) => text.includes(wanted)));
    case 'StringBeginsWith':
      return anyString(list, (text, wanted) => text.startsWith(wanted));
    case 'StringNotBeginsWith':
      return not(anyString(list, (text, wanted) => text.startsWith(wanted)));
    case 'StringEndsWith':
      return anyString(list, (text, wanted) => text.endsWith(wanted));
    case 'StringNotEndsWith':
      return not(anyString(list, (text, wanted) => text.endsWith(wanted)));
    case 'StringIn':
      return anyString(list, (text, wanted) => text === wanted);
    case 'StringNotIn':
      return not(anyString(list, (text, wanted) => text === wanted));
    default: {
      // A stored filter with an operator this version does not know matches nothing, rather
      // than everything: delivering less is recoverable, delivering to the wrong place is not.
      const unknown: never = filter.operatorType;
      void unknown;
      return () => false;
    }
  }
}

function not(test: LookupTest): LookupTest {
  return (lookup) => !test(lookup);
}

function anyNumber(test: (n: number) => boolean): LookupTest {
  return ({ values }) => values.some((value) => typeof value === 'number' && test(value));
}

function inSet(list: ReadonlyArray<unknown>): (n: number) => boolean {
  const wanted = new Set(list.filter((value): value is number => typeof value === 'number'));
  return (n) => wanted.has(n);
}

function inRanges(list: ReadonlyArray<unknown>): (n: number) => boolean {
  const ranges = list.filter(
    (range): range is [number, number] =>
      Array.isArray(range) && typeof range[0] === 'number' && typeof range[1] === 'number',
  );
  return (n) => ranges.some(([low, high]) => n >= low && n <= high);
}

/** Compares the text of each element with each filter value, both lower-cased once. */
function anyString(
  list: ReadonlyArray<unknown>,
  test: (text: string, wanted: string) => boolean,
): LookupTest {
  const wanted = list
    .filter((value) => typeof value === 'string' || typeof value === 'number')
    .map((value) => String(value).toLowerCase());
  return ({ values }) =>
    values.some((value) => {
      const text = asText(value);
      return text !== undefined && wanted.some((filterValue) => test(text, filterValue));
    });
}

function asText(value: unknown): string | undefined {
  if (typeof value === 'string') return value.toLowerCase();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value).toLowerCase();
  return undefined;
}
