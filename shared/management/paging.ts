import { invalidField } from '../http/problems';
import { MAX_PAGE_SIZE, type PageOptions } from '../domain/repositories';

/** `maxItems` and `continuationToken` from a query string, with 400s naming the parameter. */
export function parsePageQuery(query: { get(name: string): string | null }): PageOptions {
  const page: PageOptions = {};
  const maxItems = query.get('maxItems');
  if (maxItems !== null) {
    const value = Number(maxItems);
    if (!Number.isInteger(value) || value < 1 || value > MAX_PAGE_SIZE) {
      throw invalidField('maxItems', `must be a whole number from 1 to ${MAX_PAGE_SIZE}`);
    }
    page.maxItems = value;
  }
  const token = query.get('continuationToken');
  if (token !== null && token !== '') page.continuationToken = token;
  return page;
}
