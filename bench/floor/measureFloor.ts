/**
 * The wire floor of the fan-out-1 pipeline (bench/floor.ts says what it is): measured in one
 * function, so `npm run bench` can put the pipeline beside it in the same run.
 */
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'undici';
import type { BackingReady } from './backing';
import { type ReadyChild, startReadyChild } from '../../local/stack/readyChild';
import { toggleProfilers } from '../pipeline/phaseProfile';
import { cpuSnapshot, type CpuSnapshot } from '../pipeline/processCpu';
import { benchEvent } from '../pipeline/publisher';
import { nowMs, startBenchReceiver } from '../pipeline/receiver';

export interface FloorOptions {
  events: number;
  batchSize: number;
  inFlight: number;
  /** Messages each receiver handles at once: host.json's maxConcurrentCalls (hostConcurrency.ts). */
  maxConcurrentCalls: number;
  log(line: string): void;
  /** The pipeline's instrumentation (event loop samples; with `profile`, CPU profiles of the measured run). */
  instrument?: { env: Record<string, string>; dir: string; profile: boolean };
}

export interface FloorResult {
  events: number;
  seconds: number;
  deliveriesPerSecond: number;
  latencyMs: { p50: number; p99: number };
  cpuMsPerEvent: Record<string, number>;
  cpuMsPerEventTotal: number;
  cores: number;
}

function startFloorPart<Ready>(
  script: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<ReadyChild<Ready>> {
  return startReadyChild<Ready>(join(__dirname, script), args, {
    label: script,
    env,
    echoStderr: true,
    killAfterMs: 10_000,
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

export async function measureFloor(options: FloorOptions): Promise<FloorResult> {
  const { events, batchSize, inFlight, maxConcurrentCalls, instrument } = options;
  const arrivals = new Map<string, number[]>();
  const receiver = await startBenchReceiver((arrival) => {
    const phase = arrivals.get(arrival.phase) ?? [];
    phase.push(arrival.arrivedAt - arrival.sentAt);
    arrivals.set(arrival.phase, phase);
  });
  const children: Array<ReadyChild<unknown>> = [];
  try {
    options.log('[floor] starting the Service Bus emulator and Cosmos DB server');
    const backing = await startFloorPart<BackingReady>('backing.ts', [], instrument?.env);
    children.push(backing);
    options.log('[floor] starting the wire-only stand-in for the function app');
    const wire = await startFloorPart<{ ingressUrl: string }>(
      'wireOnly.ts',
      [JSON.stringify(backing.ready), receiver.url('/floor'), String(maxConcurrentCalls)],
      instrument?.env,
    );
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
        () => options.log(`[floor] ${phase}: delivered ${arrivals.get(phase)?.length ?? 0}/${count}`),
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

    options.log('[floor] warm-up: 200 events');
    await run('warmup', 200);
    const processes = {
      bench: process.pid,
      'emulator+cosmos': backing.pid,
      'wire-only app': wire.pid,
    };
    const before: CpuSnapshot = cpuSnapshot(processes);
    options.log(
      `[floor] measuring: ${events} events, batches of ${batchSize}, ${inFlight} in flight, maxConcurrentCalls ${maxConcurrentCalls}`,
    );
    if (instrument?.profile) toggleProfilers(instrument.dir, processes, 'floor start');
    const { seconds, latencies } = await run('measured', events);
    const after = cpuSnapshot(processes);
    if (instrument?.profile) toggleProfilers(instrument.dir, processes, 'floor stop');
    await pool.close();

    const cores = availableParallelism();
    const cpuMsPerEvent = Object.fromEntries(
      Object.keys(processes).map((label) => [label, ((after[label]! - before[label]!) * 1000) / events]),
    );
    const sorted = [...latencies].sort((a, b) => a - b);
    return {
      events,
      seconds,
      deliveriesPerSecond: events / seconds,
      latencyMs: { p50: percentile(sorted, 50), p99: percentile(sorted, 99) },
      cpuMsPerEvent,
      cpuMsPerEventTotal: Object.values(cpuMsPerEvent).reduce((sum, ms) => sum + ms, 0),
      cores,
    };
  } finally {
    await Promise.allSettled(children.reverse().map((child) => child.stop()));
    await receiver.close();
  }
}
