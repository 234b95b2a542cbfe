import { availableParallelism, loadavg } from 'node:os';
import type { ServiceBusHostOptions } from '../../local/devhost/app/readHostOptions';
import type { FloorResult } from '../floor/measureFloor';
import type { LatencyResult, ThroughputResult } from './phases';
import { OTHER_PROCESSES } from './processCpu';
import type { RawServiceBusResult } from './rawServiceBus';

/** What each process used during a phase, in percent of one core / of its event loop. */
export interface PhaseLoad {
  /** CPU seconds each process used during the phase. */
  cpuSeconds: Record<string, number>;
  cpuPercent: Record<string, number>;
  eventLoopPercent: Record<string, number>;
}

export interface BenchReport {
  startedAt: string;
  machine: Machine;
  options: Record<string, unknown>;
  /** host.json's Service Bus settings the dev host, the floor and the raw run used. */
  serviceBus: ServiceBusHostOptions;
  /** The wire floor, measured at the start of the run. */
  floor?: FloorResult;
  /** Start-up time of each fresh stack. */
  startupMs: number[];
  rawServiceBus: RawServiceBusResult[];
  throughput: Array<ThroughputResult & PhaseLoad & { devHosts: number }>;
  latency: Array<LatencyResult & PhaseLoad>;
  strayDeliveries: number;
}

const int = (value: number) => (Number.isFinite(value) ? Math.round(value).toString() : '-');
const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(1) : '-');

/** The machine a bench ran on, as every bench report states it. */
export interface Machine {
  cpus: number;
  node: string;
  platform: string;
  loadAverageAtStart: number[];
}

export function machineNow(): Machine {
  return {
    cpus: availableParallelism(),
    node: process.versions.node,
    platform: process.platform,
    loadAverageAtStart: loadavg(),
  };
}

/** A plain-text table: the first column left-aligned, the others right-aligned. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((title, i) =>
    Math.max(title.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function load(phase: PhaseLoad): string {
  return Object.entries(phase.cpuPercent)
    .map(([label, percent]) => {
      const loop = phase.eventLoopPercent[label];
      return `${label} ${percent}%${loop !== undefined ? ` (loop ${loop}%)` : ''}`;
    })
    .join(', ');
}

/** The final table, as printed. */
export function formatReport(report: BenchReport): string {
  const out: string[] = [];
  out.push(
    `Switchyard pipeline benchmark, ${report.startedAt}, ${report.machine.cpus} CPUs, Node ${report.machine.node}; ` +
      `load average ${report.machine.loadAverageAtStart.map((n) => n.toFixed(1)).join(' ')} at start; ` +
      `1 KB events; each phase on a fresh stack (started in ${(report.startupMs.reduce((a, b) => a + b, 0) / Math.max(1, report.startupMs.length) / 1000).toFixed(1)} s on average)`,
  );
  const sb = report.serviceBus;
  out.push(
    `host.json Service Bus: maxConcurrentCalls ${sb.maxConcurrentCalls}, maxMessageBatchSize ${sb.maxMessageBatchSize}, ` +
      `minMessageBatchSize ${sb.minMessageBatchSize}, prefetchCount ${sb.prefetchCount}`,
  );
  const floor = report.floor;
  if (floor) {
    out.push(
      '',
      `Wire floor (bench/floor.ts; same machine, run and concurrency): ${int(floor.deliveriesPerSecond)} deliveries/s, ` +
        `p50 ${ms(floor.latencyMs.p50)} ms, p99 ${ms(floor.latencyMs.p99)} ms; CPU ms per event: ` +
        Object.entries(floor.cpuMsPerEvent)
          .map(([label, value]) => `${label} ${value.toFixed(2)}`)
          .join(', ') +
        `; total ${floor.cpuMsPerEventTotal.toFixed(2)}`,
    );
  }
  if (report.rawServiceBus.length > 0) {
    out.push('', 'Raw Service Bus emulator (SDK send -> receive -> complete, 1 KB, all at once)');
    out.push(
      table(
        ['mode', 'messages', 'msg/s'],
        report.rawServiceBus.map((r) => [r.mode, int(r.messages), int(r.perSecond)]),
      ),
    );
  }
  out.push('', 'Throughput (closed loop: publish N events as fast as accepted, wait for every delivery)');
  out.push(
    table(
      [
        'fan-out',
        'publish',
        'events',
        'events/s accepted',
        'deliveries/s',
        'events/s delivered',
        'delivered',
        'p50 ms',
        'p99 ms',
      ],
      report.throughput.map((r) => [
        String(r.fanOut),
        `${r.publishMode}${r.devHosts > 1 ? `, ${r.devHosts} dev hosts` : ''}`,
        int(r.events),
        int(r.eventsPerSecond),
        int(r.deliveriesPerSecond),
        int(r.deliveredEventsPerSecond),
        `${r.delivered}/${r.expected}`,
        ms(r.latencyMs.p50),
        ms(r.latencyMs.p99),
      ]),
    ),
  );
  out.push('', 'Latency (open loop at a fixed rate, single publishes; publish -> webhook arrival)');
  out.push(
    table(
      [
        'fan-out',
        'target ev/s',
        'achieved ev/s',
        'delivered',
        'p50 ms',
        'p95 ms',
        'p99 ms',
        'max ms',
        'publish p99 ms',
      ],
      report.latency.map((r) => [
        String(r.fanOut),
        int(r.targetEventsPerSecond),
        int(r.achievedEventsPerSecond),
        `${r.delivered}/${r.expected}`,
        ms(r.latencyMs.p50),
        ms(r.latencyMs.p95),
        ms(r.latencyMs.p99),
        ms(r.latencyMs.max),
        ms(r.publishLatencyMs.p99),
      ]),
    ),
  );
  out.push(
    '',
    'CPU per process during each phase (% of one core; 2 cores = 200%), and its event loop utilization',
  );
  for (const r of [...report.throughput, ...report.latency]) out.push(`  ${r.phase.padEnd(22)} ${load(r)}`);
  out.push(
    '',
    'CPU milliseconds per event (all cores), by process: the cost that does not depend on other load',
  );
  for (const r of report.throughput) {
    const perEvent = Object.entries(r.cpuSeconds)
      .filter(([label]) => label !== OTHER_PROCESSES)
      .map(([label, seconds]) => `${label} ${((1000 * seconds) / r.accepted).toFixed(2)}`);
    const total = Object.entries(r.cpuSeconds)
      .filter(([label]) => label !== OTHER_PROCESSES)
      .reduce((sum, [, seconds]) => sum + seconds, 0);
    out.push(
      `  ${r.phase.padEnd(22)} ${perEvent.join(', ')}; total ${((1000 * total) / r.accepted).toFixed(2)} ms/event`,
    );
  }
  if (report.strayDeliveries > 0) out.push(`(${report.strayDeliveries} deliveries of no known phase)`);
  return out.join('\n');
}

