import type { Container, FeedOptions, SqlQuerySpec } from '@azure/cosmos';
import { ContinuationNotAcceptedError, type Page, type PageOptions, pageSize } from '../domain/repositories';
import { fromDocument } from './documents';
import { isCosmosStatus } from './errors';

/**
 * One page of a query. A query may answer with an empty page that still has more behind it (a
 * partition with no matches); that page is skipped so callers never see an empty page with a
 * continuation token, and no token is returned once the query is exhausted.
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
    const response = await iterator.fetchNext().catch((error: unknown) => {
      // A continuation Cosmos DB cannot read is the caller's (a 400 to them), not an outage.
      if (continuationToken && isCosmosStatus(error, 400)) {
        throw new ContinuationNotAcceptedError('the store does not accept this continuation');
      }
      throw error;
    });
    const items = response.resources.map((document) => fromDocument(document));
    const next = response.continuationToken;
    // With query control, ORDER BY across partitions may answer empty pages (without a token)
    // while it gathers results from each partition: keep fetching until there is data or the end.
    if (items.length > 0 || !iterator.hasMoreResults()) {
      return next && iterator.hasMoreResults() ? { items, continuationToken: next } : { items };
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
