/**
 * Benchmark of the Service Bus emulator through the unmodified @azure/service-bus SDK (not a
 * test): send throughput for 1 KB messages (one per call, and in batches), then receive +
 * complete throughput and complete (settle) latency with 1 and 8 concurrent receivers, each on
 * its own connection; then the fan-out scenario (servicebusFanout.ts: one topic, ten SQL-filtered
 * subscriptions). The emulator runs in its own process (as under npm start), so client and
 * broker do not share an event loop.
 * Usage: npm run bench:servicebus [-- --messages N] [--fanout-messages N] [--scenario all|queues|fanout]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { ServiceBusClient, type ServiceBusReceivedMessage } from '@azure/service-bus';
import { fanoutTopicConfig, runFanout } from './servicebusFanout';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '4000' },
    'fanout-messages': { type: 'string', default: '2000' },
    scenario: { type: 'string', default: 'all' },
  },
});
const MESSAGES = Number(values.messages);
const FANOUT_MESSAGES = Number(values['fanout-messages']);
const SCENARIO = values.scenario;
const BODY = Buffer.alloc(1024, 'x');
const QUEUES = ['single', 'batched', 'r1', 'r8'];

function progress(line: string): void {
  process.stderr.write(`\r${line.padEnd(70)}`);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function sendOneByOne(
  client: ServiceBusClient,
  queue: string,
  count: number,
  inFlight = 8,
): Promise<number> {
  const sender = client.createSender(queue);
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < count) {
        next += 1;
        await sender.sendMessages({ body: BODY });
        if (next % 1000 === 0) progress(`send ${queue}: ${next}/${count}`);
      }
    }),
  );
  return count / ((performance.now() - started) / 1000);
}

async function sendBatched(client: ServiceBusClient, queue: string, count: number): Promise<number> {
  const sender = client.createSender(queue);
  const started = performance.now();
  let sent = 0;
  while (sent < count) {
    const batch = await sender.createMessageBatch();
    while (sent < count && batch.tryAddMessage({ body: BODY })) sent += 1;
    await sender.sendMessages(batch);
    progress(`send ${queue} (batches): ${sent}/${count}`);
  }
  return count / ((performance.now() - started) / 1000);
}

async function receiveAndComplete(connectionString: string, queue: string, count: number, receivers: number) {
  const clients = Array.from({ length: receivers }, () => new ServiceBusClient(connectionString));
  const latencies: number[] = [];
  let done = 0;
  const started = performance.now();
  await Promise.all(
    clients.map(async (client) => {
      const receiver = client.createReceiver(queue, { maxAutoLockRenewalDurationInMs: 0 });
      while (done < count) {
        const messages = await receiver.receiveMessages(50, { maxWaitTimeInMs: 200 });
        await Promise.all(
          messages.map(async (message: ServiceBusReceivedMessage) => {
            const settleStarted = performance.now();
            await receiver.completeMessage(message);
            latencies.push(performance.now() - settleStarted);
            done += 1;
          }),
        );
        if (messages.length > 0)
          progress(`receive+complete ${queue} with ${receivers} receiver(s): ${done}/${count}`);
      }
    }),
  );
  const perSecond = count / ((performance.now() - started) / 1000);
  await Promise.all(clients.map((c) => c.close()));
  latencies.sort((a, b) => a - b);
  return { perSecond, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

/** Starts the emulator CLI and resolves with its connection string from the ready line. */
function startEmulatorProcess(): Promise<{ child: ChildProcess; connectionString: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-'));
  const configPath = join(dir, 'Config.json');
  const queues = QUEUES.map((Name) => ({
    Name,
    Properties: { LockDuration: 'PT1M', MaxSizeInMegabytes: 512 },
  }));
  writeFileSync(
    configPath,
    JSON.stringify({
      UserConfig: { Namespaces: [{ Name: 'bench', Queues: queues, Topics: [fanoutTopicConfig()] }] },
    }),
  );
  const cli = join(__dirname, '..', 'local', 'servicebus-emulator', 'cli.ts');
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      cli,
      '--config',
      configPath,
      '--port',
      '0',
      '--http-port',
      '0',
      '--log-level',
      'quiet',
    ],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      const match = /(Endpoint=\S+)/.exec(line);
      if (match) resolve({ child, connectionString: match[1]! });
    });
  });
}

async function main(): Promise<void> {
  const { child, connectionString } = await startEmulatorProcess();
  const emulator = {
    connectionString,
    close: () => {
      child.removeAllListeners('exit');
      child.kill('SIGTERM');
      return Promise.resolve();
    },
  };
  const client = new ServiceBusClient(emulator.connectionString);
  try {
    const rows: string[][] = [];
    if (SCENARIO === 'all' || SCENARIO === 'queues') {
      const single = await sendOneByOne(client, 'single', MESSAGES);
      const batched = await sendBatched(client, 'batched', MESSAGES);
      await sendBatched(client, 'r1', MESSAGES);
      await sendBatched(client, 'r8', MESSAGES);
      const one = await receiveAndComplete(emulator.connectionString, 'r1', MESSAGES, 1);
      const eight = await receiveAndComplete(emulator.connectionString, 'r8', MESSAGES, 8);
      rows.push(
        [`send, one message per call (8 in flight)`, `${single.toFixed(0)} msg/s`, ''],
        ['send, createMessageBatch', `${batched.toFixed(0)} msg/s`, ''],
        [
          'receive+complete, 1 receiver',
          `${one.perSecond.toFixed(0)} msg/s`,
          `settle p50 ${one.p50.toFixed(1)} ms, p99 ${one.p99.toFixed(1)} ms`,
        ],
        [
          'receive+complete, 8 receivers',
          `${eight.perSecond.toFixed(0)} msg/s`,
          `settle p50 ${eight.p50.toFixed(1)} ms, p99 ${eight.p99.toFixed(1)} ms`,
        ],
      );
    }
    if (SCENARIO === 'all' || SCENARIO === 'fanout') {
      const fanout = await runFanout(emulator.connectionString, FANOUT_MESSAGES, BODY, progress);
      const perMessage = (fanout.copies / fanout.messages).toFixed(1);
      rows.push(
        [
          `fan-out: ${fanout.messages} into 1 topic, 10 SQL subs`,
          `${fanout.inPerSecond.toFixed(0)} msg/s in`,
          `${fanout.copies} copies (${perMessage} per message)`,
        ],
        [
          'fan-out: receive+complete, 10 receivers',
          `${fanout.outPerSecond.toFixed(0)} copies/s out`,
          'from first send to last copy',
        ],
      );
    }
    progress('');
    process.stderr.write('\r');
    console.log(
      `Service Bus emulator, 1 KB messages (${MESSAGES} per queue run, ${FANOUT_MESSAGES} fan-out)`,
    );
    for (const [what, rate, latency] of rows)
      console.log(`  ${what!.padEnd(44)} ${rate!.padStart(18)}  ${latency}`);
  } finally {
    await client.close();
    await emulator.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
