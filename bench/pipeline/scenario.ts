import { performance } from 'node:perf_hooks';
import type { DeliveryTracker } from './deliveryTracker';
import { eventLoopPercent } from './eventLoop';
import { runOpenLoop, runThroughput, type PhaseContext } from './phases';
import { toggleProfilers } from './phaseProfile';
import { BENCH_PROCESS, cpuPercent, cpuSnapshot, findProcesses, type WatchedProcesses } from './processCpu';
import type { ProgressLine } from './progressLine';
import { createPublisher } from './publisher';
import type { BenchReport, PhaseLoad } from './report';
import { startStackProcess, type StackProcess } from './startStackProcess';
import { createWebhookSubscription } from './subscriptions';

const WARM_UP_EVENTS = 50;

export interface BenchRun {
  settings: Record<string, string>;
  stackEnv: Record<string, string>;
  instrumentDir: string;
  /** --profile: CPU profiles of the stack's processes over each measured phase (phaseProfile.ts). */
  profile: boolean;
  receiverUrl: (path: string) => string;
  tracker: DeliveryTracker;
  progress: ProgressLine;
  report: BenchReport;
  publishConnections: number;
}

export interface PhaseStack {
  stack: StackProcess;
  context: PhaseContext;
  processes: WatchedProcesses;
}

/**
 * Starts a fresh stack, subscribes `fanOut` webhooks to a topic, warms the pipeline up, runs
 * `phase` and stops the stack again.
 */
export async function onFreshStack<T>(
  run: BenchRun,
  fanOut: number,
  devHosts: number,
  phase: (stack: PhaseStack) => Promise<T>,
): Promise<T> {
  const stack = await startStackProcess(run.settings, run.stackEnv, devHosts);
  run.report.startupMs.push(stack.startupMs);
  const publisher = createPublisher(stack.apiUrls, stack.functionKey, run.publishConnections);
  try {
    const topic = `bench-fanout-${fanOut}`;
    for (let i = 0; i < fanOut; i++) {
      const name = `sub-${i}`;
      await createWebhookSubscription(
        stack.apiUrl,
        stack.functionKey,
        topic,
        name,
        run.receiverUrl(`/${topic}/${name}`),
      );
    }
    const context: PhaseContext = {
      publisher,
      tracker: run.tracker,
      progress: run.progress,
      topic,
      fanOut,
      drainTimeoutMs: 15_000,
    };
    // Connections, JIT, the subscription cache; not reported.
    await runThroughput(context, `warm-up fan-out ${fanOut} ${stack.pid}`, WARM_UP_EVENTS, {
      concurrency: 8,
      batchSize: 0,
    });
    return await phase({ stack, context, processes: findProcesses(stack.pid, stack.devHostPids) });
  } finally {
    run.progress.show({ phase: 'stopping the stack', published: 0, toPublish: 0, expectedDeliveries: 0 });
    await publisher.close();
    await stack.stop();
  }
}

/** Runs a phase and adds the CPU and event loop use of each process meanwhile. */
export async function measureLoad<T>(
  processes: WatchedProcesses,
  { instrumentDir, profile }: Pick<BenchRun, 'instrumentDir' | 'profile'>,
  run: () => Promise<T>,
): Promise<T & PhaseLoad> {
  if (profile) toggleProfilers(instrumentDir, processes, 'start');
  const before = cpuSnapshot(processes);
  const eluBefore = performance.eventLoopUtilization();
  const from = Date.now();
  const started = performance.now();
  const result = await run();
  const seconds = (performance.now() - started) / 1000;
  const elu = performance.eventLoopUtilization(eluBefore);
  const after = cpuSnapshot(processes);
  if (profile) toggleProfilers(instrumentDir, processes, 'stop');
  // Let the other processes write their last sample of the phase.
  await new Promise((resolve) => setTimeout(resolve, 600));
  const loops = eventLoopPercent(instrumentDir, processes, from, Date.now() - 600);
  loops[BENCH_PROCESS] = Math.round(100 * elu.utilization);
  const cpuSeconds = Object.fromEntries(
    Object.keys(after).map((label) => [label, (after[label] ?? NaN) - (before[label] ?? NaN)]),
  );
  return { ...result, cpuSeconds, cpuPercent: cpuPercent(before, after, seconds), eventLoopPercent: loops };
}

