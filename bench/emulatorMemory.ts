/**
 * `npm run bench:emulator-memory -- [--minutes N] [--rate R] [--emulator-dir DIR] [--snapshots DIR]`
 * (a benchmark, not a test): the Service Bus emulator's memory under Switchyard's traffic
 * pattern for N minutes, sampled once a minute after a full garbage collection.
 *
 * The emulator runs in its own process with the stack's configuration
 * (local/stack/servicebus-config.json). The load, through the unmodified SDK, is what the
 * function app does with it, at R events/s (default 50):
 *  - send each event to `ingress` with a unique message id (duplicate detection on);
 *  - a streaming receiver on `ingress` sends one message to `deliveries` per event and completes
 *    it; every 10th event also schedules a retry 5 s ahead, every 20th is abandoned once first;
 *  - a streaming receiver on `deliveries` completes what arrives;
 *  - every 5 s a retry is scheduled a minute ahead and cancelled (cancelScheduledMessages);
 *  - every 2 s a health-style probe: a new receiver on `ingress`, peekMessages(1), close;
 *  - every 10 s a client on a new connection (CBS token, links) sends one message and closes.
 * Prints rss, heap total, heap used and external memory (MiB) per minute and the growth from
 * minute 1 to the end. Heap figures are taken right after a full garbage collection.
 * `--emulator-dir` measures another copy of local/servicebus-emulator (e.g. an older commit's);
 * `--snapshots DIR` writes heap snapshots of the emulator at minute 1 and at the end (to see what
 * grows); writing one costs the process tens of MiB of native memory it keeps, so RSS figures
 * of a run with snapshots are not comparable with one without.
 * Figures and how to read them: bench/emulatorMemory/NOTES.md.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  ServiceBusClient,
  type ServiceBusReceivedMessage,
  type ServiceBusReceiver,
  type ServiceBusSender,
} from '@azure/service-bus';
import { z } from 'zod';
import type { MemorySample } from './emulatorMemory/child';
import { startReadyChild, type ReadyChild } from '../local/stack/readyChild';
import { EMULATOR_NODE_ARGS } from '../local/servicebus-emulator/processOptions';

const MiB = 1024 * 1024;
const BODY = { type: 'bench.event', data: 'x'.repeat(600) };

const replySchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('memory'),
    sample: z.object({
      rss: z.number(),
      heapUsed: z.number(),
      heapTotal: z.number(),
      external: z.number(),
      arrayBuffers: z.number(),
    }),
  }),
  z.object({ type: z.literal('heap-snapshot'), path: z.string() }),
]);
type Reply = z.infer<typeof replySchema>;

interface Counters {
  published: number;
  routed: number;
  delivered: number;
  scheduled: number;
  probes: number;
  connections: number;
  errors: number;
}

function ask(child: ReadyChild<unknown>, request: object): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const onMessage = (raw: unknown): void => {
      const reply = replySchema.safeParse(raw);
      if (!reply.success) return;
      child.process.off('message', onMessage);
      resolve(reply.data);
    };
    child.process.on('message', onMessage);
    if (!child.process.send(request)) reject(new Error('the emulator process has no IPC channel'));
  });
}

async function memory(child: ReadyChild<unknown>): Promise<MemorySample> {
  const reply = await ask(child, { type: 'memory' });
  if (reply.type !== 'memory') throw new Error('unexpected reply');
  return reply.sample;
}

function positive(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

/** Runs `task` every `ms` until stopped; a failure is counted, not fatal (the soak goes on). */
function every(ms: number, counters: Counters, task: () => Promise<void>): () => void {
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    task()
      .catch(() => {
        counters.errors += 1;
      })
      .finally(() => {
        running = false;
      });
  }, ms);
  return () => clearInterval(timer);
}

