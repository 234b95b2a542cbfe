import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WatchedProcesses } from './processCpu';

/**
 * Mean event loop utilization (percent) of each watched process between two epoch times, from
 * the samples instrumentPreload.mjs writes; NaN when a process left none.
 */
export function eventLoopPercent(
  dir: string,
  processes: WatchedProcesses,
  from: number,
  to: number,
): Record<string, number> {
  return Object.fromEntries(
    Object.entries(processes).map(([label, pid]) => {
      const file = join(dir, `elu-${pid}.log`);
      if (!existsSync(file)) return [label, NaN];
      const samples = readFileSync(file, 'utf8')
        .split('\n')
        .map((line) => line.split(' ').map(Number))
        .filter(([at, value]) => at !== undefined && value !== undefined && at > from && at <= to + 500);
      const mean = samples.reduce((sum, [, value]) => sum + (value ?? 0), 0) / samples.length;
      return [label, Math.round(100 * mean)];
    }),
  );
}
