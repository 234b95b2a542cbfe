/**
 * The soak's webhook receiver in a process of its own, so its memory is measured apart from the
 * load generator's. Webhooks arrive at /soak/<subscription>; GET /stats on a second port answers
 * what arrived since the last /stats call (publish -> arrival latencies of first arrivals, counts)
 * and starts a new interval. Prints `READY {"webhookBase", "statsUrl"}`, runs until SIGTERM.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startBenchReceiver, type Arrival } from '../pipeline/receiver';
import { exitAfterClose } from '../../local/exitAfterClose';

export interface ReceiverReady {
  /** Webhook URLs are this plus /<subscription>. */
  webhookBase: string;
  statsUrl: string;
}

export interface ReceiverStats {
  /** Every POST, duplicates included. */
  received: number;
  /** Arrivals of a webhook-id already seen (at-least-once redeliveries). */
  duplicates: number;
  /** Publish -> first arrival, ms. */
  latenciesMs: number[];
}

async function main(): Promise<void> {
  let current: ReceiverStats = { received: 0, duplicates: 0, latenciesMs: [] };
  // Two generations of seen webhook-ids: duplicates are found across one interval boundary
  // without the set growing for the whole run (that would be the receiver's own leak).
  let seen = new Set<string>();
  let seenBefore = new Set<string>();
  const onArrival = (arrival: Arrival) => {
    current.received += 1;
    if (seen.has(arrival.webhookId) || seenBefore.has(arrival.webhookId)) {
      current.duplicates += 1;
      return;
    }
    seen.add(arrival.webhookId);
    if (Number.isFinite(arrival.sentAt)) current.latenciesMs.push(arrival.arrivedAt - arrival.sentAt);
  };
  const receiver = await startBenchReceiver(onArrival);
  const stats = createServer((request, response) => {
    if (request.url !== '/stats') {
      response.writeHead(404).end();
      return;
    }
    const interval = current;
    current = { received: 0, duplicates: 0, latenciesMs: [] };
    seenBefore = seen;
    seen = new Set();
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(interval));
  });
  await new Promise<void>((resolve) => stats.listen(0, '127.0.0.1', resolve));
  const { port } = stats.address() as AddressInfo;
  const ready: ReceiverReady = {
    webhookBase: receiver.url('/soak'),
    statsUrl: `http://127.0.0.1:${port}/stats`,
  };
  process.stdout.write(`READY ${JSON.stringify(ready)}\n`);

  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    stats.closeAllConnections();
    stats.close();
    exitAfterClose(() => receiver.close());
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.on('disconnect', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(
    `[soak receiver] could not start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
