/**
 * `npm run bench [-- options]`: the end-to-end pipeline benchmark (not a test). Starts the local
 * stack on free ports (quiet), points webhook subscriptions at an in-process receiver, and for
 * fan-out 1 (topic bench-a, one subscription) and fan-out 10 (topic bench-b, ten) measures
 * publish -> webhook 2xx: events/s accepted and deliveries/s completed with single and batch
 * publishes, then publish -> delivery latency at a fixed rate (half the measured throughput).
 * Beside it, the raw emulator rate (SDK send -> receive -> complete, 1 KB) in the same run.
 * Prints a table and writes it as JSON to .local/bench/pipeline-<timestamp>.json.
 *
 *   --events N           events per throughput phase at fan-out 1 (default 3000; fan-out 10: N/5)
 *   --latency-seconds S  length of each open-loop latency phase (default 10)
 *   --latency-rate R     events/s of the latency phases (default: half the measured throughput)
 *   --concurrency C      single publishes in flight (default 32)
 *   --batch-size B       events per batch publish (default 20; 0 skips the batch phases)
 *   --batch-concurrency  batch requests in flight (default 4)
 *   --raw-messages N     messages of each raw emulator run (default 4000; 0 skips it)
 *   --fan-outs 1,10      which scenarios to run
 *   --profile            write CPU profiles of the stack's processes to .local/bench/run-<timestamp>/
 *                        (event loop samples land there on every run)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DeliveryTracker } from './pipeline/deliveryTracker';
import { runOpenLoop, runThroughput, type PhaseContext } from './pipeline/phases';
import { eventLoopPercent } from './pipeline/eventLoop';
import { BENCH_PROCESS, cpuPercent, cpuSnapshot, findProcesses, type WatchedProcesses } from './pipeline/processCpu';
import { ProgressLine } from './pipeline/progressLine';
import { createPublisher } from './pipeline/publisher';
import { measureRawServiceBus } from './pipeline/rawServiceBus';
import { startBenchReceiver } from './pipeline/receiver';
import { type BenchReport, formatReport, type PhaseLoad } from './pipeline/report';
import { startStackProcess, type StackProcess } from './pipeline/startStackProcess';
import { createWebhookSubscription } from './pipeline/subscriptions';

const REPO_ROOT = resolve(__dirname, '..');
/** A queue of the local stack that no function consumes. */
const RAW_QUEUE = 'sample-destination';

