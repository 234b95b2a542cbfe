/**
 * The floor benchmark's stand-in for the function app: the wire operations Switchyard performs
 * for one fan-out-1 event, with the same SDKs, clients and group commit, and nothing else (no
 * Functions programming model, no CloudEvents validation, no filters, no signing, no telemetry).
 *   ingress:  HTTP POST of a JSON array -> one batch send to the ingress queue -> 202
 *   route:    receive + complete on ingress; create the event document; send to deliveries
 *   deliver:  receive + complete on deliveries; POST to the webhook; create the delivery document
 * Argv: backing JSON (backing.ts), webhook URL, maxConcurrentCalls per receiver. Prints
 * `READY <json>` with the ingress URL.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ServiceBusClient,
  type ServiceBusReceivedMessage,
  type ServiceBusReceiver,
} from '@azure/service-bus';
import { Agent, request } from 'undici';
import { Bus } from '../../shared/bus/Bus';
import { CONTAINERS, QUEUES } from '../../shared/config/names';
import { createCosmosClient } from '../../shared/store/cosmosClient';
import { BulkCreator, createIfAbsent } from '../../shared/store/createIfAbsent';
import type { BenchEvent } from '../pipeline/publisher';
import { type BackingReady, FLOOR_DATABASE } from './backing';
import { errorStack } from '../../shared/errors/errorMessage';

async function main(): Promise<void> {
  const backing = JSON.parse(process.argv[2] ?? '{}') as BackingReady;
  const webhookUrl = process.argv[3] ?? '';
  const maxConcurrentCalls = Number(process.argv[4] ?? 32);
  const serviceBus = new ServiceBusClient(backing.serviceBusConnectionString);
  const bus = new Bus(serviceBus);
  const cosmos = createCosmosClient({
    kind: 'connectionString',
    setting: 'CosmosConnection',
    connectionString: backing.cosmosConnectionString,
  });
  const database = cosmos.database(FLOOR_DATABASE);
  const events = database.container(CONTAINERS.events.name);
  const deliveries = database.container(CONTAINERS.deliveries.name);
  const eventCreator = new BulkCreator(events);
  const deliveryCreator = new BulkCreator(deliveries);
  const webhooks = new Agent({ keepAliveTimeout: 60_000, connections: 64 });

  const ingress = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const batch = JSON.parse(Buffer.concat(chunks).toString('utf8')) as BenchEvent[];
      bus
        .sendIngress(
          batch.map((event) => ({ body: event, messageId: event.id, contentType: 'application/json' })),
        )
        .then(
          () => res.writeHead(202).end(),
          (error: unknown) => res.writeHead(500).end(String(error)),
        );
    });
  });
  ingress.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => ingress.listen(0, '127.0.0.1', resolve));

  const consume = (queue: string, handle: (message: ServiceBusReceivedMessage) => Promise<void>) => {
    const receiver: ServiceBusReceiver = serviceBus.createReceiver(queue, {
      maxAutoLockRenewalDurationInMs: 0,
    });
    receiver.subscribe(
      {
        processMessage: async (message) => {
          await handle(message);
          await receiver.completeMessage(message);
        },
        processError: ({ error }) => {
          process.stderr.write(`${queue}: ${error.message}\n`);
          return Promise.resolve();
        },
      },
      { autoCompleteMessages: false, maxConcurrentCalls },
    );
  };

  consume(QUEUES.ingress, async (message) => {
    const event = message.body as BenchEvent;
    await createIfAbsent(events, { id: event.id, eventKey: event.id, event }, event.id, eventCreator);
    await bus.sendDeliveries([
      {
        deliveryId: `${event.id}-d`,
        eventKey: event.id,
        topic: 'floor',
        subscription: 'webhook',
        attempt: 1,
        firstAttemptAt: new Date().toISOString(),
        event: { specversion: '1.0', id: event.id, source: '/floor', type: 'floor', data: event.data },
      },
    ]);
  });

  consume(QUEUES.deliveries, async (message) => {
    const delivery = message.body as { deliveryId: string; eventKey: string; event: unknown };
    const response = await request(webhookUrl, {
      method: 'POST',
      dispatcher: webhooks,
      headers: { 'content-type': 'application/cloudevents+json', 'webhook-id': delivery.deliveryId },
      body: JSON.stringify(delivery.event),
    });
    await response.body.dump();
    const record = {
      id: delivery.deliveryId,
      eventKey: delivery.eventKey,
      status: 'succeeded',
      attempts: [{ n: 1, httpStatus: response.statusCode }],
    };
    await createIfAbsent(deliveries, record, delivery.eventKey, deliveryCreator);
  });

  const { port } = ingress.address() as AddressInfo;
  process.stdout.write(`READY ${JSON.stringify({ ingressUrl: `http://127.0.0.1:${port}/` })}\n`);
  process.once('SIGTERM', () => {
    ingress.close();
    Promise.allSettled([bus.close(), webhooks.close()]).then(
      () => {
        cosmos.dispose();
        process.exit(0);
      },
      (error: unknown) => {
        process.stderr.write(`${errorStack(error)}\n`);
        process.exit(1);
      },
    );
  });
}

void main().catch((error: unknown) => {
  process.stderr.write(`${errorStack(error)}\n`);
  process.exit(1);
});
