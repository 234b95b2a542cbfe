import type { RpcTypedData } from '../core/coreTypes';

export interface TimerOccurrence {
  /** The previous occurrence (the host start for the first run). */
  last: Date;
  /** The occurrence this run is for (for runOnStartup: the first scheduled one). */
  next: Date;
  isPastDue: boolean;
}

/**
 * The timer input as the host sends it (PascalCase JSON); the library camel-cases it into the
 * handler's `{ isPastDue, schedule: { adjustForDST }, scheduleStatus: { last, next, lastUpdated } }`.
 */
export function toTimerInput(occurrence: TimerOccurrence, now: Date): RpcTypedData {
  return {
    json: JSON.stringify({
      Schedule: { AdjustForDST: true },
      ScheduleStatus: {
        Last: occurrence.last.toISOString(),
        Next: occurrence.next.toISOString(),
        LastUpdated: now.toISOString(),
      },
      IsPastDue: occurrence.isPastDue,
    }),
  };
}
