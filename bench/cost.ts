/**
 * `npm run bench:cost [-- options]`: counts what the pipeline asks of each Azure service per
 * event, for docs/cost.md (not a test, not a speed measurement). Runs the local stack of
 * `npm run bench` (bench/pipeline) with its Cosmos DB server and Azurite started here instead, so
 * that every request to them is counted on the way in, and reads the Service Bus emulator's own
 * operation counts (GET /operations) and the dev host's log of function executions. For fan-out
 * 1 and 10 it publishes events with single and batch publishes (and a few events large enough to
 * travel by claim check), waits until everything is quiet again and prints what each phase did,
 * per accepted event. Written as JSON to .local/bench/cost-<timestamp>.json after every phase.
 *
 *   --events N          1 KB events per phase at fan-out 1 (default 3000; fan-out 10: N/10)
 *   --large-events N    ~256 KB events (claim checks) per fan-out (default 20; 0 skips)
 *   --fan-outs 1,10     which scenarios to run
 *   --concurrency C     single publishes in flight (default 64)
 *   --batch-size B      events per batch publish (default 20; 0 skips the batch phases)
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import type { OperationTally } from '../local/servicebus-emulator';
import { EXTERNAL_PARTS_SETTING } from '../local/stack/stackParts';
import { DEFAULT_COSMOS_DATABASE, SETTINGS } from '../shared/config/names';
import { errorStack } from '../shared/errors/errorMessage';
import { startCountingBlob, type BlobTally, type CountingBlob } from './cost/blobCounter';
import { startCountingCosmos, type CosmosTally, type CountingCosmos } from './cost/cosmosCounter';
import { subtractCounts, totalOf, type NestedCounts } from './cost/counts';
import { logSize, readExecutionsSince } from './cost/functionLog';
import { formatCostReport, type CostPhase, type CostReport } from './cost/report';
import { DeliveryTracker } from './pipeline/deliveryTracker';
import { runThroughput, type PhaseContext } from './pipeline/phases';
import { ProgressLine } from './pipeline/progressLine';
import { benchEvent } from './pipeline/publisher';
import { startBenchReceiver } from './pipeline/receiver';
import { type BenchReport, machineNow } from './pipeline/report';
import { onFreshStack, type BenchRun } from './pipeline/scenario';

const REPO_ROOT = resolve(__dirname, '..');
/** Larger than the claim-check threshold (192 KB), smaller than the 1 MB event limit. */
const LARGE_PAD_BYTES = 256 * 1024;

