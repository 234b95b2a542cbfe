import type { SubscriptionFilter } from '../domain/types';
import { compileAdvancedFilter, type EventPredicate } from './advancedFilter';

/**
 * Compiles a subscription filter into one predicate: event types (case-insensitive, as Event
 * Grid), subject prefix/suffix (case-insensitive unless isSubjectCaseSensitive) and every
 * advanced filter (AND between filters, OR between the values of one filter).
 */
export function compileFilter(filter: SubscriptionFilter): EventPredicate {
  const checks: EventPredicate[] = [];
  const types = filter.includedEventTypes ?? [];
  if (types.length > 0) {
    const wanted = new Set(types.map((type) => type.toLowerCase()));
    checks.push((event) => typeof event.type === 'string' && wanted.has(event.type.toLowerCase()));
  }
  const caseSensitive = filter.isSubjectCaseSensitive === true;
  const fold = (text: string): string => (caseSensitive ? text : text.toLowerCase());
  if (filter.subjectBeginsWith) {
    const prefix = fold(filter.subjectBeginsWith);
    checks.push((event) => typeof event.subject === 'string' && fold(event.subject).startsWith(prefix));
  }
  if (filter.subjectEndsWith) {
    const suffix = fold(filter.subjectEndsWith);
    checks.push((event) => typeof event.subject === 'string' && fold(event.subject).endsWith(suffix));
  }
  for (const advanced of filter.advancedFilters ?? []) checks.push(compileAdvancedFilter(advanced));
  return (event) => checks.every((check) => check(event));
}