function readOptions() {
  const { values } = parseArgs({
    options: {
      events: { type: 'string', default: '3000' },
      'latency-seconds': { type: 'string', default: '10' },
      'latency-rate': { type: 'string' },
      concurrency: { type: 'string', default: '32' },
      'batch-size': { type: 'string', default: '20' },
      'batch-concurrency': { type: 'string', default: '4' },
      'raw-messages': { type: 'string', default: '4000' },
      'fan-outs': { type: 'string', default: '1,10' },
      profile: { type: 'boolean', default: false },
    },
  });
  const number = (name: keyof typeof values) => {
    const value = Number(values[name]);
    if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a number`);
    return value;
  };
  return {
    events: number('events'),
    latencySeconds: number('latency-seconds'),
    latencyRate: values['latency-rate'] !== undefined ? number('latency-rate') : undefined,
    concurrency: Math.max(1, number('concurrency')),
    batchSize: number('batch-size'),
    batchConcurrency: Math.max(1, number('batch-concurrency')),
    rawMessages: number('raw-messages'),
    fanOuts: String(values['fan-outs']).split(',').map(Number).filter((n) => n > 0),
    profile: values.profile === true,
  };
}

type Options = ReturnType<typeof readOptions>;

/** Runs a phase and adds the CPU and event loop use of each process meanwhile. */
async function measureWithCpu<T>(
  processes: WatchedProcesses,
  instrumentDir: string,
  run: () => Promise<T>,
): Promise<T & PhaseLoad> {
  const before = cpuSnapshot(processes);
  const eluBefore = performance.eventLoopUtilization();
  const from = Date.now();
  const started = performance.now();
  const result = await run();
  const seconds = (performance.now() - started) / 1000;
  const elu = performance.eventLoopUtilization(eluBefore);
  // Let the other processes write their last sample of the phase.
  await new Promise((resolve) => setTimeout(resolve, 600));
  const loops = eventLoopPercent(instrumentDir, processes, from, Date.now() - 600);
  loops[BENCH_PROCESS] = Math.round(100 * elu.utilization);
  const after = cpuSnapshot(processes);
  const cpuSeconds = Object.fromEntries(Object.keys(after).map((label) => [label, (after[label] ?? NaN) - (before[label] ?? NaN)]));
  return { ...result, cpuSeconds, cpuPercent: cpuPercent(before, after, seconds), eventLoopPercent: loops };
}

async function main(): Promise<void> {
  const options = readOptions();
  const startedAt = new Date();
  const outDir = join(REPO_ROOT, '.local/bench');
  mkdirSync(outDir, { recursive: true });
  const settings: Record<string, string> = { SWITCHYARD_SUBSCRIPTION_CACHE_SECONDS: '5' };
  // Event loop samples (and CPU profiles with --profile) of the stack's processes land here.
  const instrumentDir = join(outDir, `run-${startedAt.toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(instrumentDir, { recursive: true });
  const stackEnv: Record<string, string> = {
    NODE_OPTIONS: `--import ${join(__dirname, 'pipeline/instrumentPreload.mjs')}`,
    SWITCHYARD_BENCH_INSTRUMENT_DIR: instrumentDir,
    ...(options.profile ? { SWITCHYARD_BENCH_CPU_PROFILE: '1' } : {}),
  };

  const tracker = new DeliveryTracker();
  const receiver = await startBenchReceiver((arrival) => tracker.record(arrival));
  const progress = new ProgressLine();
  let stack: StackProcess | undefined;
  try {
    progress.note('[bench] starting the stack (Service Bus emulator, Cosmos DB server, Azurite, dev host)');
    stack = await startStackProcess(settings, stackEnv);
    progress.note(`[bench] stack ready in ${(stack.startupMs / 1000).toFixed(1)} s: ${stack.apiUrl}`);
    const processes = findProcesses(stack.pid, stack.devHostPid);
    const report: BenchReport = {
      startedAt: startedAt.toISOString(),
      machine: {
        cpus: availableParallelism(),
        node: process.versions.node,
        platform: process.platform,
        loadAverageAtStart: loadavg(),
      },
      options,
      startupMs: stack.startupMs,
      rawServiceBus: [],
      throughput: [],
      latency: [],
      strayDeliveries: 0,
    };

    if (options.rawMessages > 0) {
      for (const batch of [false, true]) {
        const phase = `raw emulator ${batch ? 'batch' : 'single'}`;
        const raw = { phase, published: 0, toPublish: options.rawMessages, expectedDeliveries: options.rawMessages };
        progress.show(raw);
        const result = await measureRawServiceBus(stack.serviceBusConnectionString, RAW_QUEUE, options.rawMessages, {
          batch,
          inFlight: batch ? 4 : options.concurrency,
          maxConcurrentCalls: 32,
          onProgress: (done) => (raw.published = done),
        });
        report.rawServiceBus.push(result);
        progress.note(`[bench] ${phase}: ${Math.round(result.perSecond)} msg/s`);
      }
    }

    const publisher = createPublisher(stack.apiUrl, stack.functionKey, Math.max(options.concurrency, 64));
    try {
      for (const fanOut of options.fanOuts) {
        await runScenario(fanOut, options, { stack, receiverUrl: receiver.url, publisher, tracker, progress, processes, report, instrumentDir });
      }
    } finally {
      await publisher.close();
    }
    report.strayDeliveries = tracker.stray;
    progress.stop();

    const file = join(outDir, `pipeline-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, JSON.stringify(report, null, 2));
    console.log(formatReport(report));
    console.log(`\nWritten to ${file}`);
  } finally {
    progress.stop();
    if (stack) {
      process.stderr.write('[bench] stopping the stack\n');
      await stack.stop();
    }
    await receiver.close();
  }
}

interface ScenarioContext {
  stack: StackProcess;
  receiverUrl: (path: string) => string;
  publisher: ReturnType<typeof createPublisher>;
  tracker: DeliveryTracker;
  progress: ProgressLine;
  processes: WatchedProcesses;
  report: BenchReport;
  instrumentDir: string;
}

async function runScenario(fanOut: number, options: Options, scenario: ScenarioContext): Promise<void> {
  const { stack, progress, processes, report } = scenario;
  const topic = `bench-fanout-${fanOut}`;
  for (let i = 0; i < fanOut; i++) {
    const name = `sub-${i}`;
    await createWebhookSubscription(stack.apiUrl, stack.functionKey, topic, name, scenario.receiverUrl(`/${topic}/${name}`));
  }
  const context: PhaseContext = {
    publisher: scenario.publisher,
    tracker: scenario.tracker,
    progress,
    topic,
    fanOut,
    drainTimeoutMs: 15_000,
  };
  const events = Math.max(1, Math.round(fanOut > 1 ? options.events / 5 : options.events));

  // Warm-up: connections, JIT, the subscription cache; not reported.
  await runThroughput(context, `warm-up fan-out ${fanOut}`, Math.min(200, events), { concurrency: 8, batchSize: 0 });

  const single = await measureWithCpu(processes, scenario.instrumentDir, () =>
    runThroughput(context, `fan-out ${fanOut} single`, events, { concurrency: options.concurrency, batchSize: 0 }),
  );
  report.throughput.push(single);
  progress.note(
    `[bench] ${single.phase}: ${Math.round(single.eventsPerSecond)} events/s accepted, ${Math.round(single.deliveriesPerSecond)} deliveries/s`,
  );
  if (options.batchSize > 0) {
    const batch = await measureWithCpu(processes, scenario.instrumentDir, () =>
      runThroughput(context, `fan-out ${fanOut} batch`, events, {
        concurrency: options.batchConcurrency,
        batchSize: options.batchSize,
      }),
    );
    report.throughput.push(batch);
    progress.note(
      `[bench] ${batch.phase}: ${Math.round(batch.eventsPerSecond)} events/s accepted, ${Math.round(batch.deliveriesPerSecond)} deliveries/s`,
    );
  }
  if (options.latencySeconds > 0) {
    const rate = options.latencyRate ?? Math.max(1, Math.round(Math.min(single.deliveredEventsPerSecond, single.eventsPerSecond) / 2));
    const latency = await measureWithCpu(processes, scenario.instrumentDir, () =>
      runOpenLoop(context, `fan-out ${fanOut} latency`, rate, options.latencySeconds),
    );
    report.latency.push(latency);
    progress.note(
      `[bench] ${latency.phase} at ${rate} events/s: p50 ${latency.latencyMs.p50} ms, p99 ${latency.latencyMs.p99} ms`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(`[bench] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