function startLoad(connectionString: string, rate: number, counters: Counters): () => Promise<void> {
  const client = new ServiceBusClient(connectionString);
  const ingress = client.createSender('ingress');
  const deliveries = client.createSender('deliveries');
  const receivers: ServiceBusReceiver[] = [];
  const countError = (): void => {
    counters.errors += 1;
  };
  const subscribe = (
    queue: string,
    handle: (message: ServiceBusReceivedMessage, receiver: ServiceBusReceiver) => Promise<void>,
  ): void => {
    const receiver = client.createReceiver(queue);
    receivers.push(receiver);
    receiver.subscribe(
      {
        processMessage: (message) => handle(message, receiver),
        processError: () => Promise.resolve(countError()),
      },
      { autoCompleteMessages: false, maxConcurrentCalls: 16 },
    );
  };
  subscribe('ingress', async (message, receiver) => {
    const n = Number(message.applicationProperties?.n ?? 0);
    if (n % 20 === 0 && message.deliveryCount === 0) {
      await receiver.abandonMessage(message);
      return;
    }
    await sendDelivery(deliveries, n);
    if (n % 10 === 0) {
      await deliveries.scheduleMessages(
        { body: BODY, messageId: randomUUID() },
        new Date(Date.now() + 5_000),
      );
      counters.scheduled += 1;
    }
    await receiver.completeMessage(message);
    counters.routed += 1;
  });
  subscribe('deliveries', async (message, receiver) => {
    await receiver.completeMessage(message);
    counters.delivered += 1;
  });

  // Publishing at a steady rate: a tick every 100 ms sends what is due by then.
  const started = Date.now();
  let next = 0;
  const publisher = every(100, counters, async () => {
    const due = Math.floor(((Date.now() - started) / 1000) * rate);
    const batch: Array<Promise<void>> = [];
    while (next < due) {
      const n = next++;
      batch.push(
        ingress
          .sendMessages({ body: BODY, messageId: randomUUID(), applicationProperties: { n } })
          .then(() => void (counters.published += 1)),
      );
    }
    await Promise.all(batch);
  });
  const cancelled = every(5_000, counters, async () => {
    const [sequenceNumber] = await deliveries.scheduleMessages(
      { body: BODY, messageId: randomUUID() },
      new Date(Date.now() + 60_000),
    );
    await deliveries.cancelScheduledMessages(sequenceNumber!);
  });
  const probes = every(2_000, counters, async () => {
    const receiver = client.createReceiver('ingress');
    try {
      await receiver.peekMessages(1);
      counters.probes += 1;
    } finally {
      await receiver.close();
    }
  });
  const connections = every(10_000, counters, async () => {
    const other = new ServiceBusClient(connectionString);
    try {
      await other.createSender('sample-destination').sendMessages({ body: BODY });
      const receiver = other.createReceiver('sample-destination', { receiveMode: 'receiveAndDelete' });
      await receiver.receiveMessages(1, { maxWaitTimeInMs: 1000 });
      counters.connections += 1;
    } finally {
      await other.close();
    }
  });
  return async () => {
    for (const stop of [publisher, cancelled, probes, connections]) stop();
    await Promise.all(receivers.map((receiver) => receiver.close().catch(() => undefined)));
    await client.close();
  };
}

async function sendDelivery(sender: ServiceBusSender, n: number): Promise<void> {
  await sender.sendMessages({
    body: BODY,
    messageId: randomUUID(),
    applicationProperties: { n, attempt: 1 },
  });
}

function row(minute: number, sample: MemorySample, counters: Counters): string {
  const mib = (bytes: number): string => (bytes / MiB).toFixed(1).padStart(7);
  return `${String(minute).padStart(6)} ${mib(sample.rss)} ${mib(sample.heapTotal)} ${mib(sample.heapUsed)} ${mib(sample.external)}   ${counters.published} published, ${counters.routed} routed, ${counters.delivered} delivered, ${counters.scheduled} retries, ${counters.probes} probes, ${counters.connections} connections, ${counters.errors} errors`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      minutes: { type: 'string', default: '10' },
      rate: { type: 'string', default: '50' },
      'emulator-dir': { type: 'string' },
      snapshots: { type: 'string' },
    },
  });
  const minutes = positive('minutes', values.minutes);
  const rate = positive('rate', values.rate);
  const env: Record<string, string> = values['emulator-dir'] ? { EMULATOR_DIR: values['emulator-dir'] } : {};
  const emulator = await startReadyChild<{ connectionString: string; emulatorDir: string }>(
    join(__dirname, 'emulatorMemory', 'child.ts'),
    [],
    {
      label: 'emulator',
      env,
      nodeArgs: EMULATOR_NODE_ARGS,
      echoStderr: true,
      killAfterMs: 10_000,
    },
  );
  const counters: Counters = {
    published: 0,
    routed: 0,
    delivered: 0,
    scheduled: 0,
    probes: 0,
    connections: 0,
    errors: 0,
  };
  console.log(
    `Service Bus emulator memory, ${rate} events/s for ${minutes} min (${emulator.ready.emulatorDir}), ${new Date().toISOString()}`,
  );
  console.log(
    `${'minute'.padStart(6)} ${'rss'.padStart(7)} ${'heapTot'.padStart(7)} ${'heapUse'.padStart(7)} ${'extern'.padStart(7)}   (MiB, after a full GC in the emulator)`,
  );
  const samples: MemorySample[] = [];
  const start = await memory(emulator);
  console.log(row(0, start, counters));
  const stopLoad = startLoad(emulator.ready.connectionString, rate, counters);
  try {
    for (let minute = 1; minute <= Math.ceil(minutes); minute++) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(1, minutes - minute + 1) * 60_000));
      const sample = await memory(emulator);
      samples.push(sample);
      console.log(row(minute, sample, counters));
      if (values.snapshots && (minute === 1 || minute === Math.ceil(minutes))) {
        const reply = await ask(emulator, {
          type: 'heap-snapshot',
          path: join(values.snapshots, `emulator-minute-${minute}.heapsnapshot`),
        });
        if (reply.type === 'heap-snapshot') console.log(`       heap snapshot: ${reply.path}`);
      }
    }
  } finally {
    await stopLoad();
    await emulator.stop();
  }
  const first = samples[0];
  const last = samples[samples.length - 1];
  if (first && last && samples.length > 1) {
    const growth = (key: keyof MemorySample): string =>
      `${(first[key] / MiB).toFixed(1)} -> ${(last[key] / MiB).toFixed(1)} MiB (${(((last[key] - first[key]) / first[key]) * 100).toFixed(1)}%)`;
    console.log(`growth from minute 1: rss ${growth('rss')}, heap used ${growth('heapUsed')}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