function readOptions() {
  const { values } = parseArgs({
    options: {
      events: { type: 'string', default: '3000' },
      'large-events': { type: 'string', default: '20' },
      'fan-outs': { type: 'string', default: '1,10' },
      concurrency: { type: 'string', default: '64' },
      'batch-size': { type: 'string', default: '20' },
    },
  });
  const number = (name: keyof typeof values) => {
    const value = Number(values[name]);
    if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a whole number`);
    return value;
  };
  return {
    events: Math.max(1, number('events')),
    largeEvents: number('large-events'),
    fanOuts: String(values['fan-outs'])
      .split(',')
      .map(Number)
      .filter((n) => Number.isInteger(n) && n > 0),
    concurrency: Math.max(1, number('concurrency')),
    batchSize: number('batch-size'),
  };
}
type Options = ReturnType<typeof readOptions>;

/** Everything counted so far, from every counter. */
interface Counters {
  serviceBus(): Promise<OperationTally>;
  cosmos: CountingCosmos;
  blob: CountingBlob;
  logFile: string;
}

async function fetchOperations(url: string | undefined): Promise<OperationTally> {
  if (!url) throw new Error('the stack runs no Service Bus emulator to count operations of');
  // A stack busy with a phase can take a while to answer; it is not a failure to count.
  const response = await fetch(url, { signal: AbortSignal.timeout(60_000) });
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return (await response.json()) as OperationTally;
}

/**
 * Waits until no counter moved for 1.5 s (settlements after the last webhook, the last log
 * lines), up to 30 s, so a phase's trailing work is counted in it and not in the next.
 */
async function untilQuiet(counters: Counters): Promise<void> {
  const signature = async () =>
    [
      totalOf(await counters.serviceBus()),
      totalOf(counters.cosmos.snapshot() as unknown as NestedCounts),
      totalOf(counters.blob.snapshot()),
      logSize(counters.logFile),
    ].join(',');
  const deadline = Date.now() + 30_000;
  let last = await signature();
  let stableSince = Date.now();
  while (Date.now() < deadline && Date.now() - stableSince < 1500) {
    await sleep(250);
    const now = await signature();
    if (now !== last) {
      last = now;
      stableSince = Date.now();
    }
  }
}

/** Runs `work` between two quiet points and returns what every counter saw meanwhile. */
async function counted(
  counters: Counters,
  work: () => Promise<{ events: number; deliveries: number }>,
): Promise<
  Pick<CostPhase, 'events' | 'deliveries' | 'seconds' | 'serviceBus' | 'cosmos' | 'blob' | 'executions'>
> {
  await untilQuiet(counters);
  const logFrom = logSize(counters.logFile);
  const before = {
    serviceBus: (await counters.serviceBus()) as NestedCounts,
    cosmos: counters.cosmos.snapshot() as unknown as NestedCounts,
    blob: counters.blob.snapshot() as NestedCounts,
  };
  const started = Date.now();
  const { events, deliveries } = await work();
  await untilQuiet(counters);
  const seconds = (Date.now() - started) / 1000;
  return {
    events,
    deliveries,
    seconds,
    serviceBus: subtractCounts(await counters.serviceBus(), before.serviceBus) as OperationTally,
    cosmos: subtractCounts(
      counters.cosmos.snapshot() as unknown as NestedCounts,
      before.cosmos,
    ) as unknown as CosmosTally,
    blob: subtractCounts(counters.blob.snapshot(), before.blob) as BlobTally,
    executions: readExecutionsSince(counters.logFile, logFrom).tally,
  };
}

/** Publishes `count` events of ~256 KB one at a time, a few in flight, and waits for their deliveries. */
async function publishLarge(context: PhaseContext, phase: string, count: number) {
  const deliveries = context.tracker.open(phase);
  const pad = 'x'.repeat(LARGE_PAD_BYTES);
  let next = 0;
  let accepted = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < count) {
        const base = benchEvent(phase, next++);
        await context.publisher.publish(context.topic, { ...base, data: { ...base.data, pad } });
        accepted += 1;
      }
    }),
  );
  const deadline = Date.now() + context.drainTimeoutMs;
  while (deliveries.unique < accepted * context.fanOut && Date.now() < deadline) await sleep(50);
  return { events: accepted, deliveries: deliveries.unique };
}

async function measureFanOut(
  fanOut: number,
  options: Options,
  shared: {
    tracker: DeliveryTracker;
    progress: ProgressLine;
    receiverUrl: (path: string) => string;
    outDir: string;
    stamp: string;
    /** Each phase as soon as it is counted. */
    onPhase: (phase: CostPhase) => void;
  },
): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-cost-'));
  const cosmos = await startCountingCosmos(DEFAULT_COSMOS_DATABASE);
  const blob = await startCountingBlob(dataDir).catch(async (error: unknown) => {
    await cosmos.close();
    throw error;
  });
  const logFile = join(shared.outDir, `cost-${shared.stamp}-devhost-fanout-${fanOut}.log`);
  const run: BenchRun = {
    settings: {
      SWITCHYARD_SUBSCRIPTION_CACHE_SECONDS: '5',
      [EXTERNAL_PARTS_SETTING]: 'cosmos,azurite',
      [SETTINGS.cosmosConnection]: cosmos.connectionString,
      [SETTINGS.payloadStorageConnection]: blob.connectionString,
      AzureWebJobsStorage: blob.connectionString,
    },
    stackEnv: { BENCH_DEVHOST_LOG: logFile },
    instrumentDir: dataDir,
    profile: false,
    receiverUrl: shared.receiverUrl,
    tracker: shared.tracker,
    progress: shared.progress,
    report: { startupMs: [] } as unknown as BenchReport,
    publishConnections: Math.max(options.concurrency, 64),
  };
  const events = fanOut > 1 ? Math.max(1, Math.round(options.events / 10)) : options.events;
  try {
    await onFreshStack(run, fanOut, 1, async ({ stack, context }) => {
      const counters: Counters = {
        serviceBus: () => fetchOperations(stack.serviceBusOperationsUrl),
        cosmos,
        blob,
        logFile,
      };
      const eventBytes = Buffer.byteLength(JSON.stringify(benchEvent('fan-out 10 single', 0)));
      const modes = [
        { label: 'single', concurrency: options.concurrency, batchSize: 0 },
        ...(options.batchSize > 0 ? [{ label: 'batch', concurrency: 8, batchSize: options.batchSize }] : []),
      ];
      for (const { label, ...load } of modes) {
        const phase = `fan-out ${fanOut} ${label}`;
        const result = await counted(counters, async () => {
          const throughput = await runThroughput(context, phase, events, load);
          return { events: throughput.accepted, deliveries: throughput.delivered };
        });
        const publishMode = load.batchSize > 0 ? `batches of ${load.batchSize}` : 'one event per request';
        shared.onPhase({ phase, fanOut, publishMode, eventBytes, ...result });
        shared.progress.note(`[cost] ${phase}: counted`);
      }
      if (options.largeEvents > 0) {
        const phase = `fan-out ${fanOut} claim check`;
        const result = await counted(counters, () => publishLarge(context, phase, options.largeEvents));
        const base = benchEvent(phase, 0);
        const large = { ...base, data: { ...base.data, pad: 'x'.repeat(LARGE_PAD_BYTES) } };
        shared.onPhase({
          phase,
          fanOut,
          publishMode: 'one event per request, 4 in flight',
          eventBytes: Buffer.byteLength(JSON.stringify(large)),
          ...result,
        });
        shared.progress.note(`[cost] ${phase}: counted`);
      }
    });
  } finally {
    await blob.close();
    await cosmos.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const options = readOptions();
  const startedAt = new Date();
  const stamp = startedAt.toISOString().replace(/[:.]/g, '-');
  const outDir = join(REPO_ROOT, '.local/bench');
  mkdirSync(outDir, { recursive: true });
  const tracker = new DeliveryTracker();
  const receiver = await startBenchReceiver((arrival) => tracker.record(arrival));
  const progress = new ProgressLine();
  const report: CostReport = {
    startedAt: startedAt.toISOString(),
    machine: { ...machineNow(), loadAverageAtEnd: [] },
    phases: [],
  };
  const file = join(outDir, `cost-${stamp}.json`);
  const onPhase = (phase: CostPhase) => {
    report.phases.push(phase);
    report.machine.loadAverageAtEnd = loadavg();
    writeFileSync(file, JSON.stringify(report, null, 2));
  };
  try {
    for (const fanOut of options.fanOuts) {
      await measureFanOut(fanOut, options, {
        tracker,
        progress,
        receiverUrl: receiver.url,
        outDir,
        stamp,
        onPhase,
      });
    }
    report.machine.loadAverageAtEnd = loadavg();
    progress.stop();
    writeFileSync(file, JSON.stringify(report, null, 2));
    console.log(formatCostReport(report));
    console.log(`\nWritten to ${file}`);
  } finally {
    progress.stop();
    await receiver.close();
  }
}

main().catch((error: unknown) => {
  console.error(`[cost] failed: ${errorStack(error)}`);
  process.exit(1);
});
