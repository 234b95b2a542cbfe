import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_PROCESS, type WatchedProcesses } from './processCpu';

/**
 * With `--profile`, starts and stops the CPU profiler of the stack's processes around one
 * measured phase (instrumentPreload.mjs toggles it on SIGUSR2), so a profile holds that phase
 * only: no start-up, TypeScript loading or warm-up. Each toggle is noted in <dir>/profiles.log
 * ("<phase>\t<process label>\t<pid>"), which names the cpu-<pid>-<n>.cpuprofile files.
 */
export function toggleProfilers(dir: string, processes: WatchedProcesses, phase: string): void {
  for (const [label, pid] of Object.entries(processes)) {
    // The bench process has no preload; Azurite's command line may not take NODE_OPTIONS.
    if (label === BENCH_PROCESS || label === 'azurite') continue;
    try {
      process.kill(pid, 'SIGUSR2');
      appendFileSync(join(dir, 'profiles.log'), `${phase}\t${label}\t${pid}\n`);
    } catch {
      // Gone already: its phase has no profile.
    }
  }
}
