import type { DeliveryRecord, DeliveryStatus } from '../domain/types';
import { invalidField } from '../http/problems';
import type { Page, PageOptions } from '../domain/repositories';
import { type ApiResponse, json } from './apiResponse';
import type { DeliveryListView } from './views';
import { deliveryView } from './events';
import { type ContinuationTokens, pageOfList } from './paging';
import { parseSubscriptionAddress } from './subscriptions';

const STATUSES: readonly DeliveryStatus[] = ['pending', 'succeeded', 'retrying', 'deadLettered'];

export type ListDeliveries = (
  topic: string,
  subscription: string,
  options: PageOptions & { status?: DeliveryStatus },
) => Promise<Page<DeliveryRecord>>;

/** A subscription's recent deliveries, newest first, optionally of one status. */
export async function listSubscriptionDeliveries(
  list: ListDeliveries,
  input: {
    topic: unknown;
    name: unknown;
    status: string | null;
    page: PageOptions;
    tokens: ContinuationTokens;
  },
): Promise<ApiResponse> {
  const { topic, name } = parseSubscriptionAddress(input.topic, input.name);
  if (input.status !== null && !STATUSES.includes(input.status as DeliveryStatus)) {
    throw invalidField('status', `must be one of ${STATUSES.join(', ')}`);
  }
  const status = input.status as DeliveryStatus | null;
  const result = await pageOfList(
    input.tokens,
    ['deliveries', topic, name, status ?? '*'],
    input.page,
    (page) => list(topic, name, { ...page, ...(status !== null ? { status } : {}) }),
  );
  return json(200, {
    items: result.items.map(deliveryView),
    ...(result.continuationToken ? { continuationToken: result.continuationToken } : {}),
  } satisfies DeliveryListView);
}
