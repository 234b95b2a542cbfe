/**
 * `npm run bench:floor`: the wire floor of the pipeline on this machine (a benchmark, not a test).
 * Runs only the network operations Switchyard performs per fan-out-1 event, through the same SDKs
 * against the same local Service Bus emulator and Cosmos DB server, with the best batching
 * Switchyard uses (batch publish of 20, group commit of sends and creates), and nothing else:
 * bench/floor/wireOnly.ts stands in for the function app. Prints deliveries/s, publish -> webhook
 * latency and the CPU milliseconds per event of each process, and from those the most events/s
 * the machine's cores could carry if they did nothing but this.
 *
 *   --events N        events in the measured run (default 3000)
 *   --batch-size B    events per publish request (default 20)
 *   --in-flight C     publish requests in flight (default 4)
 *   --max-concurrent-calls M   messages each receiver handles at once (default 32, as host.json)
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import type { BackingReady } from './floor/backing';
import { type ReadyChild, startReadyChild } from '../local/stack/readyChild';
import { cpuSnapshot, type CpuSnapshot } from './pipeline/processCpu';
import { benchEvent } from './pipeline/publisher';
import { nowMs, startBenchReceiver } from './pipeline/receiver';
import { errorMessage } from '../shared/errors/errorMessage';

function startFloorPart<Ready>(script: string, args: string[]): Promise<ReadyChild<Ready>> {
  return startReadyChild<Ready>(join(__dirname, 'floor', script), args, {
    label: script,
    echoStderr: true,
    killAfterMs: 10_000,
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      events: { type: 'string', default: '3000' },
      'batch-size': { type: 'string', default: '20' },
      'in-flight': { type: 'string', default: '4' },
      'max-concurrent-calls': { type: 'string', default: '32' },
    },
  });
  const events = Number(values.events);
  const batchSize = Number(values['batch-size']);
  const inFlight = Number(values['in-flight']);
  const maxConcurrentCalls = Number(values['max-concurrent-calls']);
  for (const [name, value] of Object.entries({ events, batchSize, inFlight, maxConcurrentCalls })) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`${name} must be a positive integer`);
  }

  const arrivals = new Map<string, number[]>();
  const receiver = await startBenchReceiver((arrival) => {
    const phase = arrivals.get(arrival.phase) ?? [];
    phase.push(arrival.arrivedAt - arrival.sentAt);
    arrivals.set(arrival.phase, phase);
  });
  const children: Array<ReadyChild<unknown>> = [];
  try {
    process.stderr.write('[floor] starting the Service Bus emulator and Cosmos DB server\n');
    const backing = await startFloorPart<BackingReady>('backing.ts', []);
    children.push(backing);
    process.stderr.write('[floor] starting the wire-only stand-in for the function app\n');
    const wire = await startFloorPart<{ ingressUrl: string }>('wireOnly.ts', [
      JSON.stringify(backing.ready),
      receiver.url('/floor'),
      String(maxConcurrentCalls),
    ]);
    children.push(wire);
    const pool = new Pool(new URL(wire.ready.ingressUrl).origin, { connections: inFlight });

    const run = async (phase: string, count: number): Promise<{ seconds: number; latencies: number[] }> => {
      const started = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: inFlight }, async () => {
          while (next < count) {
            const batch = Array.from({ length: Math.min(batchSize, count - next) }, () =>
              benchEvent(phase, next++, nowMs()),
            );
            const response = await pool.request({
              path: '/',
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify(batch),
            });
            await response.body.dump();
            if (response.statusCode !== 202) throw new Error(`ingress answered ${response.statusCode}`);
          }
        }),
      );
      const progress = setInterval(
        () =>
          process.stderr.write(`[floor] ${phase}: delivered ${arrivals.get(phase)?.length ?? 0}/${count}\n`),
        1000,
      );
      try {
        const deadline = Date.now() + 120_000;
        while ((arrivals.get(phase)?.length ?? 0) < count) {
          if (Date.now() > deadline) {
            throw new Error(`${phase}: only ${arrivals.get(phase)?.length ?? 0}/${count} arrived`);
          }
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      } finally {
        clearInterval(progress);
      }
      return { seconds: (performance.now() - started) / 1000, latencies: arrivals.get(phase) ?? [] };
    };

    process.stderr.write('[floor] warm-up: 200 events\n');
    await run('warmup', 200);
    const processes = {
      bench: process.pid,
      'emulator+cosmos': backing.pid,
      'wire-only app': wire.pid,
    };
    const before: CpuSnapshot = cpuSnapshot(processes);
    process.stderr.write(
      `[floor] measuring: ${events} events, batches of ${batchSize}, ${inFlight} in flight, maxConcurrentCalls ${maxConcurrentCalls}\n`,
    );
    const { seconds, latencies } = await run('measured', events);
    const after = cpuSnapshot(processes);
    await pool.close();

    const cores = availableParallelism();
    const perEvent = Object.fromEntries(
      Object.keys(processes).map((label) => [label, ((after[label]! - before[label]!) * 1000) / events]),
    );
    const total = Object.values(perEvent).reduce((sum, ms) => sum + ms, 0);
    const sorted = [...latencies].sort((a, b) => a - b);
    console.log(
      `Wire floor of the fan-out-1 pipeline, ${new Date().toISOString()}, ${cores} CPUs, Node ${process.versions.node}`,
    );
    console.log(
      'Per event: 1/' +
        batchSize +
        ' HTTP publish, 2 Service Bus sends (group commit), 2 receive + complete,',
    );
    console.log(
      '2 Cosmos DB creates (bulk group commit), 1 webhook POST; no Functions, validation, signing or telemetry.',
    );
    console.log(`${events} events in ${seconds.toFixed(1)} s: ${Math.round(events / seconds)} deliveries/s`);
    console.log(
      `publish -> webhook (closed loop, queueing included): p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms`,
    );
    console.log(
      `CPU ms per event: ${Object.entries(perEvent)
        .map(([label, ms]) => `${label} ${ms.toFixed(2)}`)
        .join(', ')}; total ${total.toFixed(2)}`,
    );
    console.log(`ceiling if ${cores} cores did only this: ${Math.round((cores * 1000) / total)} events/s`);
  } finally {
    await Promise.allSettled(children.reverse().map((child) => child.stop()));
    await receiver.close();
  }
}

void main().catch((error: unknown) => {
  console.error(errorMessage(error));
  process.exitCode = 1;
});
