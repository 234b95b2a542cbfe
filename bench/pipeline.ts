/**
 * `npm run bench [-- options]`: the end-to-end pipeline benchmark (not a test). Starts the local
 * stack on free ports (quiet), points webhook subscriptions at an in-process receiver, and for
 * fan-out 1 (topic bench-a, one subscription) and fan-out 10 (topic bench-b, ten) measures
 * publish -> webhook 2xx: events/s accepted and deliveries/s completed with single and batch
 * publishes, then publish -> delivery latency at a fixed rate (half the measured throughput).
 * Beside it, the raw emulator rate (SDK send -> receive -> complete, 1 KB) in the same run.
 * Prints a table and writes it as JSON to .local/bench/pipeline-<timestamp>.json.
 *
 *   --events N           events per throughput phase at fan-out 1 (default 4000; fan-out 10: N/5)
 *   --latency-seconds S  length of each open-loop latency phase (default 10)
 *   --latency-rate R     events/s of the latency phases (default: half the measured throughput)
 *   --concurrency C      single publishes in flight (default 64)
 *   --batch-size B       events per batch publish (default 20; 0 skips the batch phases)
 *   --batch-concurrency  batch requests in flight (default 8)
 *   --raw-messages N     messages of each raw emulator run (default 4000; 0 skips it)
 *   --fan-outs 1,10      which scenarios to run
 *   --scale-out N        also run fan-out 1 (single and batch publishes) on N dev hosts (default 2; 0 skips)
 *   --profile            write CPU profiles of the stack's processes to .local/bench/run-<timestamp>/
 *                        (event loop samples land there on every run)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DeliveryTracker } from './pipeline/deliveryTracker';
import { ProgressLine } from './pipeline/progressLine';
import { measureRawServiceBus } from './pipeline/rawServiceBus';
import { startBenchReceiver } from './pipeline/receiver';
import { type BenchReport, formatReport } from './pipeline/report';
import { type BenchRun, runScaleOut, runScenario } from './pipeline/scenario';
import { startStackProcess } from './pipeline/startStackProcess';
import { errorStack } from '../shared/errors/errorMessage';

const REPO_ROOT = resolve(__dirname, '..');
/** A queue of the local stack that no function consumes. */
const RAW_QUEUE = 'sample-destination';

function readOptions() {
  const { values } = parseArgs({
    options: {
      events: { type: 'string', default: '4000' },
      'latency-seconds': { type: 'string', default: '10' },
      'latency-rate': { type: 'string' },
      concurrency: { type: 'string', default: '64' },
      'batch-size': { type: 'string', default: '20' },
      'batch-concurrency': { type: 'string', default: '8' },
      'raw-messages': { type: 'string', default: '4000' },
      'fan-outs': { type: 'string', default: '1,10' },
      'scale-out': { type: 'string', default: '2' },
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
    fanOuts: String(values['fan-outs'])
      .split(',')
      .map(Number)
      .filter((n) => n > 0),
    scaleOut: number('scale-out'),
    profile: values.profile === true,
  };
}

async function main(): Promise<void> {
  const options = readOptions();
  const startedAt = new Date();
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const outDir = join(REPO_ROOT, '.local/bench');
  // Event loop samples (and CPU profiles with --profile) of the stack's processes land here.
  const instrumentDir = join(outDir, `run-${stamp}`);
  mkdirSync(instrumentDir, { recursive: true });
  const stackEnv: Record<string, string> = {
    NODE_OPTIONS: `--import ${join(__dirname, 'pipeline/instrumentPreload.mjs')}`,
    SWITCHYARD_BENCH_INSTRUMENT_DIR: instrumentDir,
    ...(options.profile ? { SWITCHYARD_BENCH_CPU_PROFILE: '1' } : {}),
  };
  const report: BenchReport = {
    startedAt: startedAt.toISOString(),
    machine: {
      cpus: availableParallelism(),
      node: process.versions.node,
      platform: process.platform,
      loadAverageAtStart: loadavg(),
    },
    options,
    startupMs: [],
    rawServiceBus: [],
    throughput: [],
    latency: [],
    strayDeliveries: 0,
  };

  const tracker = new DeliveryTracker();
  const receiver = await startBenchReceiver((arrival) => tracker.record(arrival));
  const progress = new ProgressLine();
  const run: BenchRun = {
    settings: { SWITCHYARD_SUBSCRIPTION_CACHE_SECONDS: '5' },
    stackEnv,
    instrumentDir,
    receiverUrl: receiver.url,
    tracker,
    progress,
    report,
    publishConnections: Math.max(options.concurrency, 64),
  };
  try {
    progress.note(
      '[bench] each phase runs on a fresh stack (Service Bus emulator, Cosmos DB server, Azurite, dev host)',
    );
    if (options.rawMessages > 0) await measureRaw(run, options);
    for (const fanOut of options.fanOuts) await runScenario(run, fanOut, options);
    if (options.scaleOut > 1) await runScaleOut(run, options.scaleOut, options);
    report.strayDeliveries = tracker.stray;
    progress.stop();

    const file = join(outDir, `pipeline-${stamp}.json`);
    writeFileSync(file, JSON.stringify(report, null, 2));
    console.log(formatReport(report));
    console.log(`\nWritten to ${file}`);
  } finally {
    progress.stop();
    await receiver.close();
  }
}

/** The emulator alone through the SDK, on a stack of its own. */
async function measureRaw(run: BenchRun, options: ReturnType<typeof readOptions>): Promise<void> {
  const stack = await startStackProcess(run.settings, run.stackEnv);
  run.report.startupMs.push(stack.startupMs);
  try {
    // A fresh client per run, each below the emulator's per-link limit.
    const messages = options.rawMessages;
    for (const batch of [false, true]) {
      const phase = `raw emulator ${batch ? 'batch' : 'single'}`;
      const raw = { phase, published: 0, toPublish: messages, expectedDeliveries: messages };
      run.progress.show(raw);
      const result = await measureRawServiceBus(stack.serviceBusConnectionString, RAW_QUEUE, messages, {
        batch,
        inFlight: batch ? 4 : options.concurrency,
        maxConcurrentCalls: 32,
        onProgress: (done) => (raw.published = done),
      });
      run.report.rawServiceBus.push(result);
      run.progress.note(`[bench] ${phase}: ${Math.round(result.perSecond)} msg/s`);
    }
  } finally {
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  console.error(`[bench] failed: ${errorStack(error)}`);
  process.exit(1);
});