/**
 * The closing lines: per trigger cardinality, fan-out 1 deliveries/s with single and batch
 * publishes over the floor's, and the p99 of the fan-out 1 latency phase (half load). The last
 * line is the app's default cardinality.
 */
export function ratioLines(report: BenchReport, triggers: readonly string[]): string[] {
  const floor = report.floor?.deliveriesPerSecond ?? NaN;
  const ratio = (value: number | undefined) =>
    value !== undefined && Number.isFinite(value / floor) ? (value / floor).toFixed(2) : '-';
  return triggers.map((mode) => {
    const suffix = `, triggers ${mode}`;
    const phase = (name: string) =>
      report.throughput.find((r) => r.devHosts === 1 && r.phase === `${name}${suffix}`);
    const single = phase('fan-out 1 single');
    const batch = phase('fan-out 1 batch');
    const latency = report.latency.find((r) => r.phase === `fan-out 1 latency${suffix}`);
    // The floor publishes in batches: compare with the batch-publish phase where there is one.
    const sameLoad = batch ?? single;
    const devHostCpu = sameLoad ? cpuMsPerEvent(sameLoad, 'devhost') : NaN;
    const floorCpu = report.floor?.cpuMsPerEvent['wire-only app'] ?? NaN;
    const cpu = Number.isFinite(devHostCpu / floorCpu)
      ? `; dev host CPU/event ${(devHostCpu / floorCpu).toFixed(2)}x floor app`
      : '';
    return (
      `ratio to floor: single ${ratio(single?.deliveriesPerSecond)}, batch ${ratio(batch?.deliveriesPerSecond)}; ` +
      `p99 at half load ${latency ? Math.round(latency.latencyMs.p99) : '-'} ms (triggers ${mode}${cpu})`
    );
  });
}

function cpuMsPerEvent(phase: ThroughputResult & PhaseLoad, label: string): number {
  const seconds = phase.cpuSeconds[label];
  return seconds === undefined ? NaN : (1000 * seconds) / phase.accepted;
}
