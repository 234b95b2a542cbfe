import { readdirSync, readFileSync } from 'node:fs';

/** CPU seconds (user + system) so far of one process, from /proc (Linux); NaN elsewhere. */
function cpuSecondsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return ticks / 100; // USER_HZ is 100 on Linux.
  } catch {
    return NaN;
  }
}

function parentOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return -1;
  }
}

function commandOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

/** The processes whose CPU the benchmark accounts for, by what runs in them. */
export interface WatchedProcesses {
  [label: string]: number;
}

/**
 * The bench process (load generator + webhook receiver), the stack process (Service Bus emulator + Cosmos DB server), the dev host
 * and Azurite (found among the stack's children by its command line).
 */
/** Process labels as the report prints them. */
export const BENCH_PROCESS = 'bench';

export function findProcesses(stackPid: number, devHostPids: readonly number[]): WatchedProcesses {
  const watched: WatchedProcesses = { [BENCH_PROCESS]: process.pid, 'emulator+cosmos': stackPid };
  devHostPids.forEach((pid, i) => (watched[i === 0 ? 'devhost' : `devhost${i + 1}`] = pid));
  let pids: number[] = [];
  try {
    pids = readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .map(Number);
  } catch {
    return watched;
  }
  for (const pid of pids) {
    if (parentOf(pid) === stackPid && /azurite/i.test(commandOf(pid))) watched.azurite = pid;
  }
  return watched;
}

export type CpuSnapshot = Record<string, number>;

/** CPU seconds so far of each watched process, and of everything else on the machine. */
export function cpuSnapshot(processes: WatchedProcesses): CpuSnapshot {
  const snapshot: CpuSnapshot = Object.fromEntries(
    Object.entries(processes).map(([label, pid]) => [label, cpuSecondsOf(pid)]),
  );
  const ours = Object.values(snapshot).reduce((sum, seconds) => sum + seconds, 0);
  snapshot[OTHER_PROCESSES] = machineBusySeconds() - ours;
  return snapshot;
}

/** Share of one core each process used between two snapshots, in percent. */
export function cpuPercent(before: CpuSnapshot, after: CpuSnapshot, seconds: number): Record<string, number> {
  return Object.fromEntries(
    Object.keys(after).map((label) => [
      label,
      Math.round((100 * ((after[label] ?? NaN) - (before[label] ?? NaN))) / seconds),
    ]),
  );
}

/** CPU seconds the whole machine spent busy (all cores, all processes), from /proc/stat. */
export function machineBusySeconds(): number {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    // cpu user nice system idle iowait irq softirq steal ...
    const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
    return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) / 100;
  } catch {
    return NaN;
  }
}

/** The label under which cpuSnapshot reports what processes outside the benchmark used. */
export const OTHER_PROCESSES = 'other';
