import { closeSync, openSync, readSync, statSync } from 'node:fs';

/** function name -> executions and their summed duration as the dev host logged them. */
export type ExecutionTally = Record<string, { succeeded: number; failed: number; totalMs: number }>;

const EXECUTED = /Executed 'Functions\.([^']+)' \((Succeeded|Failed), Id=[^,]+, Duration=([\d.]+)ms\)/g;

/** Counts the dev host's `Executed 'Functions.x' (...)` lines in `text`. Pure. */
export function countExecutions(text: string): ExecutionTally {
  const tally: ExecutionTally = {};
  for (const [, name, outcome, duration] of text.matchAll(EXECUTED)) {
    const entry = (tally[name!] ??= { succeeded: 0, failed: 0, totalMs: 0 });
    if (outcome === 'Succeeded') entry.succeeded += 1;
    else entry.failed += 1;
    entry.totalMs += Number(duration);
  }
  return tally;
}

/**
 * The dev host's log file (BENCH_DEVHOST_LOG) read from a byte offset: the executions logged
 * since, and where to read from next. Only whole lines are taken.
 */
export function readExecutionsSince(file: string, offset: number): { tally: ExecutionTally; offset: number } {
  const size = statSync(file, { throwIfNoEntry: false })?.size ?? 0;
  if (size <= offset) return { tally: {}, offset };
  const buffer = Buffer.alloc(size - offset);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, buffer, 0, buffer.length, offset);
  } finally {
    closeSync(fd);
  }
  const lastNewline = buffer.lastIndexOf(0x0a);
  if (lastNewline < 0) return { tally: {}, offset };
  return {
    tally: countExecutions(buffer.subarray(0, lastNewline + 1).toString('utf8')),
    offset: offset + lastNewline + 1,
  };
}

/** The log's size now: where a measurement starts reading. */
export function logSize(file: string): number {
  return statSync(file, { throwIfNoEntry: false })?.size ?? 0;
}
