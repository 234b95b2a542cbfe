import type { DeliveryRecord, DeliveryStatus } from '../domain/types';
import { invalidField } from '../http/problems';
import type { Page, PageOptions } from '../domain/repositories';
import { type ApiResponse, json } from './apiResponse';
import { deliveryView } from './events';
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
  input: { topic: unknown; name: unknown; status: string | null; page: PageOptions },
): Promise<ApiResponse> {
  const { topic, name } = parseSubscriptionAddress(input.topic, input.name);
  if (input.status !== null && !STATUSES.includes(input.status as DeliveryStatus)) {
    throw invalidField('status', `must be one of ${STATUSES.join(', ')}`);
  }
  const result = await list(topic, name, {
    ...input.page,
    ...(input.status !== null ? { status: input.status as DeliveryStatus } : {}),
  });
  return json(200, {
    items: result.items.map(deliveryView),
    ...(result.continuationToken ? { continuationToken: result.continuationToken } : {}),
  });
}
