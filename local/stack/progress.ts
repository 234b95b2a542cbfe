import { performance } from 'node:perf_hooks';

export type LogLine = (line: string) => void;

/**
 * Runs one start-up step and prints one line with what it gave and how long it took:
 * `[stack] Cosmos DB server      https://127.0.0.1:8081/ (143 ms)`.
 */
export async function timedStep<T>(
  log: LogLine,
  label: string,
  run: () => Promise<T>,
  describe: (value: T) => string,
): Promise<T> {
  const started = performance.now();
  const value = await run();
  log(`[stack] ${label.padEnd(24)} ${describe(value)} (${Math.round(performance.now() - started)} ms)`);
  return value;
}
