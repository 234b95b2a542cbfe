import type { ServiceBusClient } from '@azure/service-bus';
import { QUEUES } from '../config/names';
import type { ConnectionSetting } from '../config/settings';

/** Counting stops here: a backlog this deep is reported as this many ("at least"). */
export const QUEUE_DEPTH_CAP = 1000;
const PAGE_SIZE = 250;

/**
 * Active messages waiting in the pipeline's queues, for the switchyard.queue.depth gauge.
 *
 * The runtime counts (ServiceBusAdministrationClient) need the Manage right, which the app's
 * identity in Azure does not have (it may only send and listen), and the local emulator has no
 * admin API. Peeking is allowed with Listen: it counts messages in the `active` state (not
 * scheduled retries), capped at QUEUE_DEPTH_CAP per queue, at one collection per export
 * interval. In Azure (identity-based connection) the source reports nothing: the namespace's
 * own ActiveMessages metric is exact and free there, and the alerts use it.
 */
export async function pipelineQueueDepths(
  connection: ConnectionSetting,
  client: ServiceBusClient,
): Promise<Record<string, number>> {
  if (connection.kind !== 'connectionString') return {};
  const depths: Record<string, number> = {};
  for (const queue of [QUEUES.ingress, QUEUES.deliveries, QUEUES.deadletters]) {
    depths[queue] = await activeMessageCount(client, queue);
  }
  return depths;
}

async function activeMessageCount(client: ServiceBusClient, queue: string): Promise<number> {
  const receiver = client.createReceiver(queue);
  try {
    let count = 0;
    let seen = 0;
    while (seen < QUEUE_DEPTH_CAP) {
      // Each peek continues after the last one on the same receiver.
      const page = await receiver.peekMessages(Math.min(PAGE_SIZE, QUEUE_DEPTH_CAP - seen));
      if (page.length === 0) break;
      seen += page.length;
      count += page.filter((message) => (message.state ?? 'active') === 'active').length;
    }
    return count;
  } finally {
    await receiver.close();
  }
}
