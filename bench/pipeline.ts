/**
 * `npm run bench [-- options]`: the end-to-end pipeline benchmark (not a test). Starts the local
 * stack on free ports (quiet), points webhook subscriptions at an in-process receiver, and for
 * fan-out 1 (topic bench-a, one subscription) and fan-out 10 (topic bench-b, ten) measures
 * publish -> webhook 2xx: events/s accepted and deliveries/s completed with single and batch
 * publishes, then publish -> delivery latency at a fixed rate (half the measured throughput).
 * Beside it, in the same run and with the same concurrency (host.json's maxConcurrentCalls, the
 * batch publish size and requests in flight): the wire floor (bench/floor.ts) and the raw emulator
 * rate (SDK send -> receive -> complete, 1 KB). Prints a table, writes it as JSON to
 * .local/bench/pipeline-<timestamp>.json, and ends with the line
 *   ratio to floor: single X.XX, batch Y.YY; p99 at half load Z ms (triggers many)
 * (fan-out 1 deliveries/s with single and batch publishes over the floor's, and the fan-out 1
 * latency phase's p99), one such line per trigger cardinality measured, the default's last.
 *
 *   --quick              a few minutes: fan-out 1 only, 1000 events, 5 s latency phase, no raw
 *                        emulator or scale-out runs, the default trigger cardinality only
 *   --triggers many,one  trigger cardinalities to run (SWITCHYARD_PIPELINE_CARDINALITY; default
 *                        both, --quick: the app's default); the second runs fan-out 1 only
 *   --floor-events N     events of the floor run (default: --events)
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
 *   --profile            write CPU profiles of the stack's processes over each measured phase (not
 *                        start-up or warm-up) to .local/bench/run-<timestamp>/ (profiles.log names
 *                        them; event loop samples land there on every run)
 *   --profile-allocations  the same with the sampling heap profiler: what each phase allocated, by
 *                        function (alloc-<pid>-<n>.heapprofile)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { measureFloor } from './floor/measureFloor';
import { DeliveryTracker } from './pipeline/deliveryTracker';
import { hostServiceBusOptions } from './pipeline/hostConcurrency';
import { ProgressLine } from './pipeline/progressLine';
import { measureRawServiceBus } from './pipeline/rawServiceBus';
import { startBenchReceiver } from './pipeline/receiver';
import { type BenchReport, formatReport, machineNow, ratioLines } from './pipeline/report';
import { type BenchRun, runScaleOut, runScenario } from './pipeline/scenario';
import { startStackProcess } from './pipeline/startStackProcess';
import { DEFAULT_PIPELINE_CARDINALITY, type TriggerCardinality } from '../shared/config/settings';
import { SETTINGS } from '../shared/config/names';
import { errorStack } from '../shared/errors/errorMessage';

const REPO_ROOT = resolve(__dirname, '..');
/** A queue of the local stack that no function consumes. */
const RAW_QUEUE = 'sample-destination';