export interface ScenarioOptions {
  events: number;
  concurrency: number;
  batchSize: number;
  batchConcurrency: number;
  latencySeconds: number;
  latencyRate?: number | undefined;
  /** Dev hosts of the extra fan-out 1 single-publish phase (0: none). */
  scaleOut: number;
  /** Appended to every phase name, e.g. the trigger cardinality the stack runs with. */
  label?: string;
}

/** Fan-out N: single-publish throughput, batch-publish throughput, then latency at half of it. */
export async function runScenario(run: BenchRun, fanOut: number, options: ScenarioOptions): Promise<void> {
  const { progress, report } = run;
  const events = Math.max(1, Math.round(fanOut > 1 ? options.events / 5 : options.events));
  const suffix = options.label ? `, ${options.label}` : '';

  const single = await onFreshStack(run, fanOut, 1, ({ context, processes }) =>
    measureLoad(processes, run, () =>
      runThroughput(context, `fan-out ${fanOut} single${suffix}`, events, {
        concurrency: options.concurrency,
        batchSize: 0,
      }),
    ),
  );
  report.throughput.push({ ...single, devHosts: 1 });
  progress.note(
    `[bench] ${single.phase}: ${Math.round(single.eventsPerSecond)} events/s accepted, ${Math.round(single.deliveriesPerSecond)} deliveries/s`,
  );

  if (options.batchSize > 0) {
    const batch = await onFreshStack(run, fanOut, 1, ({ context, processes }) =>
      measureLoad(processes, run, () =>
        runThroughput(context, `fan-out ${fanOut} batch${suffix}`, events, {
          concurrency: options.batchConcurrency,
          batchSize: options.batchSize,
        }),
      ),
    );
    report.throughput.push({ ...batch, devHosts: 1 });
    progress.note(
      `[bench] ${batch.phase}: ${Math.round(batch.eventsPerSecond)} events/s accepted, ${Math.round(batch.deliveriesPerSecond)} deliveries/s`,
    );
  }

  if (options.latencySeconds > 0) {
    const rate =
      options.latencyRate ??
      Math.max(1, Math.round(Math.min(single.deliveredEventsPerSecond, single.eventsPerSecond) / 2));
    const seconds = options.latencySeconds;
    const latency = await onFreshStack(run, fanOut, 1, ({ context, processes }) =>
      measureLoad(processes, run, () =>
        runOpenLoop(context, `fan-out ${fanOut} latency${suffix}`, rate, seconds),
      ),
    );
    report.latency.push(latency);
    progress.note(
      `[bench] ${latency.phase} at ${rate} events/s: p50 ${latency.latencyMs.p50} ms, p99 ${latency.latencyMs.p99} ms`,
    );
  }
}

/** Fan-out 1, single publishes, on `devHosts` dev hosts sharing one emulator and Cosmos server. */
export async function runScaleOut(run: BenchRun, devHosts: number, options: ScenarioOptions): Promise<void> {
  const events = Math.max(1, options.events);
  const modes = [
    { label: 'single', concurrency: options.concurrency, batchSize: 0 },
    ...(options.batchSize > 0
      ? [{ label: 'batch', concurrency: options.batchConcurrency, batchSize: options.batchSize }]
      : []),
  ];
  for (const { label, ...load } of modes) {
    const result = await onFreshStack(run, 1, devHosts, ({ context, processes }) =>
      measureLoad(processes, run, () =>
        runThroughput(context, `fan-out 1 ${label} x${devHosts} hosts`, events, load),
      ),
    );
    run.report.throughput.push({ ...result, devHosts });
    run.progress.note(
      `[bench] ${result.phase}: ${Math.round(result.eventsPerSecond)} events/s accepted, ${Math.round(result.deliveriesPerSecond)} deliveries/s`,
    );
  }
}
