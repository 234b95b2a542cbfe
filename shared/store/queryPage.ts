import type { Container, FeedOptions, SqlQuerySpec } from '@azure/cosmos';
import { fromDocument, pageSize, type Page, type PageOptions } from './documents';

/**
 * One page of a query. A query may answer with an empty page that still has more behind it (a
 * partition with no matches); that page is skipped so callers never see an empty page with a
 * continuation token.
 */
export async function queryPage<T extends object>(
  container: Container,
  query: SqlQuerySpec,
  { maxItems, continuationToken }: PageOptions,
  options: FeedOptions = {},
): Promise<Page<T>> {
  const iterator = container.items.query<T>(query, {
    ...options,
    maxItemCount: pageSize(maxItems),
    ...(continuationToken ? { continuationToken } : {}),
  });
  for (;;) {
    const response = await iterator.fetchNext();
    const items = response.resources.map((document) => fromDocument(document));
    const next = response.continuationToken;
    if (items.length > 0 || !next || !iterator.hasMoreResults()) {
      return next ? { items, continuationToken: next } : { items };
    }
  }
}

/** Every result of a query, page after page. For bounded sets only (a topic's subscriptions). */
export async function queryAll<T extends object>(
  container: Container,
  query: SqlQuerySpec,
  options: FeedOptions = {},
): Promise<T[]> {
  const { resources } = await container.items.query<T>(query, options).fetchAll();
  return resources.map((document) => fromDocument(document));
}