function readOptions() {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      events: { type: 'string' },
      'floor-events': { type: 'string' },
      'latency-seconds': { type: 'string' },
      'latency-rate': { type: 'string' },
      concurrency: { type: 'string', default: '64' },
      'batch-size': { type: 'string', default: '20' },
      'batch-concurrency': { type: 'string', default: '8' },
      'raw-messages': { type: 'string' },
      'fan-outs': { type: 'string' },
      'scale-out': { type: 'string' },
      triggers: { type: 'string' },
      profile: { type: 'boolean', default: false },
      'profile-allocations': { type: 'boolean', default: false },
    },
  });
  const quick = values.quick === true;
  const defaults = quick
    ? { events: '1000', latencySeconds: '5', rawMessages: '0', fanOuts: '1', scaleOut: '0' }
    : { events: '4000', latencySeconds: '10', rawMessages: '4000', fanOuts: '1,10', scaleOut: '2' };
  const number = (name: string, text: string | undefined) => {
    const value = Number(text);
    if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} must be a number`);
    return value;
  };
  const triggers = (values.triggers ?? (quick ? DEFAULT_PIPELINE_CARDINALITY : 'many,one'))
    .split(',')
    .map((mode) => mode.trim())
    .filter((mode) => mode !== '');
  for (const mode of triggers) {
    if (mode !== 'many' && mode !== 'one') throw new Error('--triggers takes many, one or both');
  }
  // The app's default last: the final line is the one the README quotes.
  const ordered = [...new Set(triggers as TriggerCardinality[])].sort((a) =>
    a === DEFAULT_PIPELINE_CARDINALITY ? 1 : -1,
  );
  const events = number('events', values.events ?? defaults.events);
  return {
    quick,
    events,
    floorEvents: number('floor-events', values['floor-events'] ?? String(events)),
    latencySeconds: number('latency-seconds', values['latency-seconds'] ?? defaults.latencySeconds),
    latencyRate:
      values['latency-rate'] !== undefined ? number('latency-rate', values['latency-rate']) : undefined,
    concurrency: Math.max(1, number('concurrency', values.concurrency)),
    batchSize: number('batch-size', values['batch-size']),
    batchConcurrency: Math.max(1, number('batch-concurrency', values['batch-concurrency'])),
    rawMessages: number('raw-messages', values['raw-messages'] ?? defaults.rawMessages),
    fanOuts: (values['fan-outs'] ?? defaults.fanOuts)
      .split(',')
      .map(Number)
      .filter((n) => n > 0),
    scaleOut: number('scale-out', values['scale-out'] ?? defaults.scaleOut),
    triggers: ordered,
    profile: values.profile === true || values['profile-allocations'] === true,
    profileAllocations: values['profile-allocations'] === true,
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
    ...(options.profile
      ? { SWITCHYARD_BENCH_CPU_PROFILE: options.profileAllocations ? 'allocations' : '1' }
      : {}),
  };
  const report: BenchReport = {
    startedAt: startedAt.toISOString(),
    machine: machineNow(),
    options,
    serviceBus: hostServiceBusOptions(),
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
    profile: options.profile,
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
    await measureTheFloor(run, options);
    if (options.rawMessages > 0) await measureRaw(run, options);
    for (const [index, triggers] of options.triggers.entries()) {
      const last = index === options.triggers.length - 1;
      const modeRun: BenchRun = {
        ...run,
        settings: { ...run.settings, [SETTINGS.pipelineTriggerCardinality]: triggers },
      };
      // The other cardinality at fan-out 1 only, to show the difference; the default runs all.
      for (const fanOut of last ? options.fanOuts : options.fanOuts.filter((n) => n === 1)) {
        await runScenario(modeRun, fanOut, { ...options, label: `triggers ${triggers}` });
      }
      if (last && options.scaleOut > 1) await runScaleOut(modeRun, options.scaleOut, options);
    }
    report.strayDeliveries = tracker.stray;
    progress.stop();

    const file = join(outDir, `pipeline-${stamp}.json`);
    writeFileSync(file, JSON.stringify(report, null, 2));
    console.log(formatReport(report));
    console.log(`\nWritten to ${file}`);
    console.log('');
    for (const line of ratioLines(report, options.triggers)) console.log(line);
  } finally {
    progress.stop();
    await receiver.close();
  }
}

/** The wire floor, with the batch publishes and the receivers' concurrency of the pipeline phases. */
async function measureTheFloor(run: BenchRun, options: ReturnType<typeof readOptions>): Promise<void> {
  const floor = { phase: 'wire floor', published: 0, toPublish: options.floorEvents, expectedDeliveries: 0 };
  run.progress.show(floor);
  run.report.floor = await measureFloor({
    events: options.floorEvents,
    batchSize: options.batchSize > 0 ? options.batchSize : 20,
    inFlight: options.batchConcurrency,
    maxConcurrentCalls: run.report.serviceBus.maxConcurrentCalls,
    log: (line) => run.progress.note(line),
    instrument: { env: run.stackEnv, dir: run.instrumentDir, profile: run.profile },
  });
  run.progress.note(`[bench] wire floor: ${Math.round(run.report.floor.deliveriesPerSecond)} deliveries/s`);
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
        maxConcurrentCalls: run.report.serviceBus.maxConcurrentCalls,
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
